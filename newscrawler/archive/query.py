"""Read-side helpers: filters shared by export, count and search, and the article record.

The record is the public shape of INTERFACE.md; its key order is part of the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.urls import canonicalize_url

RECORD_FIELDS = (
    "id", "url", "canonical_url", "source", "sitename", "title", "authors", "published_at",
    "modified_at", "language", "description", "text", "content_hash", "version",
    "first_seen_at", "last_seen_at", "cluster_id", "warc_file", "warc_offset", "extractor",
)
VERSION_FIELDS = ("version", "fetched_at", "content_hash", "title", "text")
DATE_HELP = "use YYYY-MM-DD or an ISO 8601 datetime such as 2024-05-01T12:00:00+02:00"


class InvalidQuery(ValueError):
    """A filter value the archive cannot use; the message says what is expected."""


def parse_when(value: datetime | date | str | None, *, end: bool = False) -> datetime | None:
    """An aware UTC bound from a date, a datetime or a string; naive values count as UTC.

    A bare date as an ``end`` bound covers the whole day.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip()) if "T" in value or " " in value.strip() \
                else date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidQuery(f"bad date {value!r}: {DATE_HELP}") from None
    if not isinstance(value, datetime):
        start = datetime.combine(value, time(), tzinfo=UTC)
        return start + timedelta(days=1, microseconds=-1) if end else start
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Filters:
    """The filters every query command accepts."""

    source: str | None = None
    since: datetime | date | str | None = None
    until: datetime | date | str | None = None
    lang: str | None = None
    # One of these sources (those a tag of the sources file names); None: any.
    sources: tuple[str, ...] | None = None

    def conditions(self, on: Any = models.Article) -> list[ColumnElement[bool]]:
        """WHERE clauses on ``on``'s article columns (the ``articles`` table's by default);
        undated articles are placed by when they were first seen."""
        when = func.coalesce(on.published_at, on.first_seen_at)
        clauses: list[ColumnElement[bool]] = []
        # Sources by id, so a statement needs no join with ``sources`` to filter.
        named = select(models.Source.id)
        if self.source:
            clauses.append(on.source_id.in_(named.where(models.Source.name == self.source)))
        if self.sources is not None:
            clauses.append(on.source_id.in_(named.where(models.Source.name.in_(self.sources))))
        since, until = parse_when(self.since), parse_when(self.until, end=True)
        if since is not None:
            clauses.append(when >= since)
        if until is not None:
            clauses.append(when <= until)
        if self.lang:
            clauses.append(on.language == self.lang.lower())
        return clauses


def articles_query(filters: Filters) -> Select[Any]:
    """Articles with their source name, filtered, oldest id first."""
    return (
        select(models.Article, models.Source.name)
        .outerjoin(models.Source, models.Article.source_id == models.Source.id)
        .where(*filters.conditions())
        .order_by(models.Article.id)
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def article_record(article: models.Article, source: str | None) -> dict[str, Any]:
    """The public article record, keys in the documented order."""
    values = {
        "source": source,
        "authors": list(article.authors or []),
        **{name: _iso(getattr(article, name)) for name in (
            "published_at", "modified_at", "first_seen_at", "last_seen_at")},
    }
    return {name: values[name] if name in values else getattr(article, name)
            for name in RECORD_FIELDS}


def version_record(version: models.ArticleVersion) -> dict[str, Any]:
    """One row of an article's history."""
    return {
        "version": version.version,
        "fetched_at": _iso(version.fetched_at),
        "content_hash": version.content_hash,
        "title": version.title,
        "text": version.text,
    }


def article_id_for(session: Session, url: str) -> int | None:
    """The article a URL (as given or canonicalised) or a numeric id designates."""
    url = url.strip()
    if url.isdigit():
        return session.scalar(select(models.Article.id).where(models.Article.id == int(url)))
    try:
        spellings = list(dict.fromkeys([url, canonicalize_url(url)]))
    except ValueError:
        spellings = [url]
    found = session.scalar(
        select(models.Article.id).where(
            or_(models.Article.canonical_url.in_(spellings), models.Article.url.in_(spellings))
        ).limit(1)
    )
    if found is not None:
        return found
    return session.scalar(
        select(models.ArticleUrl.article_id).where(models.ArticleUrl.url.in_(spellings)).limit(1)
    )
