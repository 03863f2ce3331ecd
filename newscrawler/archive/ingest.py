"""How one fetched page changes the archive: new article, version, unchanged or duplicate.

Everything here runs inside the caller's transaction (``ArchiveStore.store``): the article,
its version, its URLs, its cluster, its next revisit and the fetch are written together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.clusters import assign_cluster
from newscrawler.extraction.article import Article
from newscrawler.normalise import content_hash
from newscrawler.revisit import RevisitPolicy, next_check

T = TypeVar("T")


@dataclass
class ArticleRecord:
    """What the store pipeline hands over: an extracted article and how it was fetched.

    ``content_hash`` must be ``normalise.content_hash(title, text)`` (the crawl computes it
    in its extraction workers); left empty, the store computes it.
    """

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
    # ``minhash.signature(article.text)`` when the caller computed it already (in an
    # extraction worker, off the writer's thread); None: the store computes it.
    minhash: bytes | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def add_and_flush(session: Session, obj: T) -> T:
    session.add(obj)
    session.flush()
    return obj


def _record_urls(record: ArticleRecord) -> list[str]:
    """The record's URLs, canonical first, without repeats or blanks."""
    return list(dict.fromkeys(u for u in (record.canonical_url, record.url, *record.aliases) if u))


def find_by_urls(session: Session, urls: list[str]) -> models.Article | None:
    """The article whose canonical URL is ``urls[0]``, else the first that knows one of them."""
    found = session.scalars(
        select(models.Article).where(models.Article.canonical_url == urls[0])
    ).first()
    if found is not None:
        return found
    by_url = dict(session.execute(
        select(models.ArticleUrl.url, models.ArticleUrl.article_id)
        .where(models.ArticleUrl.url.in_(urls))
    ).all())
    for url in urls:
        if url in by_url:
            return session.get(models.Article, by_url[url])
    return None


def _find_article(session: Session, record: ArticleRecord) -> models.Article | None:
    return find_by_urls(session, _record_urls(record))


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
    return add_and_flush(session, models.Source(name=name, created_at=_now())).id


def _apply_content(row: models.Article, record: ArticleRecord, digest: str) -> None:
    """Copy the record's current content and capture details onto the article row."""
    art = record.article
    row.url, row.title, row.text = record.url, art.title, art.text
    row.sitename, row.authors, row.language = art.sitename, list(art.authors), art.language
    row.published_at, row.modified_at = art.published_at, art.modified_at
    row.description, row.extractor = art.description, art.extractor or None
    row.content_hash = digest
    row.warc_file, row.warc_offset = record.warc_file, record.warc_offset
    row.etag, row.last_modified = record.etag, record.last_modified
    row.last_seen_at = record.fetched_at
    row.last_changed_at = record.fetched_at


def _add_version(session: Session, row: models.Article, record: ArticleRecord) -> None:
    session.add(models.ArticleVersion(
        article_id=row.id, version=row.version, fetched_at=record.fetched_at,
        content_hash=row.content_hash, title=row.title, text=row.text, url=record.url,
    ))


def _touch(row: models.Article, record: ArticleRecord) -> None:
    """Same content seen again: only the freshness and the validators change."""
    row.last_seen_at = max(row.last_seen_at, record.fetched_at)
    row.etag = record.etag or row.etag
    row.last_modified = record.last_modified or row.last_modified


def schedule(row: models.Article, fetched_at: datetime, policy: RevisitPolicy) -> None:
    now = max(row.last_seen_at, fetched_at)
    row.next_check_at = next_check(row.first_seen_at, row.last_changed_at, now, policy)


def _create_article(session: Session, record: ArticleRecord, digest: str) -> models.Article:
    row = models.Article(
        canonical_url=record.canonical_url, version=1, first_seen_at=record.fetched_at,
        source_id=_source_id(session, record.source),
    )
    _apply_content(row, record, digest)
    add_and_flush(session, row)
    _add_version(session, row, record)
    assign_cluster(session, row, record.minhash)
    return row


def _same_content(session: Session, digest: str) -> models.Article | None:
    """The oldest article whose current content is ``digest``: a copy at another URL."""
    return session.scalars(
        select(models.Article).where(models.Article.content_hash == digest)
        .order_by(models.Article.id).limit(1)
    ).first()


def store_record(session: Session, record: ArticleRecord, run_id: int | None,
           policy: RevisitPolicy) -> str:
    digest = record.content_hash or content_hash(record.article.title, record.article.text)
    row = _find_article(session, record)
    if row is None:
        row = _same_content(session, digest)
        if row is None:
            row, outcome = _create_article(session, record, digest), "new"
        else:
            _touch(row, record)
            outcome = "duplicate"
    elif row.content_hash != digest:
        # Two writers racing on one article both pick this number; the unique
        # (article_id, version) constraint fails one, and its retry sees the other's version.
        row.version += 1
        _apply_content(row, record, digest)
        _add_version(session, row, record)
        assign_cluster(session, row, record.minhash)
        outcome = "version"
    else:
        _touch(row, record)
        outcome = "unchanged"
    if row.minhash is None and row.text.strip() and outcome != "new":
        assign_cluster(session, row)  # archived before signatures existed
    schedule(row, record.fetched_at, policy)
    _link_urls(session, row.id, _record_urls(record))
    session.add(models.Fetch(
        run_id=run_id, article_id=row.id, url=record.url, fetched_at=record.fetched_at,
        status=record.status, content_hash=digest, outcome=outcome,
    ))
    return outcome
