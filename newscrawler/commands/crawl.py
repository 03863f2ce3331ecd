"""``scrapy crawl news``: Scrapy's crawl command, with a checked configuration, a run lock
and newscrawler's exit codes.

Exit status (INTERFACE.md, README): 0 when the crawl ran; 2 for an invalid configuration
(one error line, no traceback); 1 when the archive cannot be opened or written, or Redis
reached, or when the crawl stored nothing because every fetch failed; 75 (EX_TEMPFAIL) when
another live run of the same source holds its lock on this archive: overlapping cron runs
exit at once. With ``-a run=ID`` (distributed, ``newscrawler.distributed``) the lock is the
worker's: the workers of a run cooperate, one worker started twice exits 75.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawl
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from newscrawler import memory
from newscrawler.capture.size import parse_size
from newscrawler.extensions import EXIT_STATUS
from newscrawler.plan import CrawlPlan, PlanError, make_plan
from newscrawler.redact import redact

if TYPE_CHECKING:
    from newscrawler.archive.store import ArchiveStore

logger = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 75
# The numeric NEWSCRAWLER_* settings: a whole number (or, for the time limit, a number of
# seconds) of 0 or more. Checked before the crawl starts, so a typo is one line, not a
# traceback from whichever component reads it first.
NUMBER_SETTINGS = {"NEWSCRAWLER_DEPTH_LIMIT": int, "NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE": int,
                   "NEWSCRAWLER_STORE_BATCH": int, "NEWSCRAWLER_EXTRACT_WORKERS": int,
                   "NEWSCRAWLER_DOWNLOAD_TIME_LIMIT": float}


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] != "news":
            super().run(args, opts)
            return
        assert self.settings is not None
        try:
            check_number_settings(self.settings)
            plan = make_plan(opts.spargs, self.settings.get("NEWSCRAWLER_SOURCES"),
                             self.settings.getint("NEWSCRAWLER_DEPTH_LIMIT"),
                             self.settings.get("NEWSCRAWLER_ALLOW_PRIVATE_HOSTS"))
            parse_size(self.settings.get("NEWSCRAWLER_WARC_MAX_SIZE"))
        except (PlanError, ValueError) as exc:
            _error(str(exc))
            self.exitcode = EXIT_CONFIG
            return
        lock_key = plan.lock_key
        if plan.run is not None:
            from newscrawler.distributed.configure import (
                DistributedError,
                configure,
                worker_lock_key,
            )

            try:
                configure(self.settings, plan)
            except DistributedError as exc:
                _error(str(exc))
                self.exitcode = exc.exit_code
                return
            lock_key = worker_lock_key(plan)
        db_url = self.settings.get("NEWSCRAWLER_DB")
        store = _open_store(db_url, self.settings.getfloat("NEWSCRAWLER_DB_RETRY_SECONDS"))
        if store is None:
            self.exitcode = EXIT_FAILED
            return
        try:
            locked = store.acquire_run_lock(lock_key)
        except SQLAlchemyError as exc:  # e.g. a disk full or read-only archive
            _error(_cannot_write(exc, db_url))
            store.engine.dispose()
            self.exitcode = EXIT_FAILED
            return
        if not locked:
            _error(f"another run of {lock_key!r} is still running "
                   f"({store.run_lock_holder(lock_key)}); this run exits without crawling"
                   + (" (give each worker of a run on one host its own -a worker=N)"
                      if plan.run else ""))
            self.exitcode = EXIT_LOCKED
            return
        try:
            self.exitcode = self._crawl(plan, opts)
        finally:
            _release(store, lock_key)

    def _crawl(self, plan: CrawlPlan, opts: argparse.Namespace) -> int:
        assert self.crawler_process
        memory.limit_arenas()
        _apply_politeness(self.crawler_process.settings, plan)
        crawler = self._create_crawler("news")
        # Once every component is built: see newscrawler.memory.
        crawler.signals.connect(memory.settle, signal=signals.spider_opened)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        memory.settle()  # the run's objects: exit need not collect them
        if self.crawler_process.bootstrap_failed:
            return EXIT_FAILED
        assert crawler.stats is not None
        return int(crawler.stats.get_value(EXIT_STATUS, EXIT_FAILED))


def check_number_settings(settings: object) -> None:
    """Raise ``PlanError`` naming the first numeric setting that is not a number >= 0."""
    for name, kind in NUMBER_SETTINGS.items():
        value = settings.get(name)  # type: ignore[attr-defined]
        try:
            number = kind(value)
            valid = number >= 0 and number == number and number != float("inf")
        except (TypeError, ValueError):
            valid = False
        if not valid:
            what = "a whole number" if kind is int else "a number of seconds"
            raise PlanError(f"{name}={value!r}: not {what} of 0 or more "
                            "(set with -s or the environment)")


def _apply_politeness(settings: object, plan: CrawlPlan) -> None:
    """A source's politeness overrides, below ``-s`` on the command line in priority."""
    overrides = {"DOWNLOAD_DELAY": plan.download_delay,
                 "CONCURRENT_REQUESTS_PER_DOMAIN": plan.concurrency,
                 "AUTOTHROTTLE_TARGET_CONCURRENCY": plan.autothrottle_target}
    for name, value in overrides.items():
        if value is not None:
            settings.set(name, value, priority="spider")  # type: ignore[attr-defined]


def _release(store: ArchiveStore, lock_key: str) -> None:
    """Release the run lock. If the archive cannot be written any more (the crawl stopped
    for that, and said so), the lock stays: the next run takes over a dead process's lock."""
    try:
        store.release_run_lock(lock_key)
    except SQLAlchemyError as exc:
        logger.info("The run lock of %r stays until the next run takes it over: %s",
                    lock_key, str(exc.orig if isinstance(exc, DBAPIError) else exc)
                    .strip().split("\n")[0])
    finally:
        store.engine.dispose()


def _cannot_write(exc: SQLAlchemyError, db_url: str) -> str:
    from newscrawler.storage import archive_fault

    fault = archive_fault(exc, db_url)
    if fault is not None:
        return fault.line()
    detail = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().split("\n")[0]
    return f"cannot write the archive {db_url}: {detail}"


def _open_store(db_url: str, reconnect_seconds: float) -> ArchiveStore | None:
    from newscrawler.archive.engine import open_archive
    from newscrawler.archive.store import ArchiveStore

    try:
        return ArchiveStore(open_archive(db_url, pool_size=1),
                            reconnect_seconds=reconnect_seconds)
    except Exception as exc:  # any driver error means the same thing to the user
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if not reason.startswith("cannot open the archive"):  # ArchiveError names it already
            reason = f"cannot open the archive {db_url}: {reason}"
        _error(f"{reason} (check NEWSCRAWLER_DB and that its directory is writable)")
        return None


def _error(message: str) -> None:
    print(f"Error: {redact(message)}", file=sys.stderr)
