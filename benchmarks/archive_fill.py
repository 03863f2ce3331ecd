"""Fill an archive with many archived articles fast, straight into its tables (SQLite or
PostgreSQL), as years of crawling would leave it; and throwaway PostgreSQL databases.

One ``INSERT ... SELECT`` per table over a generated series (a recursive CTE on SQLite,
``generate_series`` on PostgreSQL): a million articles with their URLs in about a minute,
against the archive's real schema and indexes. A quarter of the articles belong to the
crawled source (``own``), none of them due for a re-check (the crawl must not read them
all to find that out); the rest belong to ``SOURCES`` other sources, a third of them never
scheduled for a re-check, a third due, a third not. The crawl runs are finished ones.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from sqlalchemy import Engine, text

SOURCES = 100
RUNS = 50_000
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"

_SERIES = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)",
    "postgresql": "WITH n(i) AS (SELECT generate_series(1, :count))",
}
_HEX64 = {"sqlite": "printf('%064x', i)", "postgresql": "lpad(to_hex(i), 64, '0')"}
_AT = {"sqlite": "'{}'", "postgresql": "TIMESTAMP '{}'"}


def _at(dialect: str, moment: str) -> str:
    return _AT[dialect].format(moment)


def fill(engine: Engine, count: int, own: str) -> None:
    """Add ``SOURCES`` + 1 sources, ``RUNS`` finished crawl runs and ``count`` archived
    articles, each known by its URL in ``article_urls``; source number 0 is ``own``."""
    dialect = engine.dialect.name
    series = _SERIES[dialect]
    old, due, later = (_at(dialect, m) for m in
                       ("2024-01-01 00:00:00", "2024-02-01 00:00:00", "2099-01-01 00:00:00"))
    with engine.begin() as connection:
        connection.execute(text(
            f"{series} INSERT INTO sources (name, created_at) "
            f"SELECT 'archived-' || i, {old} FROM n"), {"count": SOURCES})
        connection.execute(text(f"INSERT INTO sources (name, created_at) VALUES (:own, {old})"),
                           {"own": own})
        first = connection.scalar(text("SELECT min(id) FROM sources WHERE name LIKE 'archived-%'"))
        mine = connection.scalar(text("SELECT id FROM sources WHERE name = :own"), {"own": own})
        connection.execute(text(
            f"{series} INSERT INTO crawl_runs (started_at, finished_at, status, args, sources, "
            "pages_fetched, articles_new, versions_new, duplicates, errors) "
            f"SELECT {old}, {old}, 'finished', '{{}}', 'archived-' || (i % {SOURCES}), "
            "20, 20, 0, 0, 0 FROM n"), {"count": RUNS})
        connection.execute(text(
            f"{series} INSERT INTO articles (canonical_url, url, source_id, title, authors, "
            "text, content_hash, version, first_seen_at, last_seen_at, last_changed_at, "
            "next_check_at, cluster_id) "
            f"SELECT 'https://site' || (i % {SOURCES}) || '.example/news/' || i || '.html', "
            f"'https://site' || (i % {SOURCES}) || '.example/news/' || i || '.html', "
            f"CASE i % 4 WHEN 0 THEN {mine} ELSE {first} + (i / 4) % {SOURCES} END, "
            f"'Article ' || i, '[]', 'Text of article ' || i, "
            f"{_HEX64[dialect]}, 1, {old}, {old}, {old}, "
            f"CASE WHEN i % 4 = 0 THEN {later} WHEN i % 3 = 0 THEN NULL WHEN i % 3 = 1 "
            f"THEN {due} ELSE {later} END, "
            "CAST(i AS TEXT) FROM n"), {"count": count})
        connection.execute(text(
            "INSERT INTO article_urls (url, article_id) SELECT canonical_url, id FROM articles "
            f"WHERE source_id >= {first}"))
    with engine.connect() as connection:  # the planner's statistics, as autovacuum would
        connection.execute(text("ANALYZE"))
        connection.commit()


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    """A SQLAlchemy URL to a new, empty PostgreSQL database, dropped on exit."""
    import psycopg

    name = f"newscrawler_bench_{secrets.token_hex(5)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
