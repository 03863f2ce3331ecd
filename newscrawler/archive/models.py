"""The archive's tables: sources, crawl runs and their locks, articles with their versions,
URLs, fetches, near-duplicate bands, and the WARC records of every capture.

Only portable types are used so one schema serves SQLite and PostgreSQL; dialect-specific
search structures live behind ``newscrawler.search``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from newscrawler.archive.types import UTCDateTime

# Named constraints: Alembic's batch mode on SQLite rebuilds tables and needs the names.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# "interrupted": the process died without closing its run (found by the next run on its host).
RUN_STATUSES = ("running", "finished", "failed", "interrupted")


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention and the UTC datetime type."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Source(Base):
    """A site from the sources file (or an ad-hoc crawl), by name."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]


class CrawlRun(Base):
    """One ``scrapy crawl news`` invocation and what it achieved."""

    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'finished', 'failed', 'interrupted')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sources: Mapped[str] = mapped_column(Text, default="")
    pages_fetched: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    versions_new: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    pid: Mapped[int | None]
    hostname: Mapped[str | None] = mapped_column(String(255))
    # A distributed crawl (``-a run=ID``): the run id its workers share, and this worker.
    run: Mapped[str | None] = mapped_column(String(64), index=True)
    worker: Mapped[str | None] = mapped_column(String(255))


class Article(Base):
    """An article's current (latest) version; older ones are in ``article_versions``."""

    __tablename__ = "articles"
    __table_args__ = (
        Index(None, "published_at"),
        # A source's articles due for a re-check, in the order a crawl reads them, without
        # reading the source's other articles (also the index of the source_id key).
        Index(None, "source_id", "next_check_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    sitename: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    published_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(16), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    cluster_id: Mapped[str | None] = mapped_column(String(64), index=True)
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    extractor: Mapped[str | None] = mapped_column(String(100))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    # When the content last changed (the newest version's fetch); the revisit schedule's age.
    last_changed_at: Mapped[datetime | None]
    # MinHash signature of the text (see ``archive.clusters``); NULL when the text has no words.
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)


class ArticleVersion(Base):
    """Every distinct content an article has had, version 1 first."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int]
    fetched_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    # The WARC record this version was extracted from (a response, or a revisit standing
    # for one), and the extractor that read it (name and version).
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)
    extractor: Mapped[str | None] = mapped_column(String(100))


class ArticleUrl(Base):
    """A canonicalised URL an article was seen at: the dedupe key for every alias."""

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )


class Fetch(Base):
    """One fetched page and what became of it (``new``, ``duplicate``, ``dropped:<reason>``)."""

    __tablename__ = "fetches"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime]
    status: Mapped[int]
    content_hash: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(64))


class ArticleBand(Base):
    """One LSH band key of an article's MinHash signature: equal keys mark candidates."""

    __tablename__ = "article_bands"
    __table_args__ = (
        PrimaryKeyConstraint("article_id", "band"),
        Index(None, "band", "key"),
    )

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    band: Mapped[int]
    key: Mapped[str] = mapped_column(String(16))


class RunLock(Base):
    """The source a crawl process is running: one row per source, so a second run refuses."""

    __tablename__ = "run_locks"

    source: Mapped[str] = mapped_column(String(255), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL")
    )
    pid: Mapped[int]
    hostname: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime]


class Capture(Base):
    """One WARC record the crawl wrote: a response or revisit per fetch, a metadata record per
    extracted article. Written in the transaction of the batch that first follows it, after
    the record is synced to disk, so every row points at a complete record.

    ``whole``: a 2xx response holding its complete payload, which a later fetch of the same
    payload may refer to in a revisit. ``refers_to``: the record a revisit stands on, or a
    metadata record describes.
    """

    __tablename__ = "captures"
    __table_args__ = (
        Index(None, "url", "payload_digest"),
        Index(None, "url", "warc_date"),
        UniqueConstraint("warc_file", "warc_offset"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    warc_date: Mapped[datetime]
    status: Mapped[int | None]
    rec_type: Mapped[str] = mapped_column(String(16))
    payload_digest: Mapped[str | None] = mapped_column(String(64))
    warc_file: Mapped[str] = mapped_column(Text)
    warc_offset: Mapped[int] = mapped_column(BigInteger)
    warc_length: Mapped[int] = mapped_column(BigInteger)
    record_id: Mapped[str] = mapped_column(String(64), unique=True)
    refers_to: Mapped[str | None] = mapped_column(String(64), index=True)
    truncated: Mapped[str | None] = mapped_column(String(16))
    whole: Mapped[bool] = mapped_column(Boolean, default=False)
