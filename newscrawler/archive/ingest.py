"""The one write path: how a batch of fetches changes the archive, in one transaction.

Each ``ArticleRecord`` (an extracted page) makes a new article, a new version of a known
one, an unchanged re-fetch, or a duplicate (the same text at another URL: the URL becomes
an alias); each ``FetchRecord`` (a 304, a dropped page, a feed, an error) is recorded, a
304 refreshing its article; each ``CaptureRecord`` is a WARC record already on disk.
Records apply in order, each seeing the earlier ones' effect, as if stored one at a time;
then every table is written with one multi-row statement: captures, new articles,
versions, URLs, fetches, cluster bands, changed rows.

Everything runs inside the caller's transaction (``ArchiveStore.store_many``), so an
article, its version, its URLs, its cluster, its next revisit and its fetch are written
together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from newscrawler.analysis.minhash import signature
from newscrawler.analysis.normalise import content_hash
from newscrawler.archive import models
from newscrawler.archive.clusters import BatchClusters
from newscrawler.archive.lookup import chunks
from newscrawler.archive.records import ArticleRecord, CaptureRecord, FetchRecord, Record
from newscrawler.archive.upsert import insert_all, insert_ignoring, lock_keys
from newscrawler.revisit import RevisitPolicy, next_check
from newscrawler.urls import canonicalize_url

ARTICLES = models.Article.__table__
# Columns a new version rewrites, and those any re-fetch refreshes.
_CONTENT = ("url", "title", "text", "sitename", "authors", "language", "published_at",
            "modified_at", "description", "extractor", "content_hash", "warc_file",
            "warc_offset", "etag", "last_modified", "last_seen_at", "last_changed_at",
            "version", "minhash", "next_check_at")
_FRESHNESS = ("last_seen_at", "etag", "last_modified", "next_check_at", "minhash")
# What a re-extraction leaves as it was: it reads an old capture again, nothing was fetched.
_FETCH_FACTS = ("last_seen_at", "last_changed_at", "etag", "last_modified", "next_check_at")


@dataclass(eq=False)
class _Article:
    """An article as the batch sees it: its row's values, changed as records apply.

    ``new``: not in the archive yet; ``changed``: given a new version by this batch.
    """

    values: dict[str, Any]
    new: bool = False
    changed: bool = False

    @property
    def id(self) -> int:
        return int(self.values["id"])


def store_batch(session: Session, records: list[Record], run_id: int | None,
                policy: RevisitPolicy, source_ids: dict[str, int]) -> list[str]:
    """Apply ``records`` in order; return each one's outcome.

    ``source_ids`` caches source names to ids; the caller keeps what this adds only once
    the transaction has committed.
    """
    return _Batch(session, run_id, policy, source_ids).apply(records)


class _Batch:
    def __init__(self, session: Session, run_id: int | None, policy: RevisitPolicy,
                 source_ids: dict[str, int]) -> None:
        self.session, self.run_id, self.policy, self.source_ids = (
            session, run_id, policy, source_ids)
        self.by_canonical: dict[str, _Article] = {}
        self.by_url: dict[str, _Article] = {}
        self.by_hash: dict[str, _Article] = {}
        self.new_urls: list[tuple[str, _Article]] = []
        self.versions: list[tuple[_Article, dict[str, Any]]] = []
        self.fetches: list[tuple[_Article | None, dict[str, Any]]] = []
        self.captures: list[CaptureRecord] = []
        self.signatures: list[tuple[_Article, bytes | None]] = []  # cluster decisions, in order
        self.applied: dict[_Article, None] = {}  # every article a record changed, in order

    def apply(self, records: list[Record]) -> list[str]:
        self._load(records)
        outcomes = [self._apply(record) for record in records]
        self._write()
        return outcomes

    def _apply(self, record: Record) -> str:
        if isinstance(record, ArticleRecord):
            return self._article(record)
        if isinstance(record, FetchRecord):
            return self._fetch(record)
        self.captures.append(record)
        return "captured"

    # --- reading what the archive knows ----------------------------------------------------
    def _load(self, records: list[Record]) -> None:
        urls: list[str] = []
        digests: list[str] = []
        for record in records:
            if isinstance(record, ArticleRecord):
                record.content_hash = record.content_hash or content_hash(
                    record.article.title, record.article.text)
                urls += record.urls()
                digests.append(record.content_hash)
            elif isinstance(record, FetchRecord) and record.outcome == "not_modified":
                urls += _spellings(record.url)
        urls = list(dict.fromkeys(urls))
        lock_keys(self.session, [*urls, *digests])  # a concurrent batch of these waits
        session, alias = self.session, models.ArticleUrl
        owners: dict[str, int] = {}
        ids: set[int] = set()
        for chunk in chunks(urls):
            owners.update(session.execute(
                select(alias.url, alias.article_id).where(alias.url.in_(chunk))).all())
            ids.update(session.scalars(
                select(ARTICLES.c.id).where(ARTICLES.c.canonical_url.in_(chunk))))
        ids.update(owners.values())
        rows = [row for chunk in chunks(sorted(ids)) for row in session.execute(
            select(ARTICLES).where(ARTICLES.c.id.in_(chunk))).mappings()]
        for chunk in chunks(list(dict.fromkeys(digests))):
            rows += session.execute(select(ARTICLES).where(ARTICLES.c.content_hash.in_(chunk))
                                    .order_by(ARTICLES.c.id)).mappings().all()
        known: dict[int, _Article] = {}
        for row in sorted(rows, key=lambda row: row["id"]):  # the oldest of a content first
            article = known.setdefault(row["id"], _Article(dict(row)))
            self.by_canonical[article.values["canonical_url"]] = article
            self.by_hash.setdefault(article.values["content_hash"], article)
        self.by_url = {url: known[article_id] for url, article_id in owners.items()}

    def _find(self, urls: list[str]) -> _Article | None:
        found = self.by_canonical.get(urls[0])
        return found or next((self.by_url[u] for u in urls if u in self.by_url), None)

    # --- applying records ----------------------------------------------------------------
    def _article(self, record: ArticleRecord) -> str:
        digest, urls = record.content_hash, record.urls()
        article = self._find(urls)
        if article is None and (article := self.by_hash.get(digest)) is not None:
            outcome = "duplicate"
            self._touch(article, record)
        elif article is None:
            outcome, article = "new", self._create(record)
        elif article.values["content_hash"] != digest:
            outcome = "version"
            self._new_version(article, record)
        else:
            outcome = "unchanged"
            self._touch(article, record)
        values = article.values
        if values["minhash"] is None and values["text"].strip() and outcome != "new":
            self._cluster(article, signature(values["text"]))  # archived before signatures
        if not record.reextracted:
            self._schedule(article, record.fetched_at)
        self.applied[article] = None
        for url in urls:
            if url not in self.by_url:
                self.by_url[url] = article
                self.new_urls.append((url, article))
        self.fetches.append((article, {
            "url": record.url, "fetched_at": record.fetched_at, "status": record.status,
            "content_hash": digest, "outcome": "reextracted" if record.reextracted else outcome}))
        return outcome

    def _fetch(self, record: FetchRecord) -> str:
        article, outcome = None, record.outcome
        if outcome == "not_modified":
            article = self._find(_spellings(record.url))
            if article is None:
                outcome = "unknown_not_modified"
            else:
                values = article.values
                values["last_seen_at"] = max(values["last_seen_at"], record.fetched_at)
                self._schedule(article, record.fetched_at)
                self.applied[article] = None
        self.fetches.append((article, {
            "url": record.url, "fetched_at": record.fetched_at, "status": record.status,
            "content_hash": article.values["content_hash"] if article else None,
            "outcome": record.outcome}))
        return outcome

    def _create(self, record: ArticleRecord) -> _Article:
        article = _Article({"id": None, **_content(record), "canonical_url": record.canonical_url,
                            "source_id": self._source_id(record.source), "version": 1,
                            "first_seen_at": record.fetched_at, "cluster_id": None,
                            "minhash": None}, new=True)
        self.by_canonical[record.canonical_url] = article
        self.by_hash.setdefault(record.content_hash, article)
        self._add_version(article, record)
        return article

    def _new_version(self, article: _Article, record: ArticleRecord) -> None:
        values = article.values
        if self.by_hash.get(values["content_hash"]) is article:
            del self.by_hash[values["content_hash"]]
        content = _content(record)
        if record.reextracted:
            content = {k: v for k, v in content.items() if k not in _FETCH_FACTS}
        values.update(content, version=values["version"] + 1)
        self.by_hash.setdefault(record.content_hash, article)
        article.changed = True
        self._add_version(article, record)

    def _add_version(self, article: _Article, record: ArticleRecord) -> None:
        values = article.values
        self.versions.append((article, {
            "version": values["version"], "fetched_at": record.fetched_at,
            "content_hash": record.content_hash, "title": values["title"],
            "text": values["text"], "url": record.url, "warc_file": record.warc_file,
            "warc_offset": record.warc_offset, "warc_length": record.warc_length,
            "extractor": values["extractor"]}))
        raw = record.minhash if record.minhash is not None else signature(record.article.text)
        self._cluster(article, raw)

    def _cluster(self, article: _Article, raw: bytes | None) -> None:
        article.values["minhash"] = raw
        self.signatures.append((article, raw))

    @staticmethod
    def _touch(article: _Article, record: ArticleRecord) -> None:
        """Same content seen again: only the freshness and the validators change."""
        values = article.values
        values["last_seen_at"] = max(values["last_seen_at"], record.fetched_at)
        values["etag"] = record.etag or values["etag"]
        values["last_modified"] = record.last_modified or values["last_modified"]

    def _schedule(self, article: _Article, fetched_at: datetime) -> None:
        values = article.values
        now = max(values["last_seen_at"], fetched_at)
        values["next_check_at"] = next_check(values["first_seen_at"], values["last_changed_at"],
                                             now, self.policy)

    def _source_id(self, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self.source_ids:
            self.session.execute(insert_ignoring(self.session, models.Source.__table__, ["name"]),
                                 {"name": name, "created_at": _now()})
            self.source_ids[name] = self.session.scalars(
                select(models.Source.id).where(models.Source.name == name)).one()
        return self.source_ids[name]

    # --- writing ---------------------------------------------------------------------------
    def _write(self) -> None:
        # Rows a concurrent writer may insert first (ON CONFLICT, see ``upsert``) go before
        # the rest: losing such a race re-runs the batch before anything else is written.
        created = [a for a in self.applied if a.new]
        rows = [{k: v for k, v in a.values.items() if k != "id"} for a in created]
        ids = dict(insert_all(self.session, ARTICLES, ["canonical_url"], rows, "id"))
        for article in created:
            article.values["id"] = ids[article.values["canonical_url"]]
        insert_all(self.session, models.ArticleVersion.__table__, ["article_id", "version"],
                   [{"article_id": a.id, **v} for a, v in self.versions], "id")
        insert_all(self.session, models.ArticleUrl.__table__, ["url"],
                   [{"url": u, "article_id": a.id} for u, a in self.new_urls], "id")
        self._insert(models.Capture, [{"run_id": self.run_id, **vars(c)} for c in self.captures])
        self._write_clusters()
        self._insert(models.Fetch, [{"run_id": self.run_id, "article_id": a.id if a else None, **v}
                                    for a, v in self.fetches])
        old = [a for a in self.applied if not a.new]
        self._update([a for a in old if a.changed], _CONTENT)
        self._update([a for a in old if not a.changed], _FRESHNESS)

    def _write_clusters(self) -> None:
        clusters = BatchClusters(self.session)
        stale = [a.id for a, _ in self.signatures if not a.new]
        for chunk in chunks(stale):  # the bands of the versions they replace
            self.session.execute(delete(models.ArticleBand)
                                 .where(models.ArticleBand.article_id.in_(chunk)))
        for article, raw in self.signatures:
            own = article.values["cluster_id"]
            article.values["cluster_id"] = clusters.assign(article.id, raw, own)
        clusters.write()

    def _insert(self, model: type[models.Base], rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(model.__table__), rows)

    def _update(self, articles: list[_Article], columns: tuple[str, ...]) -> None:
        if not articles:
            return
        statement = ARTICLES.update().where(ARTICLES.c.id == bindparam("b_id")).values(
            {name: bindparam(f"b_{name}") for name in columns})
        self.session.execute(statement, [
            {"b_id": a.id, **{f"b_{name}": a.values[name] for name in columns}}
            for a in articles])


def _content(record: ArticleRecord) -> dict[str, Any]:
    """The article columns a record's content and capture set."""
    art = record.article
    return {
        "url": record.url, "title": art.title, "text": art.text, "sitename": art.sitename,
        "authors": list(art.authors), "language": art.language,
        "published_at": art.published_at, "modified_at": art.modified_at,
        "description": art.description, "extractor": art.extractor or None,
        "content_hash": record.content_hash, "warc_file": record.warc_file,
        "warc_offset": record.warc_offset, "etag": record.etag,
        "last_modified": record.last_modified, "last_seen_at": record.fetched_at,
        "last_changed_at": record.fetched_at, "next_check_at": None,
    }


def _spellings(url: str) -> list[str]:
    try:
        return list(dict.fromkeys([url, canonicalize_url(url)]))
    except ValueError:
        return [url]


def _now() -> datetime:
    return datetime.now(UTC)
