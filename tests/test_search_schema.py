"""The search structures: rebuilt by reindex, and a clear error where PostgreSQL's unaccent
extension cannot be created by the archive's role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from newscrawler.api import Archive
from newscrawler.archive.engine import ArchiveError, open_archive
from newscrawler.archive.store import ArchiveStore
from newscrawler.cli import main
from tests.conftest import pg_admin, pg_database, pg_role
from tests.test_cli import assert_one_line_error
from tests.test_search import FRENCH, _record


def test_reindex_rebuilds_a_damaged_index(engine: Engine):
    ArchiveStore(engine).store_many([_record("journal-fr", *row, "fr") for row in FRENCH], None)
    url = engine.url.render_as_string(hide_password=False)
    with engine.begin() as connection:  # an index that lost its rows, as after a bad restore
        if engine.dialect.name == "sqlite":
            connection.execute(text(
                "INSERT INTO article_search (article_search) VALUES ('delete-all')"))
        else:
            connection.execute(text("DELETE FROM article_search"))
    with Archive(url) as archive:
        assert archive.search("cessez-le-feu") == []
    with Archive(url, readonly=False) as archive:
        assert archive.reindex() == (len(FRENCH), len(FRENCH))
    with Archive(url) as archive:
        assert [hit.title for hit in archive.search("cessez-le-feu")] == [FRENCH[0][1]]


@pytest.fixture
def limited_pg_url() -> Iterator[str]:
    """A database where the archive's role may create tables but not extensions."""
    with pg_role() as role, pg_database() as database:
        with pg_admin(database) as owner:
            owner.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')
        yield f"postgresql+psycopg://{role}@127.0.0.1:5432/{database}"


def test_postgresql_without_the_right_to_create_unaccent(limited_pg_url):
    with pytest.raises(ArchiveError, match="superuser must run `CREATE EXTENSION unaccent;`"):
        open_archive(limited_pg_url)
    result = CliRunner().invoke(main, ["--db", limited_pg_url, "db", "upgrade"])
    assert_one_line_error(result, 1, "CREATE EXTENSION unaccent", limited_pg_url.rsplit("/", 1)[1])


def test_importing_newscrawler_does_not_load_the_archive_stack():
    import subprocess
    import sys

    code = ("import sys, newscrawler, newscrawler.analysis.page; "
            "print('sqlalchemy' in sys.modules, 'Stemmer' in sys.modules); "
            "from newscrawler import Archive; print('sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False", "True"]
