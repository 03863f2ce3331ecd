"""The interface every search backend implements, and the choice of one by database dialect.

A backend owns everything dialect-specific about search: the index structures and the
triggers that keep them in the article's own transaction, the translation of a parsed query,
its ranking, and the period expression of counts over time. The rest of the program talks to
it only through ``Backend``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, Connection, Subquery

from newscrawler.archive.engine import ArchiveError
from newscrawler.search.analyzer import STEMMED
from newscrawler.search.query import Node

__all__ = ["ALL_LANGUAGES", "PERIODS", "Backend", "backend_for", "query_languages"]

# The analyses a query word is tried in: French and English stems, and the folded word.
ALL_LANGUAGES: tuple[str | None, ...] = ("fr", "en", None)
PERIODS = ("day", "week", "month")


class Backend(Protocol):
    """Full-text search on one kind of database."""

    name: str

    def create(self, connection: Connection) -> None:
        """Create the index, fill it from the archive's articles, install its triggers."""

    def drop(self, connection: Connection) -> None:
        """Remove every search structure (the downgrade of migration 0004)."""

    def reindex(self, connection: Connection) -> int:
        """Rebuild the index from the articles; return how many were indexed."""

    def indexed(self, connection: Connection) -> int:
        """How many articles the index holds."""

    def id_range(self, connection: Connection, since: datetime | None,
                 until: datetime | None) -> tuple[int, int] | None:
        """Ids between which every article dated ``since`` to ``until`` lies, if that helps
        ``matches`` read less; None otherwise."""

    def matches(self, tree: Node, languages: Sequence[str | None],
                within: tuple[int, int] | None = None) -> Subquery:
        """The matching articles (only ids ``within`` that range if given): columns
        ``article_id``, ``score`` (higher is better) and the article columns filters read:
        ``published_at``, ``first_seen_at``, ``source_id``, ``language``, ``cluster_id``."""

    def period(self, when: ColumnElement[object], by: str) -> ColumnElement[str]:
        """The first day (YYYY-MM-DD, UTC) of the day, week (Monday) or month of ``when``."""


def query_languages(lang: str | None) -> tuple[str | None, ...]:
    """The analyses to try: all three, or only the one articles in ``lang`` are indexed with."""
    if not lang:
        return ALL_LANGUAGES
    code = lang[:2].lower()
    return (code,) if code in STEMMED else (None,)


def backend_for(dialect: str) -> Backend:
    """The backend of a SQLAlchemy dialect name (``sqlite``, ``postgresql``)."""
    if dialect == "sqlite":
        from newscrawler.search.sqlite import SQLiteBackend

        return SQLiteBackend()
    if dialect == "postgresql":
        from newscrawler.search.postgresql import PostgreSQLBackend

        return PostgreSQLBackend()
    raise ArchiveError(f"full-text search is not available on {dialect}: use SQLite or "
                       "PostgreSQL")
