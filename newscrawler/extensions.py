"""The crawl run recorder: the archive's row for one ``scrapy crawl news``, and its exit status.

``RunRecorder`` opens a ``running`` row when the spider opens (the plan's arguments, the
process, the host) and closes it with its counters and final status when the spider
closes. The status also decides the crawl's exit status, left in the stats under
``newscrawler/exit_status`` for the ``crawl`` command: 1 (``failed``) when the extraction
workers could not start, when a batch of the archive could not be written, or when nothing
was stored because every fetch failed; 0 otherwise.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals

from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore
from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newscrawler.plan import CrawlPlan

logger = logging.getLogger(__name__)

EXIT_STATUS = "newscrawler/exit_status"
LOST = "newscrawler/store/lost"  # fetches in batches the archive could not write
# Close reasons that fail the run (the spider's own, when no extraction worker can start).
FAILED_REASONS = ("extraction_workers_failed",)
_PLAN_FIELDS = ("mode", "source", "start_urls", "feeds", "sitemaps", "recheck", "run")


class RunRecorder:
    """Records the crawl run; ``run_id`` and ``policy`` are read by the store pipeline."""

    def __init__(self, db_url: str, stats: StatsCollector) -> None:
        self.db_url = db_url
        self.stats = stats
        self.run_id: int | None = None
        self.distributed = False
        self.policy: RevisitPolicy = DEFAULT_POLICY
        self._store: ArchiveStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        assert crawler.stats is not None
        recorder = cls(crawler.settings.get("NEWSCRAWLER_DB"), crawler.stats)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        plan = getattr(spider, "plan", None)
        self.policy = plan.policy if plan is not None else DEFAULT_POLICY
        args = {name: getattr(plan, name) for name in _PLAN_FIELDS} if plan else {}
        self._store = ArchiveStore(open_archive(self.db_url, pool_size=1))
        run = plan.run if plan else None
        self.distributed = run is not None
        self.run_id = self._store.start_run(args, [plan.source] if plan else [], run=run,
                                            worker=_worker_name(plan) if run else None)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._store is None or self.run_id is None:
            return
        counts = self.counts()
        failed = reason in FAILED_REASONS or self._value(LOST) > 0
        if self._stored_nothing():
            logger.error("The crawl stored nothing: every fetch failed (see the errors above)")
            failed = True
        self._store.finish_run(self.run_id, "failed" if failed else "finished", counts)
        self._store.engine.dispose()
        self.stats.set_value(EXIT_STATUS, 1 if failed else 0)

    def counts(self) -> dict[str, int]:
        """The run's counters (``store.RUN_COUNTERS``), from the crawl's stats."""
        stats: dict[str, Any] = self.stats.get_stats()
        errors = sum(v for k, v in stats.items() if k.startswith("downloader/exception_count")
                     or k.startswith("downloader/response_status_count/5"))
        return {
            "pages_fetched": self._value("response_received_count"),
            "articles_new": self._value("newscrawler/stored/new"),
            "versions_new": self._value("newscrawler/stored/version"),
            "duplicates": self._value("newscrawler/stored/duplicate"),
            "errors": int(errors) + self._value(LOST),
        }

    def _stored_nothing(self) -> bool:
        """No article touched and no page answered 200 (a rerun that finds nothing new
        still gets its feeds and sitemaps). A worker of a distributed run that fetched
        nothing at all (the others did the work) did not fail."""
        stored = sum(v for k, v in self.stats.get_stats().items()
                     if k.startswith("newscrawler/stored/"))
        if self.distributed and not self._value("downloader/request_count"):
            return False
        return not stored and not self._value("downloader/response_status_count/200")

    def _value(self, key: str) -> int:
        return int(self.stats.get_value(key, 0))


def _worker_name(plan: CrawlPlan) -> str:
    """``host/N``; imported here: a local crawl loads nothing of distributed mode."""
    from newscrawler.distributed.keys import Worker

    return Worker.this(plan.worker).name
