"""Migrations: ``upgrade head`` on SQLite and PostgreSQL yields exactly the models' schema."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from newscrawler.archive.engine import alembic_config, head_revision, make_engine, upgrade
from newscrawler.archive.models import Base

TABLES = {"sources", "crawl_runs", "articles", "article_versions", "article_urls", "fetches",
          "article_bands", "run_locks"}


def _assert_matches_models(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert TABLES <= set(inspect(connection).get_table_names())
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_upgrade_head_matches_models(sqlite_url):
    assert upgrade(sqlite_url) == head_revision()
    _assert_matches_models(sqlite_url)


def test_sqlite_upgrade_is_idempotent(sqlite_url):
    upgrade(sqlite_url)
    assert upgrade(sqlite_url) == head_revision()


def test_postgresql_downgrade_then_upgrade_head_matches_models(pg_url):
    upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(pg_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        with engine.connect() as connection:
            assert not TABLES & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert upgrade(pg_url) == head_revision()
    _assert_matches_models(pg_url)


@pytest.mark.parametrize("revision", ["0002"])
def test_head_is_known(revision):
    assert head_revision() == revision


OLD_ROWS = """
INSERT INTO sources (id, name, created_at) VALUES (1, 'demo', '2024-05-01 08:00:00');
INSERT INTO crawl_runs (id, started_at, status, args, sources, pages_fetched, articles_new,
  versions_new, duplicates, errors) VALUES (1, '2024-05-01 08:00:00', 'finished', '{}', 'demo',
  1, 1, 1, 0, 0);
INSERT INTO articles (id, canonical_url, url, source_id, title, authors, text, content_hash,
  version, first_seen_at, last_seen_at) VALUES (1, 'https://ex.com/a', 'https://ex.com/a', 1,
  'T', '[]', 'it’s here', 'old-hash', 2, '2024-05-01 08:00:00', '2024-05-03 08:00:00');
INSERT INTO article_versions (article_id, version, fetched_at, content_hash, title, text, url)
  VALUES (1, 1, '2024-05-01 08:00:00', 'h1', 'T', 'it is', 'https://ex.com/a'),
         (1, 2, '2024-05-02 08:00:00', 'h2', 'T', 'it’s here', 'https://ex.com/a');
INSERT INTO fetches (run_id, article_id, url, fetched_at, status, outcome)
  VALUES (1, 1, 'https://ex.com/a', '2024-05-01 08:00:00', 200, 'new');
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_0001_keeps_and_backfills_data(backend, request):
    from newscrawler.normalise import content_hash

    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")  # PostgreSQL: the session's shared database
            command.upgrade(config, "0001")
            for statement in OLD_ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        assert upgrade(url) == head_revision()
        with engine.begin() as connection:
            fetch_run = connection.scalar(text("SELECT run_id FROM fetches"))
            article = connection.execute(text(
                "SELECT content_hash, cluster_id, last_changed_at FROM articles")).one()
            hashes = connection.scalars(text(
                "SELECT content_hash FROM article_versions ORDER BY version")).all()
            connection.execute(text("UPDATE crawl_runs SET status = 'interrupted'"))
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        engine.dispose()
    assert fetch_run == 1  # rebuilding crawl_runs on SQLite must not null the fetches' run
    assert article[0] == content_hash("T", "it's here") == hashes[1]
    assert hashes[0] == content_hash("T", "it is")
    assert article[1] == "1" and str(article[2]).startswith("2024-05-02 08:00:00")


def test_head_revision_read_from_the_files_is_alembics_head():
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(
        alembic_config("sqlite://")).get_current_head()


def test_opening_a_current_archive_does_not_import_alembic(sqlite_url):
    import subprocess
    import sys

    upgrade(sqlite_url)
    code = ("import sys; from newscrawler.archive.engine import open_archive; "
            f"open_archive({sqlite_url!r}); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
