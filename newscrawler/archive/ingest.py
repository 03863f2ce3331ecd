"""How one fetched page changes the archive: new article, version, unchanged or duplicate.

Everything here runs inside the caller's transaction (``ArchiveStore.store``): the article,
its version, its URLs, its cluster, its next revisit and the fetch are written together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.clusters import BatchClusters, assign_cluster
from newscrawler.extraction.article import Article
from newscrawler.minhash import signature
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


def _content(record: ArticleRecord, digest: str) -> dict[str, Any]:
    """The article columns a record's current content and capture details set."""
    art = record.article
    return {
        "url": record.url, "title": art.title, "text": art.text, "sitename": art.sitename,
        "authors": list(art.authors), "language": art.language,
        "published_at": art.published_at, "modified_at": art.modified_at,
        "description": art.description, "extractor": art.extractor or None,
        "content_hash": digest, "warc_file": record.warc_file,
        "warc_offset": record.warc_offset, "etag": record.etag,
        "last_modified": record.last_modified, "last_seen_at": record.fetched_at,
        "last_changed_at": record.fetched_at,
    }


def _apply_content(row: models.Article, record: ArticleRecord, digest: str) -> None:
    """Copy the record's current content and capture details onto the article row."""
    for name, value in _content(record, digest).items():
        setattr(row, name, value)


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


def store_batch(session: Session, records: list[ArticleRecord], run_id: int | None,
                policy: RevisitPolicy, source_ids: dict[str, int]) -> list[str]:
    """``store_record`` for each record, in one transaction, with new articles written in bulk.

    A crawl's batch is mostly articles the archive has never seen: three lookups tell them
    apart for the whole batch, then their rows, versions, URLs, fetches and bands go in one
    multi-row statement per table instead of a dozen ORM round trips per article. Records
    that touch a known article (versions, re-fetches, copies) take ``store_record`` first;
    so does the whole batch when two of its records share a URL or a content hash, since
    each must then see the other's effect. ``source_ids`` caches source names to ids (the
    caller fills it only once the transaction has committed: see ``ArchiveStore``).
    """
    urls = [_record_urls(record) for record in records]
    digests = [record.content_hash or content_hash(record.article.title, record.article.text)
               for record in records]
    flat = [url for group in urls for url in group]
    if len(set(flat)) != len(flat) or len(set(digests)) != len(digests):
        return [store_record(session, record, run_id, policy) for record in records]
    known = _known(session, flat, [group[0] for group in urls], digests)
    outcomes: dict[int, str] = {}
    fresh = []
    for index, record in enumerate(records):
        if known.isdisjoint(urls[index]) and digests[index] not in known:
            fresh.append(index)
        else:
            outcomes[index] = store_record(session, record, run_id, policy)
    if fresh:
        session.flush()
        _insert_new(session, [(records[i], urls[i], digests[i]) for i in fresh], run_id, policy,
                    source_ids)
        outcomes.update((index, "new") for index in fresh)
    return [outcomes[index] for index in range(len(records))]


def _known(session: Session, urls: list[str], canonicals: list[str],
           digests: list[str]) -> set[str]:
    """Which of these URLs and content hashes the archive already has."""
    article, alias = models.Article, models.ArticleUrl
    found: set[str] = set()
    for chunk in _chunks(urls):
        found.update(session.scalars(select(alias.url).where(alias.url.in_(chunk))))
    for chunk in _chunks(canonicals):
        found.update(session.scalars(
            select(article.canonical_url).where(article.canonical_url.in_(chunk))))
    for chunk in _chunks(digests):
        found.update(session.scalars(
            select(article.content_hash).where(article.content_hash.in_(chunk))))
    return found


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[start:start + size] for start in range(0, len(values), size)]


def _insert_new(session: Session, items: list[tuple[ArticleRecord, list[str], str]],
                run_id: int | None, policy: RevisitPolicy, source_ids: dict[str, int]) -> None:
    rows = []
    for record, _, digest in items:
        seen = record.fetched_at
        source_id = source_ids.get(record.source) if record.source else None
        if record.source and source_id is None:
            source_id = source_ids[record.source] = _source_id(session, record.source)
        minhash = record.minhash if record.minhash is not None else signature(record.article.text)
        rows.append({
            **_content(record, digest), "canonical_url": record.canonical_url,
            "source_id": source_id, "version": 1, "first_seen_at": seen,
            "next_check_at": next_check(seen, seen, seen, policy), "cluster_id": None,
            "minhash": minhash,
        })
    table = models.Article.__table__
    ids = list(session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
    clusters = BatchClusters(session)
    versions, aliases, fetches = [], [], []
    for article_id, row, (record, urls, digest) in zip(ids, rows, items, strict=True):
        clusters.assign(article_id, row["minhash"])
        versions.append({"article_id": article_id, "version": 1,
                         "fetched_at": record.fetched_at, "content_hash": digest,
                         "title": row["title"], "text": row["text"], "url": record.url})
        aliases.extend({"url": url, "article_id": article_id} for url in urls)
        fetches.append({"run_id": run_id, "article_id": article_id, "url": record.url,
                        "fetched_at": record.fetched_at, "status": record.status,
                        "content_hash": digest, "outcome": "new"})
    clusters.write()
    for model, values in ((models.ArticleVersion, versions), (models.ArticleUrl, aliases),
                          (models.Fetch, fetches)):
        session.execute(insert(model.__table__), values)
