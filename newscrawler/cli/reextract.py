"""``newscrawler reextract``: extraction run again over the archived captures, no network."""

from __future__ import annotations

import sys
from typing import Any

import click
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from newscrawler.analysis.pool import WorkerStartError
from newscrawler.api import Archive
from newscrawler.cli.common import CliError, filter_options
from newscrawler.reextract import Summary


@click.command()
@filter_options
@click.option("--dry-run", is_flag=True,
              help="Only count the articles whose text would change; write nothing.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Extraction processes (default: one per core; 0: in this process).")
@click.pass_context
def reextract(ctx: click.Context, dry_run: bool, workers: int | None, limit: int | None,
              **filters: Any) -> None:
    """Re-run extraction on the archived articles from their WARC captures (no network),
    on all cores; an article gets a new version only if its text really changed.

    Reads the captures in NEWSCRAWLER_WARC_DIR. Safe to interrupt: run it again and it
    goes on where it stopped. A progress bar shows on a terminal.

    \b
    Examples:
      newscrawler reextract --dry-run
      newscrawler reextract --source lemonde --since 2024-01-01
    """
    archive = Archive(ctx.obj["db"], readonly=dry_run)
    ctx.call_on_close(archive.close)
    total = archive.count(**filters)
    bar = tqdm(total=total if limit is None else min(total, limit), unit="page",
               desc="reextract", disable=not sys.stderr.isatty())
    try:
        with bar, logging_redirect_tqdm():
            summary = archive.reextract(dry_run=dry_run, workers=workers, limit=limit,
                                        progress=bar.update, **filters)
    except WorkerStartError as exc:
        raise CliError(f"extraction workers cannot start: {exc}") from exc
    click.echo(_report(summary, dry_run))


def _report(summary: Summary, dry_run: bool) -> str:
    changed = (f"{summary.changed} of {summary.articles} articles would change" if dry_run
               else f"{summary.changed} new versions of {summary.articles} articles")
    extractors = ", ".join(f"{name} ({n})" for name, n in sorted(summary.extractors.items()))
    return (f"{changed}; {summary.unchanged} unchanged, {summary.rejected} now rejected "
            f"(kept), {summary.unreadable} without a readable capture"
            + (f"; extracted by {extractors}" if extractors else ""))
