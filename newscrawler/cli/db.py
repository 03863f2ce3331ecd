"""``newscrawler db``: archive maintenance."""

from __future__ import annotations

import click

from newscrawler.api import Archive
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


@db.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the full-text search index from the articles, in one transaction.

    The index is kept up to date by the archive itself; rebuild it after restoring an
    archive by hand or when the release notes say so. It takes about two minutes per 100,000
    articles, during which writers wait: on SQLite a crawl gives up after 30 s, so run it
    between crawls.

    \b
    Example:
      newscrawler db reindex
    """
    with Archive(ctx.obj["db"], readonly=False) as archive:
        articles, indexed = archive.reindex()
    click.echo(f"search index rebuilt: {indexed} of {articles} articles indexed")
