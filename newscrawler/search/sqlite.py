"""SQLite search: an FTS5 index of analysed terms, kept by triggers, queried with bm25.

``article_search`` is a contentless FTS5 table (it stores the index only, not a second copy
of the texts): column ``title`` and column ``body`` (description and text) hold each
article's terms as ``analyzer.index_text`` gives them, separated by spaces. Triggers on
``articles`` compute them through ``nc_search_text``, a deterministic Python function
registered on every connection (see ``register_functions``), so the index changes in the
same transaction as the article, whichever code writes it. A contentless table forgets what
it indexed, so deleting an article's old terms recomputes them from the old row: that is
why the analyzer must never change without a migration that rebuilds the index.

Queries are translated to FTS5 syntax from the parsed tree only: every word is an analysed
term inside double quotes (terms hold letters and digits only), so user input never reaches
FTS5's own parser. Ranking is ``bm25`` with the title weighted ``TITLE_WEIGHT`` times the body.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    String,
    Subquery,
    func,
    select,
    text,
)

from newscrawler.archive import models
from newscrawler.archive.types import UTCDateTime
from newscrawler.search.analyzer import index_text, stem
from newscrawler.search.query import Node, Not, Or, Term

__all__ = ["SQLiteBackend", "fts_query", "register_functions"]

TITLE_WEIGHT = 4.0
FUNCTION = "nc_search_text"
_TITLE = f"{FUNCTION}(NEW.language, NEW.title)"
_BODY = f"{FUNCTION}(NEW.language, NEW.description, NEW.text)"
_DELETE_OLD = (
    "INSERT INTO article_search (article_search, rowid, title, body) VALUES ('delete', OLD.id, "
    f"{FUNCTION}(OLD.language, OLD.title), {FUNCTION}(OLD.language, OLD.description, OLD.text));"
)
_INSERT_NEW = f"INSERT INTO article_search (rowid, title, body) VALUES (NEW.id, {_TITLE}, {_BODY});"
DDL = (
    "CREATE VIRTUAL TABLE article_search USING fts5(title, body, content='', tokenize='ascii')",
    f"CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER article_search_delete AFTER DELETE ON articles BEGIN {_DELETE_OLD} END",
    "CREATE TRIGGER article_search_update AFTER UPDATE OF title, description, text, language "
    f"ON articles BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
    # What filters and folding read, packed small: an article's row spans a page or more
    # (its text), and cluster_id and first_seen_at come after the text.
    "CREATE INDEX IF NOT EXISTS article_search_filters ON articles "
    "(id, published_at, first_seen_at, source_id, language, cluster_id)",
    # Articles by date: the ids a date range spans, to read only that part of the index.
    "CREATE INDEX IF NOT EXISTS article_search_when ON articles "
    "(coalesce(published_at, first_seen_at))",
)
_FILL = (f"INSERT INTO article_search (rowid, title, body) SELECT id, {FUNCTION}(language, title),"
         f" {FUNCTION}(language, description, text) FROM articles")
_PERIODS = {"day": "%Y-%m-%d", "month": "%Y-%m-01"}
MATCH_COLUMNS = ("published_at", "first_seen_at", "source_id", "language", "cluster_id")


def _search_text(language: str | None, *parts: str | None) -> str:
    return index_text("\n".join(part for part in parts if part), language)


def register_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Make ``nc_search_text(language, text, ...)`` callable by the index triggers."""
    dbapi_connection.create_function(FUNCTION, -1, _search_text, deterministic=True)


def _phrase(tokens: Sequence[str], prefix: bool) -> str:
    return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")


def _term(term: Term, languages: Sequence[str | None]) -> str:
    variants = [stem(list(term.words), language) for language in languages]
    if term.prefix:  # a stem can be shorter than the prefix typed: try the prefix as typed
        variants.append(list(term.words))
    phrases = list(dict.fromkeys(_phrase(tokens, term.prefix) for tokens in variants))
    found = phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"
    return f"title : {found}" if term.title else found


