"""``newscrawler export --format wacz``: the selection's captures, packaged for replay tools."""

from __future__ import annotations

from typing import Any

import click

from newscrawler.capture.reader import WarcError
from newscrawler.cli.common import CliError, open_readonly

__all__ = ["export_wacz"]


def export_wacz(ctx: click.Context, output: str | None, filters: dict[str, Any]) -> None:
    """Write the WACZ package of the articles ``filters`` select to ``output``."""
    if output in (None, "-"):
        raise CliError("--format wacz writes a zip file: give --output NAME.wacz", exit_code=2)
    try:
        summary = open_readonly(ctx).export_wacz(output, **filters)
    except WarcError as exc:
        raise CliError(f"{exc} (is NEWSCRAWLER_WARC_DIR the crawl's WARC directory?)") from exc
    click.echo(f"{summary.pages} articles, {summary.records} WARC records, "
               f"{summary.bytes} bytes written to {output}", err=True)
