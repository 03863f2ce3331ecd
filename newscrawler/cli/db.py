"""``newscrawler db``: archive maintenance."""

from __future__ import annotations

import click

from newscrawler.archive.engine import upgrade as upgrade_archive


@click.group()
def db() -> None:
    """Maintain the archive database.

    \b
    Example:
      newscrawler --db postgresql+psycopg://user@host/news db upgrade
    """


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Apply pending migrations (Alembic); creates the archive if it does not exist.

    \b
    Example:
      newscrawler db upgrade
    """
    revision = upgrade_archive(ctx.obj["db"])
    click.echo(f"archive is at schema revision {revision}")