def fts_query(node: Node, languages: Sequence[str | None]) -> str:
    """The FTS5 MATCH expression of a parsed query (see ``query.parse``)."""
    if isinstance(node, Term):
        return _term(node, languages)
    if isinstance(node, Or):
        return "(" + " OR ".join(fts_query(child, languages) for child in node.children) + ")"
    if isinstance(node, Not):
        raise ValueError("an exclusion outside a group of words reached the translation")
    wanted = [fts_query(c, languages) for c in node.children if not isinstance(c, Not)]
    unwanted = [fts_query(c.child, languages) for c in node.children if isinstance(c, Not)]
    found = "(" + " AND ".join(wanted) + ")"
    return f"({found} NOT ({' OR '.join(unwanted)}))" if unwanted else found


class SQLiteBackend:
    """FTS5 index and queries (see the module docstring)."""

    name = "sqlite"

    def create(self, connection: Connection) -> None:
        for statement in DDL:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(_FILL)

    def drop(self, connection: Connection) -> None:
        for name in ("article_search_insert", "article_search_delete", "article_search_update"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql("DROP INDEX IF EXISTS article_search_filters")
        connection.exec_driver_sql("DROP INDEX IF EXISTS article_search_when")
        connection.exec_driver_sql("DROP TABLE IF EXISTS article_search")

    def reindex(self, connection: Connection) -> int:
        command = "INSERT INTO article_search (article_search) VALUES ('{}')"
        connection.exec_driver_sql(command.format("delete-all"))
        connection.exec_driver_sql(_FILL)
        connection.exec_driver_sql(command.format("optimize"))  # one segment: faster queries
        return self.indexed(connection)

    def indexed(self, connection: Connection) -> int:
        return int(connection.exec_driver_sql("SELECT count(*) FROM article_search").scalar() or 0)

    def matches(self, tree: Node, languages: Sequence[str | None],
                within: tuple[int, int] | None = None) -> Subquery:
        # The planner would read the article rows by rowid: INDEXED BY reads the small index.
        lowest, highest = within or (-(2**63), 2**63 - 1)
        statement = text(
            "SELECT s.rowid AS article_id, -bm25(article_search, :title_weight, 1.0) AS score, "
            f"{', '.join('a.' + name for name in MATCH_COLUMNS)} FROM article_search AS s "
            "JOIN articles AS a INDEXED BY article_search_filters ON a.id = s.rowid "
            "WHERE article_search MATCH :match AND s.rowid BETWEEN :lowest AND :highest"
        ).bindparams(match=fts_query(tree, languages), title_weight=TITLE_WEIGHT,
                     lowest=lowest, highest=highest)
        return statement.columns(
            article_id=Integer, score=Float, published_at=UTCDateTime(),
            first_seen_at=UTCDateTime(), source_id=Integer, language=String,
            cluster_id=String,
        ).subquery("matches")

    def id_range(self, connection: Connection, since: datetime | None,
                 until: datetime | None) -> tuple[int, int] | None:
        """The ids of the articles dated ``since`` to ``until`` lie between these two: in an
        archive a crawl fills, ids follow dates, so a date filter reads a slice of the index."""
        article = models.Article
        when = func.coalesce(article.published_at, article.first_seen_at)
        bounds = [when >= since] if since else []
        bounds += [when <= until] if until else []
        lowest, highest = connection.execute(
            select(func.min(article.id), func.max(article.id)).where(*bounds)).one()
        return (1, 0) if lowest is None else (int(lowest), int(highest))

    def period(self, when: ColumnElement[Any], by: str) -> ColumnElement[str]:
        if by == "week":  # 'weekday 0' moves to the next Sunday (or stays): Monday is 6 before
            return func.date(when, "weekday 0", "-6 days")
        return func.strftime(_PERIODS[by], when)
