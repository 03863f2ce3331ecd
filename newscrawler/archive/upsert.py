"""Inserts that concurrent writers may race on: ``INSERT ... ON CONFLICT DO NOTHING``.

Several crawl processes write one archive (overlapping runs, distributed workers): two of
them may insert the same source, article URL or article version at once. On PostgreSQL the
second insert waits for the first transaction, then finds the row there. With ``ON CONFLICT
DO NOTHING`` that is no error (an error would abort the whole transaction); the writer
learns from ``RETURNING`` which rows it did not insert, and ``insert_all`` raises
``LostRace`` so the caller runs its transaction again, now seeing the other writer's rows.
SQLite serialises writers (``BEGIN IMMEDIATE``), so there the clause only guards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["LostRace", "insert_all", "insert_ignoring"]


class LostRace(Exception):
    """A concurrent writer inserted rows this transaction meant to: run it again."""


def insert_ignoring(session: Session, table: Table, keys: list[str]) -> Any:
    """``INSERT INTO table ... ON CONFLICT (keys) DO NOTHING`` in the session's dialect."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(index_elements=keys)


def insert_all(session: Session, table: Table, keys: list[str], rows: list[dict[str, Any]],
               returning: str) -> list[Any]:
    """Insert every row or raise ``LostRace``; return each inserted row's ``returning`` column
    as ``(key values..., returning)`` tuples, in no particular order."""
    if not rows:
        return []
    statement = insert_ignoring(session, table, keys).returning(
        *(table.c[key] for key in keys), table.c[returning])
    inserted = session.execute(statement, rows).all()
    if len(inserted) != len(rows):
        raise LostRace(f"{len(rows) - len(inserted)} {table.name} rows were inserted "
                       "by a concurrent writer")
    return [tuple(row) for row in inserted]
