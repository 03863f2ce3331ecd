"""Concurrent writers of one archive: key locks, and ``INSERT ... ON CONFLICT DO NOTHING``.

Several crawl processes write one archive (overlapping runs, distributed workers): two of
them may store the same article at once. SQLite serialises writers (``BEGIN IMMEDIATE``);
on PostgreSQL, ``lock_keys`` makes two batches that touch the same article URL or content
hash take turns: each takes a transaction-level advisory lock per key, in one sorted order
(so no two batches deadlock), before it reads what the archive knows. Batches of different
articles still write side by side.

Rows that may still race (a source, or an article URL a lock did not cover) are inserted
with ``ON CONFLICT DO NOTHING``: on PostgreSQL the second insert waits for the first
transaction and then finds the row there, which is no error (an error would abort the
whole transaction); the writer learns from ``RETURNING`` which rows it did not insert, and
``insert_all`` raises ``LostRace`` so the caller runs its transaction again, now seeing the
other writer's rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

__all__ = ["LostRace", "insert_all", "insert_ignoring", "lock_keys"]

_LOCK = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) "
             "WITH ORDINALITY AS t(k, n) ORDER BY n")


class LostRace(Exception):
    """A concurrent writer inserted rows this transaction meant to: run it again."""


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Lock ``keys`` for the rest of the session's transaction (PostgreSQL; SQLite's
    transactions are serialised already)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    numbers = sorted({int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(),
                                     "big", signed=True) for key in keys})
    if numbers:
        session.execute(_LOCK, {"keys": numbers})


def insert_ignoring(session: Session, table: Table, keys: list[str]) -> Any:
    """``INSERT INTO table ... ON CONFLICT (keys) DO NOTHING`` in the session's dialect."""
    # Imported here: a SQLite crawl need not load the PostgreSQL dialect (0.1 s at start-up).
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=keys)


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
