"""Writing to the archive: one transaction per fetched article, deduplicated and versioned.

``ArchiveStore.store`` decides whether a page is a new article, a new version of a known
one, an unchanged re-fetch or a duplicate published at another URL, and records the fetch
in the same transaction, so a crash never leaves an article without its history.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.extraction.article import Article

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "version", "unchanged", "duplicate")
RUN_COUNTERS = ("pages_fetched", "articles_new", "versions_new", "duplicates", "errors")
_WHITESPACE = re.compile(r"\s+")
T = TypeVar("T")


@dataclass
class ArticleRecord:
    """What the store pipeline hands over: an extracted article and how it was fetched."""

    article: Article
    url: str
    canonical_url: str
    source: str | None
    content_hash: str
    fetched_at: datetime
    status: int = 200
    warc_file: str | None = None
    warc_offset: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    # Other canonicalised URLs this page answered at (request URL before redirects, etc.).
    aliases: list[str] = field(default_factory=list)


def _normalise(value: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the NFC-normalised, whitespace-collapsed title and text (case kept)."""
    payload = _normalise(title) + "\n" + _normalise(text)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class ArchiveStore:
    """Runs and articles, written through one engine (see ``open_archive``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
        """Record a crawl run as ``running``; return its id."""
        run = models.CrawlRun(
            started_at=_now(), status="running", args=dict(args), sources=",".join(sources),
            pid=os.getpid(), hostname=socket.gethostname(),
        )
        return self._transaction(lambda session: _add_and_flush(session, run).id)

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

    def store(self, record: ArticleRecord, run_id: int | None) -> str:
        """Archive one extracted page; return 'new', 'version', 'unchanged' or 'duplicate'."""
        return self._transaction(lambda session: _store(session, record, run_id))

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


def _add_and_flush(session: Session, obj: T) -> T:
    session.add(obj)
    session.flush()
    return obj


def _record_urls(record: ArticleRecord) -> list[str]:
    """The record's URLs, canonical first, without repeats or blanks."""
    return list(dict.fromkeys(u for u in (record.canonical_url, record.url, *record.aliases) if u))


def _find_article(session: Session, record: ArticleRecord) -> models.Article | None:
    found = session.scalars(
        select(models.Article).where(models.Article.canonical_url == record.canonical_url)
    ).first()
    if found is not None:
        return found
    urls = _record_urls(record)
    by_url = dict(session.execute(
        select(models.ArticleUrl.url, models.ArticleUrl.article_id)
        .where(models.ArticleUrl.url.in_(urls))
    ).all())
    for url in urls:
        if url in by_url:
            return session.get(models.Article, by_url[url])
    return None


def _link_urls(session: Session, article_id: int, urls: list[str]) -> None:
    """Add the URLs not yet known; a URL already owned by another article stays with it."""
    known = set(session.scalars(
        select(models.ArticleUrl.url).where(models.ArticleUrl.url.in_(urls))
    ))
    for url in urls:
        if url not in known:
            session.add(models.ArticleUrl(url=url, article_id=article_id))


def _source_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    existing = session.scalars(select(models.Source.id).where(models.Source.name == name)).first()
    if existing is not None:
        return existing
    return _add_and_flush(session, models.Source(name=name, created_at=_now())).id


def _apply_content(row: models.Article, record: ArticleRecord) -> None:
    """Copy the record's current content and capture details onto the article row."""
    art = record.article
    row.url, row.title, row.text = record.url, art.title, art.text
    row.sitename, row.authors, row.language = art.sitename, list(art.authors), art.language
    row.published_at, row.modified_at = art.published_at, art.modified_at
    row.description, row.extractor = art.description, art.extractor or None
    row.content_hash = record.content_hash
    row.warc_file, row.warc_offset = record.warc_file, record.warc_offset
    row.etag, row.last_modified = record.etag, record.last_modified
    row.last_seen_at = record.fetched_at


def _add_version(session: Session, row: models.Article, record: ArticleRecord) -> None:
    session.add(models.ArticleVersion(
        article_id=row.id, version=row.version, fetched_at=record.fetched_at,
        content_hash=record.content_hash, title=row.title, text=row.text, url=record.url,
    ))


def _touch(row: models.Article, record: ArticleRecord) -> None:
    """Same content seen again: only the freshness and the validators change."""
    row.last_seen_at = max(row.last_seen_at, record.fetched_at)
    row.etag = record.etag or row.etag
    row.last_modified = record.last_modified or row.last_modified


def _create_article(session: Session, record: ArticleRecord) -> models.Article:
    row = models.Article(
        canonical_url=record.canonical_url, version=1, first_seen_at=record.fetched_at,
        source_id=_source_id(session, record.source),
    )
    _apply_content(row, record)
    _add_and_flush(session, row)
    _add_version(session, row, record)
    return row


def _same_content(session: Session, digest: str) -> models.Article | None:
    """The oldest article whose current content is ``digest``: a copy at another URL."""
    return session.scalars(
        select(models.Article).where(models.Article.content_hash == digest)
        .order_by(models.Article.id).limit(1)
    ).first()


def _store(session: Session, record: ArticleRecord, run_id: int | None) -> str:
    row = _find_article(session, record)
    if row is None:
        row = _same_content(session, record.content_hash)
        if row is None:
            row, outcome = _create_article(session, record), "new"
        else:
            _touch(row, record)
            outcome = "duplicate"
    elif row.content_hash != record.content_hash:
        # Two writers racing on one article both pick this number; the unique
        # (article_id, version) constraint fails one, and its retry sees the other's version.
        row.version += 1
        _apply_content(row, record)
        _add_version(session, row, record)
        outcome = "version"
    else:
        _touch(row, record)
        outcome = "unchanged"
    _link_urls(session, row.id, _record_urls(record))
    session.add(models.Fetch(
        run_id=run_id, article_id=row.id, url=record.url, fetched_at=record.fetched_at,
        status=record.status, content_hash=record.content_hash, outcome=outcome,
    ))
    return outcome
