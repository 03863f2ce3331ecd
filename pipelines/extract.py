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
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from newscrawler.extraction import Rejected
from newscrawler.items import PageItem
from newscrawler.worker import extract_page, warm_up
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
            self._pool = start_pool(self.workers)

    def close_spider(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):  # a 304 answer: nothing to extract
            return item
        args = (item.body, item.url, item.headers)
        kwargs = {"force_article": item.force_article, "hints": item.hints}
        if self._pool is None:
            result, minhash, digest = extract_page(args, kwargs)
        else:
            loop = asyncio.get_running_loop()
            result, minhash, digest = await loop.run_in_executor(
                self._pool, extract_page, args, kwargs)
        if isinstance(result, Rejected):
            raise drop(self.stats, result.reason, f"{item.url} {result.detail}".strip())
        item.article = result
        item.minhash = minhash
        item.content_hash = digest
        return item


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` extraction processes, all started now.

    ``spawn``: forking a process that runs a Twisted reactor and threads is unsafe. A spawned
    child re-imports the parent's main script (here Scrapy's ``scrapy`` script, hence all of
    Scrapy and Twisted, ~50 MiB a worker it never uses) unless the main module has no
    ``__file__``; it is hidden while the workers start. Workers are never replaced later
    (no ``max_tasks_per_child``: caches are reset instead), so no child starts without it.
    """
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    main = sys.modules["__main__"]
    main_file = main.__dict__.pop("__file__", None)
    try:
        for _ in range(workers):  # each submit finds no idle worker and starts one
            pool.submit(warm_up)
    finally:
        if main_file is not None:
            main.__file__ = main_file
    return pool
