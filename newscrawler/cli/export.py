"""``newscrawler export``: the archive as one record per article."""

from __future__ import annotations

import sys
from typing import Any

import click

from newscrawler.archive.query import RECORD_FIELDS
from newscrawler.cli.common import CliError, filter_options, open_readonly, query_option
from newscrawler.cli.output import open_output, write_csv, write_jsonl
from newscrawler.cli.wacz import export_wacz


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "wacz"]),
              default="jsonl", show_default=True, help="Output format.")
@click.option("--output", "-o", metavar="PATH", help="Write here instead of stdout.")
@query_option
@filter_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, **filters: Any) -> None:
    """Export the archive, one record per article (its latest version).

    Records are streamed, so a large archive is never loaded whole. Parquet has typed
    columns (UTC timestamps, a list of authors, integers), written in row groups.

    \b
    Examples:
      newscrawler export > archive.jsonl
      newscrawler export --format csv --source lemonde --since 2024-01-01 -o lemonde.csv
      newscrawler export --format parquet --query cessez-le-feu --tag fr-national -o cf.parquet
      newscrawler export --format wacz --source lemonde --since 2024-03-01 -o march.wacz
    """
    if fmt == "wacz":
        export_wacz(ctx, output, filters)
        return
    records = open_readonly(ctx).records(**filters)
    if fmt == "parquet":
        count = _parquet(records, output)
    else:
        with open_output(output) as stream:
            if fmt == "csv":
                count = write_csv(records, stream, RECORD_FIELDS)
            else:
                count = write_jsonl(records, stream)
    if output not in (None, "-"):
        click.echo(f"{count} records written to {output}", err=True)


def _parquet(records: Any, output: str | None) -> int:
    from newscrawler.exports import write, write_parquet

    if output in (None, "-"):
        if sys.stdout.isatty():
            raise CliError("Parquet is binary: give --output PATH or redirect stdout",
                           exit_code=2)
        return write_parquet(records, sys.stdout.buffer)
    return write(records, output, "parquet")
