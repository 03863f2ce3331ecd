"""Shared fixtures: a SQLite archive file per test, a throwaway PostgreSQL database per session
(``engine``, ``store``) or per test (``db_url``), both backends through one parametrised fixture;
the fault-injecting server per session.

PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) are real services.
Where one is down a test that needs it is skipped with the reason, except under ``CI=true``:
there a missing service fails the run, so the suite cannot go green by skipping.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import NoReturn

import psycopg
import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, delete

from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore
from tests.sites.faults import FaultServer

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres connect_timeout=3"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLAlchemy URL to a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'archive.sqlite3'}"


def service_missing(reason: str) -> NoReturn:
    """Skip the test, or fail it under CI (``CI=true``), where every service must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: services are required)", pytrace=False)
    pytest.skip(reason)


def pg_admin(database: str = "postgres") -> psycopg.Connection:
    """An autocommit connection to ``database`` on the local PostgreSQL server as its
    superuser."""
    try:
        return psycopg.connect(f"{PG_ADMIN} dbname={database}", autocommit=True)
    except psycopg.OperationalError as exc:
        service_missing(f"PostgreSQL unreachable at 127.0.0.1:5432 as user postgres: {exc}")


@contextlib.contextmanager
def pg_database(owner: str = "postgres") -> Iterator[str]:
    """The name of a new, empty PostgreSQL database, dropped on exit."""
    name = f"newscrawler_test_{secrets.token_hex(6)}"
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        try:
            yield name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def pg_role(password: str | None = None) -> Iterator[str]:
    """The name of a new login role (with ``password`` if given), dropped on exit."""
    role = f"nc_role_{secrets.token_hex(6)}"
    with pg_admin() as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN"
                      + (f" PASSWORD '{password}'" if password is not None else ""))
    try:
        yield role
    finally:
        with pg_admin() as admin:
            admin.execute(f"DROP ROLE IF EXISTS {role}")


@contextlib.contextmanager
def pg_password_url(password: str) -> Iterator[str]:
    """A SQLAlchemy URL with ``password`` to a new database owned by a new role, both
    dropped on exit."""
    with pg_role(password) as role, pg_database(owner=role) as name:
        yield f"postgresql+psycopg://{role}:{password}@127.0.0.1:5432/{name}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A SQLAlchemy URL to a fresh PostgreSQL database, dropped after the session."""
    with pg_database() as name:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A SQLAlchemy URL to a new, empty PostgreSQL database of its own, dropped after the test."""
    with pg_database() as name:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A URL to an archive that does not exist yet, for commands and crawls that create it:
    a SQLite file, then a PostgreSQL database of the test's own."""
    return str(request.getfixturevalue(
        "sqlite_url" if request.param == "sqlite" else "fresh_pg_url"))


@pytest.fixture
def redis() -> Iterator[Redis]:
    """A client of the local Redis server."""
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisError as exc:
        service_missing(f"Redis unreachable at 127.0.0.1:6379: {exc}")
    yield client
    client.close()


@pytest.fixture
def run_id(redis: Redis) -> Iterator[str]:
    """A distributed run id of the test's own; every key of its run, and the request slots
    of the test's servers (on 127.0.0.1), are deleted afterwards."""
    run = f"test-{secrets.token_hex(6)}"
    yield run
    keys = [*redis.scan_iter(f"newscrawler:run:{run}:*"),
            *redis.scan_iter("newscrawler:host:127.0.0.1:*")]
    if keys:
        redis.delete(*keys)


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
