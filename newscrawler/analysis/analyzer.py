"""The crawl's page analyser: ``analyse_page`` run off the reactor, for the spider to await.

With NEWSCRAWLER_EXTRACT_WORKERS > 0 pages are analysed in a ``WorkerPool`` of processes,
so parsing uses every core while Twisted keeps downloading; 0 analyses inline. A page whose
analysis crashed its worker, ran past the timeout or raised comes back as a ``Rejected``
analysis (``extract_crashed``, ``extract_timeout``, ``extract_error``) with one ERROR line,
and the crawl goes on: the pool replaces the worker. When a worker cannot start,
``analyse`` raises ``AnalysisUnavailable``: every page would be lost, so the spider stops.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawler.analysis.page import PageAnalysis, analyse_page
from newscrawler.analysis.pool import (
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    WorkerStartError,
    WorkerTimeout,
)
from newscrawler.extraction import Rejected

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_FAILURES: tuple[tuple[type[Exception], str], ...] = (
    (WorkerTimeout, "extract_timeout"), (WorkerCrashed, "extract_crashed"),
    (WorkerError, "extract_error"))


class AnalysisUnavailable(Exception):
    """No extraction worker can start (a broken install, no memory)."""


class PageAnalyzer:
    """Analyses pages in ``workers`` processes (0: inline), started when the spider opens."""

    # What the workers run (a test points it at a function that does not exist), and the
    # seconds one page may take: trafilatura needs well under one on any real page.
    function = "newscrawler.analysis.page:analyse_page"
    timeout = 120.0

    def __init__(self, workers: int) -> None:
        if workers < 0:
            raise NotConfigured(f"NEWSCRAWLER_EXTRACT_WORKERS must be 0 or more, not {workers}")
        self.workers = workers
        self._pool: WorkerPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageAnalyzer:
        analyzer = cls(crawler.settings.getint("NEWSCRAWLER_EXTRACT_WORKERS"))
        crawler.signals.connect(analyzer.start, signal=signals.spider_opened)
        crawler.signals.connect(analyzer.close, signal=signals.spider_closed)
        return analyzer

    def start(self) -> None:
        if self.workers > 0 and self._pool is None:
            self._pool = WorkerPool(self.workers, self.function,
                                    "newscrawler.analysis.page:warm_up", timeout=self.timeout)
            # The workers warm up (~1 s) while robots.txt and the first pages are fetched.
            self._pool.start(wait=False)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    async def analyse(self, body: bytes, url: str, headers: Mapping[str, str],
                      **options: Any) -> PageAnalysis:
        """``analyse_page(body, url, headers, **options)`` in a worker (or inline)."""
        if self._pool is None:
            return analyse_page(body, url, headers, **options)
        try:
            return await self._pool.run(body, url, headers, **options)  # type: ignore[no-any-return]
        except WorkerStartError as exc:
            raise AnalysisUnavailable(str(exc)) from exc
        except (WorkerTimeout, WorkerCrashed, WorkerError) as exc:
            return self._failed(url, exc)

    @staticmethod
    def _failed(url: str, exc: Exception) -> PageAnalysis:
        reason = next(reason for kind, reason in _FAILURES if isinstance(exc, kind))
        logger.error("Extraction of %s failed, page dropped: %s", url, exc)
        return PageAnalysis(Rejected(reason, str(exc)))
