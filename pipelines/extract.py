"""Extraction pipeline: runs the pure extraction function off the reactor.

With NEWSCRAWLER_EXTRACT_WORKERS > 0 (default: one per core) extraction runs in a process
pool, so parsing uses every core while Twisted keeps downloading; 0 runs it inline.
A Rejected page is dropped with its reason counted.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from newscrawler.archive.clusters import signature
from newscrawler.extraction import Article, Rejected, extract
from newscrawler.items import PageItem
from pipelines import drop

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, stats: StatsCollector, workers: int) -> None:
        self.stats = stats
        self.workers = workers
        self._pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        assert crawler.stats is not None
        workers = crawler.settings.getint("NEWSCRAWLER_EXTRACT_WORKERS", os.cpu_count() or 1)
        return cls(crawler.stats, workers)

    def open_spider(self) -> None:
        if self.workers > 0:
            # spawn: forking a process that runs a Twisted reactor and threads is unsafe.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)

    def close_spider(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):  # a 304 answer: nothing to extract
            return item
        args = (item.body, item.url, item.headers)
        kwargs = {"force_article": item.force_article, "hints": item.hints}
        if self._pool is None:
            result, minhash = extract_page(args, kwargs)
        else:
            loop = asyncio.get_running_loop()
            result, minhash = await loop.run_in_executor(self._pool, extract_page, args, kwargs)
        if isinstance(result, Rejected):
            raise drop(self.stats, result.reason, f"{item.url} {result.detail}".strip())
        item.article = result
        item.minhash = minhash
        return item


def extract_page(args: tuple[Any, ...], kwargs: dict[str, Any]
                 ) -> tuple[Article | Rejected, bytes | None]:
    """The work of one page in a worker: extraction, and the article's MinHash signature."""
    result = extract(*args, **kwargs)
    if isinstance(result, Rejected):
        return result, None
    return result, signature(result.text)
