"""Engines for the archive, and migrations applied on first use.

SQLite gets WAL, a long busy timeout and ``BEGIN IMMEDIATE`` for every write transaction so
concurrent crawl processes queue for the write lock instead of failing with "database is
locked" when a read transaction tries to upgrade. Read-only engines open the file with
``mode=ro`` so queries can never write.

Every engine hides statement parameters from its errors (``hide_parameters``) and names
its database without the password; a writing component sizes its pool for the threads
that use it (``pool_size``), so several crawl workers stay far below PostgreSQL's
``max_connections``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from newscrawler.redact import redact

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant shared by every process; it names the PostgreSQL advisory lock for migrations.
PG_MIGRATION_LOCK_ID = 0x6E657773


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message says what to do about it."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _register_search_functions(engine: Engine) -> None:
    """The search index's triggers call a Python function: every connection must have it."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        from newscrawler.search.sqlite import register_functions

        register_functions(dbapi_connection)


def _install_sqlite_events(engine: Engine, *, readonly: bool) -> None:
    begin_sql = "BEGIN" if readonly else "BEGIN IMMEDIATE"
    _register_search_functions(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own implicit BEGIN would be DEFERRED; we emit ours in "begin" below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not readonly:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin_sql)


def make_engine(url: str, *, readonly: bool = False, pool_size: int | None = None) -> Engine:
    """An engine for ``url``; SQLite files get their directory, WAL and immediate writes.

    ``pool_size``: at most that many connections, for a component with that many threads
    (default: SQLAlchemy's pool of 5 plus 10 on demand).
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ArchiveError(
            f"not a database URL: {redact(repr(url))} (expected e.g. "
            "sqlite:///data/archive.sqlite3 or postgresql+psycopg://user@host/db)"
        ) from exc
    # Parameters may hold article text, and never need to be in an error line.
    common: dict[str, Any] = {"hide_parameters": True}
    if pool_size is not None:
        common.update(pool_size=pool_size, max_overflow=0)
    path = _sqlite_path(url)
    if path is None and parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, hide_parameters=True)  # in-memory: throwaway experiments
        _register_search_functions(engine)
        return engine
    if path is None:
        # Honoured by the PostgreSQL dialects: SET TRANSACTION READ ONLY on every transaction.
        options = {"postgresql_readonly": True} if readonly else {}
        return create_engine(parsed, pool_pre_ping=True, execution_options=options, **common)
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    if readonly:
        if not path.is_file():
            raise ArchiveError(
                f"no archive at {path}: crawl first (scrapy crawl news -a source=NAME) "
                "or pass --db / NEWSCRAWLER_DB"
            )
        parsed = parsed.set(
            database=f"file:{quote(str(path.resolve()))}", query={"mode": "ro", "uri": "true"}
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args=connect_args, **common)
    _install_sqlite_events(engine, readonly=readonly)
    return engine


def alembic_config(url: str) -> Config:
    """An Alembic config built in code: no alembic.ini is needed at run time."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_REVISION = re.compile(r"""^(down_)?revision\s*(?::[^=]*)?=\s*["']([^"']+)["']""", re.MULTILINE)


@functools.cache
def head_revision() -> str | None:
    """The newest migration this code knows: the one no other migration revises.

    Read from the migration files rather than through Alembic, so opening an archive that
    is already current (every crawl, every query) never imports Alembic (~11 MiB).
    """
    revisions, revised = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text("utf-8")):
            (revised if down else revisions).add(value)
    heads = revisions - revised
    if len(heads) != 1:
        raise ArchiveError(f"the migrations in {MIGRATIONS_DIR} have heads {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; ``None`` for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# Alembic's own bookkeeping table, as ``alembic stamp`` creates it.
_VERSION_TABLE = Table(
    "alembic_version", MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def _upgrade_engine(engine: Engine) -> None:
    # One transaction for the whole upgrade. SQLite: BEGIN IMMEDIATE makes a second process
    # wait, then it sees the new revision and does nothing. PostgreSQL: the advisory lock
    # does the same, and its DDL is transactional too.
    with engine.connect() as connection, _sqlite_foreign_keys_off(connection):
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": PG_MIGRATION_LOCK_ID}
                )
            if not inspect(connection).get_table_names():
                _create_current_schema(connection)
                return
            from alembic import command

            config = alembic_config(engine.url.render_as_string(hide_password=False))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            _check_foreign_keys(connection)


def _create_current_schema(connection: Connection) -> None:
    """An empty database gets the models' schema at once, stamped with the head revision.

    What ``alembic upgrade head`` would build (a test holds the models to the migrations),
    without replaying every migration or importing Alembic, Mako and Pygments into the
    crawl that creates a new archive.
    """
    from newscrawler.archive.models import Base
    from newscrawler.search import schema

    Base.metadata.create_all(connection)
    schema.install(connection)  # what migration 0004 creates: the same function
    _VERSION_TABLE.create(connection)
    connection.execute(_VERSION_TABLE.insert().values(version_num=head_revision()))


@contextlib.contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite rebuilds tables to alter them; dropping the old one must not fire ON DELETE.

    The pragma is a no-op inside a transaction, so it is set on the raw connection first.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise ArchiveError(f"migration left broken foreign keys: {broken[:5]}")


def upgrade(url: str) -> str | None:
    """Apply every pending migration (``newscrawler db upgrade``); return the new revision."""
    engine = make_engine(url)
    try:
        _upgrade_engine(engine)
        return current_revision(engine)
    except SQLAlchemyError as exc:
        raise ArchiveError(
            f"cannot upgrade the archive at {_safe(url)}: {_first_line(exc)}"
        ) from exc
    finally:
        engine.dispose()


def open_archive(url: str, *, readonly: bool = False, pool_size: int | None = None) -> Engine:
    """An engine on an archive whose schema is current (``pool_size``: see ``make_engine``).

    Writable archives are migrated on first use; a read-only one that is missing or behind
    raises ``ArchiveError`` telling the user to run ``newscrawler db upgrade``.
    """
    engine = make_engine(url, readonly=readonly, pool_size=pool_size)
    try:
        current, head = current_revision(engine), head_revision()
        if current == head:
            return engine
        if readonly:
            raise ArchiveError(
                f"the archive at {_safe(url)} is at schema {current or 'none'}, this code needs "
                f"{head}: run `newscrawler --db URL db upgrade`"
            )
        logger.info("Migrating archive %s from %s to %s", _safe(url), current, head)
        _upgrade_engine(engine)
        return engine
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ArchiveError(f"cannot open the archive at {_safe(url)}: {_first_line(exc)}") from exc
    except ArchiveError:
        engine.dispose()
        raise


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return redact(url)


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip()
    return redact(text.splitlines()[0]) if text else type(exc).__name__
