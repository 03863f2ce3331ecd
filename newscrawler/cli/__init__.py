"""The ``newscrawler`` command: thin click commands over ``newscrawler.api``."""

from __future__ import annotations

import click

from newscrawler import __version__
from newscrawler.cli.common import GuardedGroup
from newscrawler.cli.db import db
from newscrawler.cli.export import export
from newscrawler.cli.extract import extract
from newscrawler.cli.reextract import reextract
from newscrawler.cli.runs import runs
from newscrawler.cli.schedule import schedule
from newscrawler.cli.search import search
from newscrawler.cli.serve import serve
from newscrawler.cli.show import show
from newscrawler.cli.sources import sources
from newscrawler.cli.stats import stats
from newscrawler.cli.versions import versions
from newscrawler.settings import defaults

__all__ = ["main"]


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="NEWSCRAWLER_DB", default=defaults["NEWSCRAWLER_DB"],
              show_default=True, metavar="URL",
              help="SQLAlchemy URL of the archive (env NEWSCRAWLER_DB).")
@click.version_option(__version__, prog_name="newscrawler")
@click.pass_context
def main(ctx: click.Context, db_url: str) -> None:
    """Query and maintain a newscrawler archive.

    \b
    Examples:
      newscrawler search cessez-le-feu --lang fr --since 2024-01-01
      newscrawler stats --by week --query ceasefire --by-source --plot ceasefire.png
      newscrawler export --format csv --since 2024-01-01 -o articles.csv
      newscrawler --db postgresql+psycopg://news@db/news versions https://ex.com/a
      newscrawler show 42 --diff
      newscrawler serve                  # browse it at http://127.0.0.1:8000/
      newscrawler reextract --dry-run
      newscrawler runs --limit 5
      newscrawler schedule --project-dir /srv/newscrawler | crontab -
      newscrawler sources check
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_url


for _command in (search, stats, export, extract, reextract, show, versions, runs, schedule, db,
                 sources, serve):
    main.add_command(_command)
