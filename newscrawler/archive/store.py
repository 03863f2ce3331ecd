"""Writing to the archive: crawl runs, their locks, and batches of fetches.

``ArchiveStore.store_many`` writes a batch of fetches (articles and the rest) in one
transaction through ``ingest.store_batch``, the one write path: new articles, versions,
unchanged re-fetches, duplicates, 304s and dropped pages, each with its fetch, its next
revisit time and its near-duplicate cluster, so a crash never leaves an article without its
history. ``store`` is ``store_many`` of one record.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from newscrawler.analysis.normalise import content_hash
from newscrawler.archive import ingest, models, runs
from newscrawler.archive.reconnect import default_seconds, retry_disconnects
from newscrawler.archive.records import ArticleRecord, FetchRecord, Record
from newscrawler.archive.upsert import LostRace
from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy

__all__ = ["OUTCOMES", "RUN_COUNTERS", "ArchiveStore", "ArticleRecord", "FetchRecord",
           "content_hash"]

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "version", "unchanged", "duplicate", "not_modified")
RUN_COUNTERS = ("pages_fetched", "articles_new", "versions_new", "duplicates", "errors")
# Attempts of a transaction that lost a race on a unique key to concurrent writers.
RETRIES = 5
# PostgreSQL's deadlock_detected and serialization_failure: the transaction may succeed again.
RETRY_SQLSTATES = ("40P01", "40001")
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def _retryable(exc: Exception) -> bool:
    if not isinstance(exc, OperationalError):
        return True
    return getattr(exc.orig, "sqlstate", None) in RETRY_SQLSTATES


class ArchiveStore:
    """Runs and articles, written through one engine (see ``open_archive``).

    A transaction that loses its connection (a database server restarting) is run again
    for up to ``reconnect_seconds``, calling ``on_reconnect`` before each new attempt.
    """

    def __init__(self, engine: Engine, *, reconnect_seconds: float | None = None,
                 on_reconnect: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.reconnect_seconds = (default_seconds() if reconnect_seconds is None
                                  else reconnect_seconds)
        self.on_reconnect = on_reconnect
        self._source_ids: dict[str, int] = {}  # committed sources, by name
        self._pending_sources: dict[str, int] = {}

    def _transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, again if a concurrent writer won a race on a
        unique key (``LostRace``, or the driver's error where no ON CONFLICT applies): the
        retry sees the other's rows. Again too, for a while, if the connection was lost."""
        return retry_disconnects(lambda: self._attempts(work), self.reconnect_seconds,
                                 self.on_reconnect)

    def _attempts(self, work: Callable[[Session], T]) -> T:
        for attempt in range(1, RETRIES + 1):
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    with session.begin():
                        return work(session)
                except (IntegrityError, LostRace, OperationalError) as exc:
                    if attempt == RETRIES or not _retryable(exc):
                        raise
                    logger.debug("Integrity conflict, retrying the transaction")
        raise AssertionError("unreachable")

    def start_run(self, args: dict[str, Any], sources: list[str], *, run: str | None = None,
                  worker: str | None = None) -> int:
        """Record a crawl run as ``running``; return its id. ``run`` and ``worker``: the run
        id and worker name of a distributed crawl's worker.

        Runs left ``running`` by dead processes on this host are closed as ``interrupted``.
        """
        def work(session: Session) -> int:
            now = _now()
            stale = runs.mark_interrupted(session, now)
            if stale:
                logger.warning("Crawl runs %s died without finishing: marked interrupted", stale)
            row = models.CrawlRun(
                started_at=now, status="running", args=dict(args), sources=",".join(sources),
                pid=os.getpid(), hostname=runs.this_host(), run=run, worker=worker,
            )
            session.add(row)
            session.flush()
            return row.id

        return self._transaction(work)

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        """Close a run with its final status and counters (keys from ``RUN_COUNTERS``)."""
        if status not in models.RUN_STATUSES:
            raise ValueError(f"run status {status!r} not one of {models.RUN_STATUSES}")
        unknown = set(counts) - set(RUN_COUNTERS)
        if unknown:
            raise ValueError(f"unknown run counters {sorted(unknown)}; known: {RUN_COUNTERS}")

        def work(session: Session) -> None:
            run = session.get(models.CrawlRun, run_id)
            if run is None:
                raise ValueError(f"no crawl run with id {run_id}")
            run.status, run.finished_at = status, _now()
            for name, value in counts.items():
                setattr(run, name, int(value))

        self._transaction(work)

    def acquire_run_lock(self, source: str, run_id: int | None = None) -> bool:
        """Lock ``source`` for this process; False if a live run of it holds the lock.

        A lock left by a dead process on this host (SIGKILL, power loss) is taken over.
        """
        return self._transaction(lambda session: runs.acquire(session, source, run_id, _now()))

    def release_run_lock(self, source: str) -> bool:
        """Release this process's lock on ``source``; False if it did not hold it."""
        return self._transaction(lambda session: runs.release(session, source))

    def run_lock_holder(self, source: str) -> str | None:
        """``"pid 123 on host, run 7, since ..."`` for the refusal message; None if free."""
        with Session(self.engine) as session:
            lock = runs.holder(session, source)
            if lock is None:
                return None
            return (f"pid {lock.pid} on {lock.hostname}, run {lock.run_id}, "
                    f"since {lock.acquired_at.isoformat()}")

    def store(self, record: Record, run_id: int | None,
              policy: RevisitPolicy | None = None) -> str:
        """``store_many([record])``: the outcome of one record."""
        return self.store_many([record], run_id, policy)[0]

    def store_many(self, records: list[Record], run_id: int | None,
                   policy: RevisitPolicy | None = None) -> list[str]:
        """Archive a batch of fetches in ONE transaction; return each record's outcome.

        Outcomes: 'new', 'version', 'unchanged', 'duplicate' for articles; a fetch record's
        own outcome ('unknown_not_modified' for a 304 of a URL the archive does not know).
        All or nothing: a killed process leaves none of the batch, and the next run fetches
        those pages again. ``policy`` is the source's revisit schedule (default:
        ``revisit.DEFAULT_POLICY``).
        """
        chosen = policy or DEFAULT_POLICY

        def work(session: Session) -> list[str]:
            sources = dict(self._source_ids)  # a rolled-back transaction's new sources vanish
            outcomes = ingest.store_batch(session, records, run_id, chosen, sources)
            self._pending_sources = sources
            return outcomes

        outcomes = self._transaction(work)
        self._source_ids = self._pending_sources
        return outcomes
