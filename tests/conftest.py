"""Shared fixtures: a SQLite archive file per test, a throwaway PostgreSQL database per session,
the fault-injecting server per session.

PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) are real services.
Where one is down a test that needs it is skipped with the reason, except under ``CI=true``:
there a missing service fails the run, so the suite cannot go green by skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, delete

from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore
from tests.sites.faults import FaultServer

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLAlchemy URL to a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'archive.sqlite3'}"


def service_missing(reason: str) -> None:
    """Skip the test, or fail it under CI (``CI=true``), where every service must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: services are required)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A SQLAlchemy URL to a fresh PostgreSQL database, dropped after the session."""
    name = f"newscrawler_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        service_missing(f"PostgreSQL unreachable at 127.0.0.1:5432 as user postgres: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def fault_server() -> Iterator[FaultServer]:
    """The fault-injecting server (tests/sites/faults.py), one per session, on 127.0.0.1."""
    with FaultServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty, migrated archive on SQLite, then on PostgreSQL (its database is shared by
    the session, so every table is emptied first)."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    archive = open_archive(url)
    with archive.begin() as connection:
        for table in reversed(models.Base.metadata.sorted_tables):
            connection.execute(delete(table))
    yield archive
    archive.dispose()


@pytest.fixture
def store(engine: Engine) -> ArchiveStore:
    return ArchiveStore(engine)
