"""Extraction pipeline: runs the pure extraction function off the reactor.

With NEWSCRAWLER_EXTRACT_WORKERS > 0 (default: one per core, at most 4) extraction runs in
a ``WorkerPool`` of processes, so parsing uses every core while Twisted keeps downloading;
0 runs it inline. A Rejected page is dropped with its reason counted, and so is a page
whose extraction crashed its worker, ran past the timeout or raised: one ERROR line names
the page, and the crawl goes on (the pool replaces a dead worker).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING, Any

from newscrawler.extraction import Rejected
from newscrawler.items import PageItem
from newscrawler.worker import PageLinks, process_page
from newscrawler.workerpool import (
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    WorkerStartError,
    WorkerTimeout,
)
from pipelines import drop

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_FAILURES: tuple[tuple[type[Exception], str], ...] = (
    (WorkerTimeout, "extract_timeout"), (WorkerCrashed, "extract_crashed"),
    (WorkerError, "extract_error"))


class ExtractPipeline:
    # What the workers run (tests point it at a function that crashes on demand), and the
    # seconds one page may take: trafilatura needs well under one on any real page.
    function = "newscrawler.worker:process_page"
    timeout = 120.0

    def __init__(self, stats: StatsCollector, workers: int,
                 crawler: Crawler | None = None) -> None:
        self.stats = stats
        self.workers = workers
        self.crawler = crawler
        self._pool: WorkerPool | None = None
        self._stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        assert crawler.stats is not None
        workers = crawler.settings.getint("NEWSCRAWLER_EXTRACT_WORKERS", os.cpu_count() or 1)
        return cls(crawler.stats, workers, crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            self._pool = WorkerPool(self.workers, self.function, "newscrawler.worker:warm_up",
                                    timeout=self.timeout)
            # The workers warm up (~1 s) while robots.txt and the first pages are fetched.
            self._pool.start(wait=False)

    def close_spider(self) -> None:
        if self._pool is not None:
            self._pool.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):  # a 304 answer: nothing to extract
            return item
        args = (item.body, item.url, item.headers)
        kwargs = {"force_article": item.force_article, "hints": item.hints}
        follow = item.follow and self.crawler is not None
        if self._pool is None:
            result, minhash, digest, links = process_page(args, kwargs, follow)
        else:
            try:
                result, minhash, digest, links = await self._pool.run(args, kwargs, follow)
            except WorkerStartError as exc:
                self._stop(exc)
                raise drop(self.stats, "extract_crashed", f"{item.url} {exc}") from None
            except (WorkerTimeout, WorkerCrashed, WorkerError) as exc:
                reason = next(reason for kind, reason in _FAILURES if isinstance(exc, kind))
                logger.error("Extraction of %s failed, page dropped: %s", item.url, exc)
                raise drop(self.stats, reason, f"{item.url} {exc}") from None
        if links is not None:  # listings too: they are what leads to the articles
            self._follow(item, links)
        if isinstance(result, Rejected):
            raise drop(self.stats, result.reason, f"{item.url} {result.detail}".strip())
        item.article = result
        item.minhash = minhash
        item.content_hash = digest
        return item

    def _follow(self, item: PageItem, links: PageLinks) -> None:
        """Schedule the requests the spider makes of the page's links."""
        assert self.crawler is not None and self.crawler.engine is not None
        spider = self.crawler.spider
        for request in spider.follow(item.url, item.depth, links):  # type: ignore[union-attr]
            self.crawler.engine.crawl(request)

    def _stop(self, exc: Exception) -> None:
        """No extraction worker can start (a broken install, no memory): every page would be
        dropped, so the crawl stops at once and exits 1 with one line saying why."""
        if self._stopping:
            return
        self._stopping = True
        logger.error("Extraction workers cannot start, stopping the crawl: %s", exc)
        if self.crawler is not None and self.crawler.engine is not None:
            self.crawler.newscrawler_exitcode = 1  # type: ignore[attr-defined]
            asyncio.ensure_future(self.crawler.engine.close_spider_async(
                reason="extraction_workers_failed"))
