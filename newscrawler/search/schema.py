"""The search structures of an archive: created with it, migrated into it, rebuilt on demand.

One entry point per operation, dispatching to the archive's backend, so migration 0004 and
``archive.engine`` (which builds a new archive from the models in one step) run the same DDL.
A future migration that rebuilds ``articles`` on SQLite (Alembic's batch mode copies the
table) drops its triggers with it and must call ``install`` again.
"""

from __future__ import annotations

from sqlalchemy import Connection

from newscrawler.search.backend import backend_for

__all__ = ["SEARCH_TABLE", "install", "is_search_object", "reindex", "uninstall"]

SEARCH_TABLE = "article_search"


def install(connection: Connection) -> None:
    """Create the index (filled from the existing articles) and its triggers."""
    backend = backend_for(connection.dialect.name)
    backend.drop(connection)  # leftovers of a dropped schema would make CREATE fail
    backend.create(connection)


def uninstall(connection: Connection) -> None:
    """Drop every search structure."""
    backend_for(connection.dialect.name).drop(connection)


def reindex(connection: Connection) -> int:
    """Rebuild the index from the articles; how many it holds afterwards."""
    return backend_for(connection.dialect.name).reindex(connection)


def is_search_object(name: str | None) -> bool:
    """Whether a table or index belongs to search (not to the models: Alembic skips it)."""
    return bool(name) and str(name).startswith(SEARCH_TABLE)
