"""Alembic environment: runs on the connection handed over by ``archive.engine``.

Run-time upgrades pass their connection in ``config.attributes`` (inside the caller's
transaction and lock); the ``alembic`` command line, for authoring migrations, falls back to
an engine built from ``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from newscrawler.archive.engine import make_engine
from newscrawler.archive.models import Base
from newscrawler.search.schema import is_search_object

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_models_only,
    )
    with context.begin_transaction():
        context.run_migrations()


def _models_only(name: str | None, type_: str, _parent: object) -> bool:
    """Autogenerate compares the models: the search structures are not among them."""
    return not (type_ in ("table", "index") and is_search_object(name))


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``)."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the given connection, or on a fresh engine from the config's URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as fresh:
        _run(fresh)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
