"""The library researchers and the CLI use: ``Archive(url)`` to read the archive.

Example::

    from newscrawler.api import Archive
    with Archive("sqlite:///data/archive.sqlite3") as archive:
        for record in archive.records(source="lemonde", since="2024-01-01"):
            print(record["title"])
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from newscrawler.archive import models, runs, search
from newscrawler.archive.engine import ArchiveError, open_archive
from newscrawler.archive.query import (
    Filters,
    InvalidQuery,
    article_record,
    articles_query,
    version_record,
)
from newscrawler.settings import env_setting
from newscrawler.urls import canonicalize_url

__all__ = ["RUN_FIELDS", "Archive", "ArchiveError", "InvalidQuery", "default_db_url"]

STREAM_BATCH = 500
RUN_FIELDS = (
    "id", "run", "worker", "started_at", "finished_at", "status", "sources", "pages_fetched",
    "articles_new", "versions_new", "duplicates", "errors", "duration_s", "pid", "hostname",
)
When = datetime | date | str | None


def default_db_url() -> str:
    """``NEWSCRAWLER_DB`` if set, else the SQLite file under ``data/``."""
    return env_setting("NEWSCRAWLER_DB")


class Archive:
    """Read access to an archive (read-only connections unless ``readonly=False``)."""

    def __init__(self, url: str | None = None, readonly: bool = True) -> None:
        self.url = url or default_db_url()
        self.engine = open_archive(self.url, readonly=readonly)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def records(
        self, source: str | None = None, since: When = None, until: When = None,
        lang: str | None = None, limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Article records (latest version), streamed in batches, oldest first."""
        statement = articles_query(Filters(source, since, until, lang))
        if limit is not None:
            statement = statement.limit(limit)
        with Session(self.engine) as session:
            rows = session.execute(statement.execution_options(yield_per=STREAM_BATCH))
            for article, source_name in rows:
                yield article_record(article, source_name)

    def count(
        self, source: str | None = None, since: When = None, until: When = None,
        lang: str | None = None,
    ) -> int:
        """How many articles match the filters."""
        statement = articles_query(Filters(source, since, until, lang)).order_by(None)
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(statement.subquery())) or 0

    def summary(self) -> dict[str, Any]:
        """Totals: articles, versions, per source, per language, crawl runs."""
        with Session(self.engine) as session:
            per_source = session.execute(
                select(models.Source.name, func.count(models.Article.id))
                .select_from(models.Article)
                .outerjoin(models.Source, models.Article.source_id == models.Source.id)
                .group_by(models.Source.name).order_by(models.Source.name)
            ).all()
            per_language = session.execute(
                select(models.Article.language, func.count(models.Article.id))
                .group_by(models.Article.language).order_by(models.Article.language)
            ).all()
            return {
                "articles": session.scalar(select(func.count(models.Article.id))) or 0,
                "versions": session.scalar(select(func.count(models.ArticleVersion.id))) or 0,
                "sources": {name or "": n for name, n in per_source},
                "languages": {lang or "": n for lang, n in per_language},
                "runs": session.scalar(select(func.count(models.CrawlRun.id))) or 0,
            }

    def search(self, query: str, limit: int = 10, **filters: Any) -> list[dict[str, Any]]:
        """Records whose title or text contain every word of ``query`` (case/accents folded)."""
        newest_first = func.coalesce(models.Article.published_at, models.Article.first_seen_at)
        statement = (
            articles_query(Filters(**filters)).with_only_columns(models.Article)
            .order_by(None).order_by(newest_first.desc(), models.Article.id.desc())
        )
        with Session(self.engine) as session:
            ids = search.search_ids(session, query, statement, limit)
            rows = session.execute(
                articles_query(Filters()).where(models.Article.id.in_(ids))
            ).all() if ids else []
        by_id = {article.id: article_record(article, name) for article, name in rows}
        return [by_id[i] for i in ids]

    def versions(self, url: str) -> list[dict[str, Any]]:
        """Every version of the article known by ``url`` (or id), oldest first; [] if unknown."""
        with Session(self.engine) as session:
            article_id = _article_id(session, url)
            if article_id is None:
                return []
            rows = session.scalars(
                select(models.ArticleVersion)
                .where(models.ArticleVersion.article_id == article_id)
                .order_by(models.ArticleVersion.version)
            )
            return [version_record(row) for row in rows]

    def article(self, url_or_id: str | int) -> dict[str, Any] | None:
        """The record (latest version) of the article known by a URL or id; None if unknown."""
        with Session(self.engine) as session:
            article_id = _article_id(session, str(url_or_id))
            if article_id is None:
                return None
            row = session.execute(
                articles_query(Filters()).where(models.Article.id == article_id)
            ).one()
            return article_record(*row)

    def diff(self, url_or_id: str | int, old: int | None = None, new: int | None = None) -> str:
        """Unified diff of title and text between two versions (default: the last two).

        ``InvalidQuery`` if the article or a version is unknown; "" when there is one version.
        """
        history = {row["version"]: row for row in self.versions(str(url_or_id))}
        if not history:
            raise InvalidQuery(f"no archived article at {url_or_id!r}")
        latest = max(history)
        new = latest if new is None else new
        old = new - 1 if old is None else old
        if old < 1 and len(history) == 1 and new == latest:
            return ""
        for number in (old, new):
            if number not in history:
                raise InvalidQuery(
                    f"no version {number} of {url_or_id!r}: versions are 1 to {latest}")
        return _unified(history[old], history[new])

    def runs(self, limit: int | None = None, run: str | None = None) -> list[dict[str, Any]]:
        """Crawl runs, newest first (``run``: only the workers of that distributed run); a
        ``running`` one whose process died here shows as ``interrupted`` (the next run on
        this host records it so)."""
        statement = select(models.CrawlRun).order_by(models.CrawlRun.id.desc()).limit(limit)
        if run is not None:
            statement = statement.where(models.CrawlRun.run == run)
        with Session(self.engine) as session:
            rows = session.scalars(statement).all()
            return [_run_record(row) for row in rows]


def _unified(old: dict[str, Any], new: dict[str, Any]) -> str:
    def lines(version: dict[str, Any]) -> list[str]:
        return [f"# {version['title']}", "", *version["text"].splitlines()]

    diff = difflib.unified_diff(
        lines(old), lines(new), lineterm="",
        fromfile=f"version {old['version']} ({old['fetched_at']})",
        tofile=f"version {new['version']} ({new['fetched_at']})",
    )
    return "\n".join(diff)


def _run_record(run: models.CrawlRun) -> dict[str, Any]:
    status = run.status
    if status == "running" and runs.dead_here(run.pid, run.hostname):
        status = "interrupted"
    duration = None
    if run.finished_at is not None:
        duration = round((run.finished_at - run.started_at).total_seconds(), 1)
    values = {
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "status": status, "duration_s": duration,
    }
    return {name: values[name] if name in values else getattr(run, name) for name in RUN_FIELDS}


def _article_id(session: Session, url: str) -> int | None:
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
