"""The library researchers, the CLI and ``serve`` use: ``Archive(url)`` to read the archive.

Example::

    from newscrawler import Archive
    with Archive("sqlite:///data/archive.sqlite3") as archive:
        for hit in archive.search("cessez-le-feu", lang="fr", since="2024-01-01"):
            print(hit.score, hit.title, render(hit.snippet))
        weekly = archive.stats("cessez-le-feu", by="week", by_source=True).to_pandas()
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newscrawler import exports
from newscrawler.archive import models, runs
from newscrawler.archive.engine import ArchiveError, open_archive
from newscrawler.archive.query import (
    Filters,
    InvalidQuery,
    article_id_for,
    article_record,
    articles_query,
    version_record,
)
from newscrawler.records import SearchHit, SearchResults, StatsRows
from newscrawler.search import schema, snippets, statements
from newscrawler.search.backend import PERIODS, backend_for
from newscrawler.search.periods import fill
from newscrawler.search.query import positive_terms
from newscrawler.selection import Selection
from newscrawler.settings import env_setting

if TYPE_CHECKING:
    from newscrawler.capture.reader import Capture
    from newscrawler.capture.wacz import WaczSummary
    from newscrawler.reextract import Summary

__all__ = ["RUN_FIELDS", "Archive", "ArchiveError", "InvalidQuery", "SearchHit",
           "SearchResults", "StatsRows", "default_db_url", "render"]

STREAM_BATCH = 500
RUN_FIELDS = (
    "id", "run", "worker", "started_at", "finished_at", "status", "sources", "pages_fetched",
    "articles_new", "versions_new", "duplicates", "errors", "duration_s", "pid", "hostname",
)
When = datetime | date | str | None
render = snippets.render


def default_db_url() -> str:
    """``NEWSCRAWLER_DB`` if set, else the SQLite file under ``data/``."""
    return env_setting("NEWSCRAWLER_DB")


class Archive:
    """Read access to an archive (read-only connections unless ``readonly=False``).

    Every query method takes the same selection: ``source``, ``tag`` (a tag of the sources
    file ``sources_file``, default ``NEWSCRAWLER_SOURCES``), ``since``/``until`` (published,
    else first seen; dates or ISO 8601), ``lang`` (ISO 639-1) and, but for ``search`` where
    it is the first argument, ``query`` (the search language of ``newscrawler.search.query``).
    Bad values raise ``InvalidQuery`` with a one-line message.
    """

    def __init__(self, url: str | None = None, readonly: bool = True,
                 sources_file: str | Path | None = None) -> None:
        self.url = url or default_db_url()
        self.engine = open_archive(self.url, readonly=readonly)
        self.backend = backend_for(self.engine.dialect.name)
        self.sources_file = Path(sources_file) if sources_file else None

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _select(self, selection: Selection) -> Any:
        """The articles statement of a selection (a search restricts it to the matches)."""
        statement = articles_query(selection.filters(self.sources_file))
        tree = selection.tree()
        if tree is not None:
            matching = statements.matching_ids(self.backend, tree, selection.languages())
            statement = statement.where(models.Article.id.in_(matching))
        return statement

    def records(
        self, source: str | None = None, since: When = None, until: When = None,
        lang: str | None = None, limit: int | None = None, *, tag: str | None = None,
        query: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Article records (latest version), streamed in batches, oldest first."""
        statement = self._select(Selection(source, tag, since, until, lang, query))
        if limit is not None:
            statement = statement.limit(limit)
        with Session(self.engine) as session:
            rows = session.execute(statement.execution_options(yield_per=STREAM_BATCH))
            for article, source_name in rows:
                yield article_record(article, source_name)

    def count(
        self, source: str | None = None, since: When = None, until: When = None,
        lang: str | None = None, *, tag: str | None = None, query: str | None = None,
    ) -> int:
        """How many articles the selection holds."""
        selection = Selection(source, tag, since, until, lang, query)
        tree = selection.tree()
        with Session(self.engine) as session:
            if tree is not None:  # counted in the index, not by reading the articles
                return statements.count_matches(session, self.backend, tree,
                                                selection.languages(),
                                                selection.filters(self.sources_file))
            statement = self._select(selection).order_by(None)
            return session.scalar(select(func.count()).select_from(statement.subquery())) or 0

    def search(
        self, query: str, *, source: str | None = None, tag: str | None = None,
        since: When = None, until: When = None, lang: str | None = None,
        collapse: bool = False, limit: int = 10, offset: int = 0, sort: str = "relevance",
    ) -> SearchResults:
        """The best ``limit`` matches of ``query`` (from ``offset``), as ``SearchHit``s.

        ``sort``: ``relevance`` (best first; for a query matching over 10,000 articles the
        best among the 10,000 newest matches), ``newest`` or ``oldest`` (by publication,
        else first seen). ``collapse``: one hit per near-duplicate cluster, with ``copies``.
        """
        if sort not in statements.SORTS:
            raise InvalidQuery(f"sort {sort!r}: use one of {', '.join(statements.SORTS)}")
        selection = Selection(source, tag, since, until, lang, query)
        tree, languages = selection.tree(), selection.languages()
        assert tree is not None
        chosen = statements.Page(limit=max(0, limit), offset=max(0, offset), sort=sort,
                                 collapse=collapse)
        with Session(self.engine) as session:
            found = statements.page(session, self.backend, tree, languages,
                                    selection.filters(self.sources_file), chosen)
            rows = session.execute(articles_query(Filters()).where(
                models.Article.id.in_([row[0] for row in found]))).all() if found else []
        records = {article.id: article_record(article, name) for article, name in rows}
        terms = positive_terms(tree)
        return SearchResults(SearchHit(
            **records[article_id], score=score, copies=copies,
            snippet=snippets.snippet(_passage(records[article_id]), terms,
                                     records[article_id]["language"], languages),
        ) for article_id, score, copies in found if article_id in records)

    def stats(
        self, query: str | None = None, *, by: str = "day", by_source: bool = False,
        source: str | None = None, tag: str | None = None, since: When = None,
        until: When = None, lang: str | None = None,
    ) -> StatsRows:
        """Articles per period: ``matching`` the query (all of them without one) out of
        ``total`` published, and their ``ratio``; every period from the first to the last
        with articles is present. One row per period, or per period and source."""
        if by not in PERIODS:
            raise InvalidQuery(f"--by {by!r}: use one of {', '.join(PERIODS)}")
        selection = Selection(source, tag, since, until, lang, query)
        with Session(self.engine) as session:
            counts = statements.period_counts(
                session, self.backend, by, by_source, selection.filters(self.sources_file),
                selection.tree(), selection.languages())
        return StatsRows(fill(counts, by))

    def export(
        self, path: str | Path, format: str = "jsonl", *, source: str | None = None,
        tag: str | None = None, since: When = None, until: When = None,
        lang: str | None = None, query: str | None = None, limit: int | None = None,
    ) -> int:
        """Write the selection's records to ``path`` as ``jsonl``, ``csv`` or ``parquet``
        (streamed; the file appears complete or not at all); return how many."""
        if format not in exports.FORMATS:
            raise InvalidQuery(f"format {format!r}: use one of {', '.join(exports.FORMATS)}")
        records = self.records(source, since, until, lang, limit, tag=tag, query=query)
        return exports.write(records, path, format)

    def reindex(self) -> tuple[int, int]:
        """Rebuild the search index (needs ``readonly=False``): (articles, indexed)."""
        with self.engine.begin() as connection:
            indexed = schema.reindex(connection)
            articles = connection.scalar(select(func.count(models.Article.id))) or 0
        return articles, indexed

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

    def versions(self, url: str) -> list[dict[str, Any]]:
        """Every version of the article known by ``url`` (or id), oldest first; [] if unknown."""
        with Session(self.engine) as session:
            article_id = article_id_for(session, url)
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
            article_id = article_id_for(session, str(url_or_id))
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

    def raw(self, url_or_id: str | int, warc_dir: str | Path | None = None) -> Capture:
        """The captured response of an article's current version, from the WARC directory
        (default ``NEWSCRAWLER_WARC_DIR``): ``.payload`` as stored, ``.body`` decoded.

        ``InvalidQuery`` if the article is unknown or has no capture; ``WarcError`` if its
        record cannot be read.
        """
        from newscrawler.archive.captures import ArchiveCaptures
        from newscrawler.capture.reader import read_capture

        with Session(self.engine) as session:
            article_id = article_id_for(session, str(url_or_id))
        if article_id is None:
            raise InvalidQuery(f"no archived article at {url_or_id!r}")
        captures = ArchiveCaptures(self.engine)
        where = captures.of_article(article_id)
        if where is None:
            raise InvalidQuery(f"article {article_id} has no capture (NEWSCRAWLER_WARC_DIR "
                               "was empty when it was crawled)")
        return read_capture(warc_dir or env_setting("NEWSCRAWLER_WARC_DIR"), *where,
                            locate=captures.locate)

    def export_wacz(self, output: str | Path, *, warc_dir: str | Path | None = None,
                    limit: int | None = None, **filters: Any) -> WaczSummary:
        """The captures of the articles ``filters`` select, as a WACZ package at ``output``
        (see ``newscrawler.capture.export``)."""
        from newscrawler.capture.export import export_wacz

        return export_wacz(self.engine, output, warc_dir or env_setting("NEWSCRAWLER_WARC_DIR"),
                           self._select(Selection(**filters)), limit)

    def reextract(self, *, warc_dir: str | Path | None = None, limit: int | None = None,
                  dry_run: bool = False, workers: int | None = None,
                  progress: Callable[[], None] | None = None, **filters: Any) -> Summary:
        """Extraction run again over the captures of the articles ``filters`` select (see
        ``newscrawler.reextract``); needs an archive opened with ``readonly=False`` unless
        ``dry_run``."""
        from newscrawler.reextract import reextract

        return reextract(self.engine, warc_dir or env_setting("NEWSCRAWLER_WARC_DIR"),
                         self._select(Selection(**filters)), limit=limit, dry_run=dry_run,
                         workers=workers, progress=progress)


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


def _passage(record: dict[str, Any]) -> str:
    """The text a snippet is cut from: the description, then the body."""
    return "\n".join(part for part in (record["description"], record["text"]) if part)
