"""Writing to the archive: one transaction per fetched article, deduplicated and versioned.

``ArchiveStore.store`` decides whether a page is a new article, a new version of a known
one, an unchanged re-fetch or a duplicate published at another URL, and records the fetch,
the next revisit time and the near-duplicate cluster in the same transaction, so a crash
never leaves an article without its history.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newscrawler.archive import ingest, models, runs
from newscrawler.archive.ingest import ArticleRecord
from newscrawler.normalise import content_hash
from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy

__all__ = ["OUTCOMES", "RUN_COUNTERS", "ArchiveStore", "ArticleRecord", "DueArticle",
           "content_hash"]

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "version", "unchanged", "duplicate", "not_modified")
RUN_COUNTERS = ("pages_fetched", "articles_new", "versions_new", "duplicates", "errors")
T = TypeVar("T")


class DueArticle(NamedTuple):
    """An archived article to fetch again, with the validators for a conditional request."""

    url: str
    canonical_url: str
    etag: str | None
    last_modified: str | None


def _now() -> datetime:
    return datetime.now(UTC)


class ArchiveStore:
    """Runs and articles, written through one engine (see ``open_archive``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._source_ids: dict[str, int] = {}  # committed sources, by name

    def _transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, retrying once if a concurrent writer won a race."""
        for attempt in (1, 2):
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    with session.begin():
                        return work(session)
                except IntegrityError:
                    if attempt == 2:
                        raise
                    logger.debug("Integrity conflict, retrying the transaction once")
        raise AssertionError("unreachable")

    def start_run(self, args: dict[str, Any], sources: list[str]) -> int:
        """Record a crawl run as ``running``; return its id.

        Runs left ``running`` by dead processes on this host are closed as ``interrupted``.
        """
        def work(session: Session) -> int:
            now = _now()
            stale = runs.mark_interrupted(session, now)
            if stale:
                logger.warning("Crawl runs %s died without finishing: marked interrupted", stale)
            run = models.CrawlRun(
                started_at=now, status="running", args=dict(args), sources=",".join(sources),
                pid=os.getpid(), hostname=runs.this_host(),
            )
            return ingest.add_and_flush(session, run).id

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

    def store(self, record: ArticleRecord, run_id: int | None,
              policy: RevisitPolicy | None = None) -> str:
        """Archive one extracted page; return 'new', 'version', 'unchanged' or 'duplicate'.

        ``policy`` is the source's revisit schedule (default: ``revisit.DEFAULT_POLICY``).
        """
        return self._transaction(
            lambda session: ingest.store_record(session, record, run_id, policy or DEFAULT_POLICY))

    def store_many(self, records: list[ArticleRecord], run_id: int | None,
                   policy: RevisitPolicy | None = None) -> list[str]:
        """Archive several pages in ONE transaction (one commit for a batch of a crawl).

        All or nothing: a killed process leaves none of the batch, and the next run fetches
        those pages again. A conflict with a concurrent writer falls back to one transaction
        per record, which retries its own race.
        """
        chosen = policy or DEFAULT_POLICY
        sources = dict(self._source_ids)  # a rolled-back transaction's new sources vanish
        try:
            outcomes = self._transaction(lambda session: ingest.store_batch(
                session, records, run_id, chosen, sources))
            self._source_ids = sources
            return outcomes
        except IntegrityError:
            return [self.store(record, run_id, chosen) for record in records]

    def record_not_modified(self, url: str, run_id: int | None, fetched_at: datetime,
                            policy: RevisitPolicy | None = None) -> str | None:
        """A 304 answer for an archived URL: refresh it, record the fetch; None if unknown."""
        def work(session: Session) -> str | None:
            row = ingest.find_by_urls(session, [url])
            if row is None:
                return None
            row.last_seen_at = max(row.last_seen_at, fetched_at)
            ingest.schedule(row, fetched_at, policy or DEFAULT_POLICY)
            session.add(models.Fetch(
                run_id=run_id, article_id=row.id, url=url, fetched_at=fetched_at, status=304,
                content_hash=row.content_hash, outcome="not_modified",
            ))
            return "not_modified"

        return self._transaction(work)

    def record_fetch(
        self, run_id: int | None, url: str, status: int, outcome: str,
        article_id: int | None = None, content_hash: str | None = None,
    ) -> None:
        """Record a fetch that stored no article (``dropped:<reason>``, ``error``)."""
        fetch = models.Fetch(
            run_id=run_id, article_id=article_id, url=url, fetched_at=_now(), status=status,
            content_hash=content_hash, outcome=outcome,
        )
        self._transaction(lambda session: session.add(fetch))

    def known_urls(self) -> set[str]:
        """Every URL an archived article is known by, for the spider to skip."""
        with Session(self.engine) as session:
            urls = set(session.scalars(select(models.ArticleUrl.url)))
            urls.update(session.scalars(select(models.Article.canonical_url)))
        return urls

    def due_articles(self, now: datetime, source: str | None,
                     limit: int | None = None) -> list[DueArticle]:
        """Articles whose revisit is due (``next_check_at <= now`` or never set), soonest first."""
        due = or_(models.Article.next_check_at <= now, models.Article.next_check_at.is_(None))
        return self._articles(source, limit, due)

    def all_articles(self, source: str | None, limit: int | None = None) -> list[DueArticle]:
        """Every archived article of ``source`` (all sources if None), for ``recheck=all``."""
        return self._articles(source, limit)

    def _articles(self, source: str | None, limit: int | None, *where: Any) -> list[DueArticle]:
        article = models.Article
        statement = select(article.url, article.canonical_url, article.etag,
                           article.last_modified).where(*where)
        if source is not None:
            statement = statement.join(models.Source, article.source_id == models.Source.id) \
                .where(models.Source.name == source)
        statement = statement.order_by(article.next_check_at.is_(None).desc(),
                                       article.next_check_at, article.id).limit(limit)
        with Session(self.engine) as session:
            return [DueArticle(*row) for row in session.execute(statement)]


