"""The crawl run recorder: the archive's row for one ``scrapy crawl news``, and its exit status.

``RunRecorder`` opens a ``running`` row when the spider opens (the plan's arguments, the
process, the host) and closes it with its counters and final status when the spider
closes. The status also decides the crawl's exit status, left in the stats under
``newscrawler/exit_status`` for the ``crawl`` command: 1 (``failed``) when the extraction
workers could not start, when a batch of the archive could not be written, when storage
failed, or when nothing was stored because every fetch failed; 0 otherwise.

A storage fault (``storage_failed``: disk full, read-only, database unreachable), from the
store pipeline or the WARC writer, stops the crawl: one line, once, and every fetch after it
is counted lost rather than half stored. If the run's row cannot be closed then, it stays
``running`` until the next run marks it ``interrupted``: never ``finished``.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from newscrawler.archive.engine import open_archive
from newscrawler.archive.reconnect import default_seconds
from newscrawler.archive.store import ArchiveStore
from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newscrawler.plan import CrawlPlan
    from newscrawler.storage import StorageFault

logger = logging.getLogger(__name__)

EXIT_STATUS = "newscrawler/exit_status"
LOST = "newscrawler/store/lost"  # fetches in batches the archive could not write
RECONNECTS = "newscrawler/store/reconnects"  # transactions run again after a lost connection
STORAGE_FAILED = "storage_failed"
# Close reasons that fail the run (the spider's own, when no extraction worker can start;
# ours, when storage fails).
FAILED_REASONS = ("extraction_workers_failed", STORAGE_FAILED)
_PLAN_FIELDS = ("mode", "source", "start_urls", "feeds", "sitemaps", "recheck", "run")


class RunRecorder:
    """Records the crawl run; ``run_id`` and ``policy`` are read by the store pipeline."""

    def __init__(self, db_url: str, stats: StatsCollector, crawler: Crawler | None = None,
                 reconnect_seconds: float | None = None) -> None:
        self.db_url = db_url
        self.stats = stats
        self.crawler = crawler
        self.reconnect_seconds = reconnect_seconds
        self.run_id: int | None = None
        self.distributed = False
        self.policy: RevisitPolicy = DEFAULT_POLICY
        self.fault: StorageFault | None = None  # the first storage fault: the crawl stops
        self._fault_lock = threading.Lock()
        self._store: ArchiveStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        assert crawler.stats is not None
        settings = crawler.settings
        recorder = cls(settings.get("NEWSCRAWLER_DB"), crawler.stats, crawler,
                       settings.getfloat("NEWSCRAWLER_DB_RETRY_SECONDS", default_seconds()))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def storage_failed(self, fault: StorageFault, lost: int = 1) -> None:
        """Storage failed (from any thread): ``lost`` fetches are not stored. The first
        fault is logged, in one line, and stops the crawl; later ones are only counted."""
        self.stats.inc_value(LOST, lost)
        self.stats.inc_value(f"newscrawler/store/{fault.kind}")
        with self._fault_lock:
            if self.fault is not None:
                return
            self.fault = fault
        logger.error("Storage failed, stopping the crawl: %s", fault.line())
        if self.crawler is not None and self.crawler.engine is not None:
            from twisted.internet import reactor  # the crawl's, installed by Scrapy

            reactor.callFromThread(self._stop)  # type: ignore[attr-defined]

    def _stop(self) -> None:
        assert self.crawler is not None and self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=STORAGE_FAILED))

    def spider_opened(self, spider: Spider) -> None:
        plan = getattr(spider, "plan", None)
        self.policy = plan.policy if plan is not None else DEFAULT_POLICY
        args = {name: getattr(plan, name) for name in _PLAN_FIELDS} if plan else {}
        self._store = ArchiveStore(open_archive(self.db_url, pool_size=1),
                                   reconnect_seconds=self.reconnect_seconds,
                                   on_reconnect=lambda: self.stats.inc_value(RECONNECTS))
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
        self.stats.set_value(EXIT_STATUS, 1 if failed else 0)
        if self.fault is not None:
            self._store.reconnect_seconds = 0  # storage failed already: no more waiting
        try:
            self._store.finish_run(self.run_id, "failed" if failed else "finished", counts)
        except Exception as exc:  # noqa: BLE001 - the archive is what failed: say so, once
            self.stats.set_value(EXIT_STATUS, 1)
            detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
            log = logger.info if self.fault is not None else logger.error
            log("Run %s could not be closed in the archive (%s): the next run marks it "
                "interrupted", self.run_id, detail)
        finally:
            self._store.engine.dispose()

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
