"""Migrations: ``upgrade head`` on SQLite and PostgreSQL yields exactly the models' schema,
from an empty database and from every earlier revision."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from newscrawler.archive.engine import alembic_config, head_revision, make_engine, upgrade
from newscrawler.archive.models import Base
from newscrawler.search.schema import is_search_object

TABLES = {"sources", "crawl_runs", "articles", "article_versions", "article_urls", "fetches",
          "article_bands", "run_locks", "captures"}


def _assert_matches_models(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert TABLES <= set(inspect(connection).get_table_names())
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,  # the search structures are not the models' business
                "include_name": lambda name, kind, _: not (
                    kind in ("table", "index") and is_search_object(name))})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_head_matches_models_and_is_idempotent(db_url):
    assert upgrade(db_url) == head_revision()
    _assert_matches_models(db_url)
    assert upgrade(db_url) == head_revision()


def test_downgrade_then_upgrade_head_matches_models(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(db_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        with engine.connect() as connection:
            assert not (TABLES | {"article_search"}) & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert upgrade(db_url) == head_revision()
    _assert_matches_models(db_url)


def _earlier_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return sorted(s.revision for s in script.walk_revisions() if s.revision != head_revision())


def test_head_is_known():
    assert head_revision() == "0006"
    assert _earlier_revisions() == ["0001", "0002", "0003", "0004", "0005"]


OLD_ROWS = """
INSERT INTO sources (id, name, created_at) VALUES (1, 'demo', '2024-05-01 08:00:00');
INSERT INTO crawl_runs (id, started_at, status, args, sources, pages_fetched, articles_new,
  versions_new, duplicates, errors) VALUES (1, '2024-05-01 08:00:00', 'finished', '{}', 'demo',
  1, 1, 1, 0, 0);
INSERT INTO articles (id, canonical_url, url, source_id, title, authors, text, content_hash,
  version, first_seen_at, last_seen_at, warc_file, warc_offset, extractor) VALUES (1,
  'https://ex.com/a', 'https://ex.com/a', 1, 'T', '[]', 'it’s here', 'old-hash', 2,
  '2024-05-01 08:00:00', '2024-05-03 08:00:00', 'old.warc.gz', 123, 'trafilatura 1.0');
INSERT INTO article_versions (article_id, version, fetched_at, content_hash, title, text, url)
  VALUES (1, 1, '2024-05-01 08:00:00', 'h1', 'T', 'it is', 'https://ex.com/a'),
         (1, 2, '2024-05-02 08:00:00', 'h2', 'T', 'it’s here', 'https://ex.com/a');
INSERT INTO fetches (run_id, article_id, url, fetched_at, status, outcome)
  VALUES (1, 1, 'https://ex.com/a', '2024-05-01 08:00:00', 200, 'new');
"""


def _at_revision(url: str, revision: str, *statements: str) -> None:
    """Bring an empty database to ``revision`` with Alembic, then run ``statements``."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", ["0001", "0002", "0003"])
