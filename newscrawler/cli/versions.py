"""``newscrawler versions``: every version of one article, oldest first."""

from __future__ import annotations

import sys

import click

from newscrawler.cli.common import CliError, open_readonly
from newscrawler.cli.output import write_jsonl, write_table


@click.command()
@click.argument("url")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="Output format.")
@click.pass_context
def versions(ctx: click.Context, url: str, fmt: str) -> None:
    """Every version of one article (by URL or id), oldest first.

    \b
    Examples:
      newscrawler versions https://www.lemonde.fr/politique/article/2024/05/01/x_1.html
      newscrawler versions 42 --format jsonl
    """
    rows = open_readonly(ctx).versions(url)
    if not rows:
        raise CliError(
            f"no archived article at {url!r}: give its canonical URL, a URL it was fetched "
            "at, or its id (see `newscrawler export`)"
        )
    stream = sys.stdout
    if fmt == "jsonl":
        write_jsonl(rows, stream)
    else:
        write_table(rows, stream, ("version", "fetched_at", "content_hash", "title"))
