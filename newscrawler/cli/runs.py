"""``newscrawler runs``: the crawl runs recorded in the archive, newest first."""

from __future__ import annotations

import sys

import click

from newscrawler.cli.common import open_readonly
from newscrawler.cli.output import write_jsonl, write_table

TABLE_COLUMNS = ("id", "run", "worker", "started_at", "finished_at", "status", "sources",
                 "pages_fetched", "articles_new", "versions_new", "duplicates", "errors",
                 "duration_s")


@click.command()
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="At most N runs (0: all).")
@click.option("--run", "run_id", metavar="ID",
              help="Only the workers of this distributed run (scrapy crawl news -a run=ID).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="Output format.")
@click.pass_context
def runs(ctx: click.Context, limit: int, run_id: str | None, fmt: str) -> None:
    """Crawl runs, newest first: status, pages fetched, new articles and versions, errors.

    A worker of a distributed run has its own row, with the run id (column 'run') and its
    name (host/N). A run still 'running' whose process is gone from this host shows as
    'interrupted'.

    \b
    Examples:
      newscrawler runs
      newscrawler runs --run lemonde --limit 0
      newscrawler runs --limit 100 --format jsonl | jq 'select(.status != "finished")'
    """
    rows = open_readonly(ctx).runs(limit or None, run=run_id)
    if fmt == "jsonl":
        write_jsonl(rows, sys.stdout)
    elif rows:
        write_table(rows, sys.stdout, TABLE_COLUMNS)
    else:
        click.echo("no crawl runs recorded yet", err=True)

