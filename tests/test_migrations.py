"""Migrations: ``upgrade head`` on SQLite and PostgreSQL yields exactly the models' schema."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from newscrawler.archive.engine import alembic_config, head_revision, make_engine, upgrade
from newscrawler.archive.models import Base

TABLES = {"sources", "crawl_runs", "articles", "article_versions", "article_urls", "fetches"}


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


@pytest.mark.parametrize("revision", ["0001"])
def test_head_is_known(revision):
    assert head_revision() == revision