def test_db_upgrade_command_from_every_earlier_revision(db_url, revision):
    """``newscrawler db upgrade`` brings an archive left at any earlier revision, rows and
    all, to the models' schema."""
    from click.testing import CliRunner

    from newscrawler.cli import main

    assert revision in _earlier_revisions()
    _at_revision(db_url, "0001", *[s for s in OLD_ROWS.split(";") if s.strip()])
    _at_revision(db_url, revision)
    result = CliRunner().invoke(main, ["--db", db_url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"archive is at schema revision {head_revision()}"
    _assert_matches_models(db_url)
    engine = make_engine(db_url)
    with engine.connect() as connection:
        counts = connection.execute(text(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_versions), "
            "(SELECT count(*) FROM fetches), (SELECT count(*) FROM crawl_runs)")).one()
    engine.dispose()
    assert tuple(counts) == (1, 2, 1, 1)


def test_upgrade_from_0001_keeps_and_backfills_data(db_url):
    from newscrawler.analysis.normalise import content_hash

    _at_revision(db_url, "0001", *[s for s in OLD_ROWS.split(";") if s.strip()])
    assert upgrade(db_url) == head_revision()
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            fetch_run = connection.scalar(text("SELECT run_id FROM fetches"))
            article = connection.execute(text(
                "SELECT content_hash, cluster_id, last_changed_at FROM articles")).one()
            hashes = connection.scalars(text(
                "SELECT content_hash FROM article_versions ORDER BY version")).all()
            records = connection.execute(text(
                "SELECT warc_file, warc_offset, extractor FROM article_versions "
                "ORDER BY version")).all()
            connection.execute(text("UPDATE crawl_runs SET status = 'interrupted'"))
    finally:
        engine.dispose()
    assert fetch_run == 1  # rebuilding crawl_runs on SQLite must not null the fetches' run
    assert article[0] == content_hash("T", "it's here") == hashes[1]
    assert hashes[0] == content_hash("T", "it is")
    # The latest version is at the record its article pointed at; older ones are unknown.
    assert [tuple(r) for r in records] == [(None, None, None),
                                           ("old.warc.gz", 123, "trafilatura 1.0")]
    assert article[1] == "1" and str(article[2]).startswith("2024-05-02 08:00:00")


def test_head_revision_read_from_the_files_is_alembics_head():
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(
        alembic_config("sqlite://")).get_current_head()


def test_opening_a_current_archive_does_not_import_alembic(db_url):
    import subprocess
    import sys

    upgrade(db_url)
    code = ("import sys; from newscrawler.archive.engine import open_archive; "
            f"open_archive({db_url!r}); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_new_archive_gets_the_head_schema_without_alembic(db_url):
    import subprocess
    import sys

    url = db_url
    code = ("import sys; from newscrawler.archive.engine import open_archive; "
            f"open_archive({url!r}).dispose(); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    _assert_matches_models(url)  # the same check the migrated schema passes
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head_revision()
    finally:
        engine.dispose()
    assert upgrade(url) == head_revision()  # and Alembic finds nothing to do


SEARCH_OBJECTS = {
    "sqlite": "SELECT type, name, sql FROM sqlite_master WHERE type = 'trigger' "
              "OR name LIKE 'article_search%' ORDER BY name",
    "postgresql": "SELECT 'trigger', tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                  "WHERE NOT tgisinternal UNION ALL SELECT 'config', cfgname, '' FROM pg_ts_config "
                  "WHERE cfgname LIKE 'nc\\_%' UNION ALL SELECT 'function', proname, prosrc FROM "
                  "pg_proc WHERE proname LIKE 'nc\\_%' UNION ALL SELECT 'extension', extname, '' "
                  "FROM pg_extension ORDER BY 1, 2",
}


def _search_objects(connection) -> list[tuple[str, str, str]]:
    """Triggers, FTS tables, text search configurations and functions, as created."""
    rows = connection.execute(text(SEARCH_OBJECTS[connection.dialect.name])).all()
    return [(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows]


def _schema(url: str) -> dict[str, object]:
    """Every table's columns, keys, indexes and checks, as the database reports them."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            schema: dict[str, object] = {}
            for table in sorted(inspector.get_table_names()):
                schema[table] = (
                    [(c["name"], str(c["type"]), c["nullable"])
                     for c in inspector.get_columns(table)],
                    inspector.get_pk_constraint(table),
                    sorted((fk["name"], fk["constrained_columns"], fk["referred_table"])
                           for fk in inspector.get_foreign_keys(table)),
                    sorted((i["name"], i["column_names"], i["unique"])
                           for i in inspector.get_indexes(table)),
                    sorted((u["name"], u["column_names"])
                           for u in inspector.get_unique_constraints(table)),
                    sorted((c["name"], " ".join(c["sqltext"].split()))
                           for c in inspector.get_check_constraints(table)),
                )
            schema["search"] = _search_objects(connection)
            return schema
    finally:
        engine.dispose()


def test_a_new_archive_has_exactly_the_migrated_schema(db_url):
    url = db_url
    _at_revision(url, "head")  # every migration, one after the other
    migrated = _schema(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}"' +
                                    (" CASCADE" if engine.dialect.name == "postgresql" else "")))
    engine.dispose()
    fresh_url = url
    upgrade(fresh_url)  # an empty database: built from the models in one step
    assert _schema(fresh_url) == migrated
    assert any(name == "ck_crawl_runs_status" for name, _ in migrated["crawl_runs"][5])
    search = {name for _, name, _ in migrated["search"]}
    assert {"article_search_insert", "article_search_update", "article_search_delete"} <= search \
        if url.startswith("sqlite") else {"article_search_sync", "nc_french", "unaccent"} <= search


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_to_0004_indexes_the_existing_articles(backend, request):
    from newscrawler.api import Archive

    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
            command.upgrade(config, "0003")
            for statement in OLD_ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement.replace("'it’s here'", "'Élections'")))
    finally:
        engine.dispose()
    assert upgrade(url) == head_revision()
    with Archive(url) as archive:
        assert [hit.id for hit in archive.search("ÉLECTIONS")] == [1]  # language unknown
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        engine.dispose()
