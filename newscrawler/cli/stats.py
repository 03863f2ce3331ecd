"""``newscrawler stats``: how many articles per day, week or month, matching a query or not."""

from __future__ import annotations

import sys
from typing import Any

import click

from newscrawler.cli.common import format_option, open_readonly, query_option, selection_options
from newscrawler.cli.output import write_csv, write_jsonl, write_table
from newscrawler.records import STATS_FIELDS
from newscrawler.search.backend import PERIODS


@click.command()
@click.option("--by", type=click.Choice(PERIODS), default="day", show_default=True,
              help="Period length (weeks start on Monday; UTC dates).")
@click.option("--by-source", is_flag=True, help="One row per period and source.")
@query_option
@selection_options
@format_option("table", "jsonl", "csv", default="table")
@click.option("--plot", metavar="PNG", help="Also draw the lines into this PNG file.")
@click.pass_context
def stats(ctx: click.Context, fmt: str, plot: str | None, **options: Any) -> None:
    """Articles over time: matching a query out of all published, and the ratio.

    Rows are {"period", "source", "matching", "total", "ratio"}: total counts every article
    the selected source(s) published in the period (dated by publication, else first
    seen), matching those that match --query (all of them without it), ratio is
    matching / total. Every period from the first to the last with articles is listed.

    \b
    Examples:
      newscrawler stats --by week --query cessez-le-feu --tag fr-national --by-source
      newscrawler stats --by day --query '"premier ministre"' --format jsonl
      newscrawler stats --by month --query ceasefire --plot ceasefire.png
    """
    rows = open_readonly(ctx).stats(**options)
    if fmt == "jsonl":
        write_jsonl(rows, sys.stdout)
    elif fmt == "csv":
        write_csv(rows, sys.stdout, STATS_FIELDS)
    else:
        write_table([{**row, "source": row["source"] or "(all)",
                      "ratio": "" if row["ratio"] is None else f"{row['ratio']:.4f}"}
                     for row in rows], sys.stdout, STATS_FIELDS)
    if plot:
        from newscrawler.plot import plot_stats

        plot_stats(rows, plot, options["query"], options["by"])
        click.echo(f"plot written to {plot}", err=True)
