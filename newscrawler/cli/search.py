"""``newscrawler search``: full-text search, best matches first."""

from __future__ import annotations

import sys
from typing import Any, TextIO

import click

from newscrawler.cli.common import CliError, format_option, open_readonly, selection_options
from newscrawler.cli.output import write_csv, write_jsonl
from newscrawler.records import HIT_FIELDS, SearchHit
from newscrawler.search.snippets import render
from newscrawler.search.statements import SORTS


# The query's words may start with "-" (exclusions): unknown options are words, not errors.
@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True, type=click.UNPROCESSED)
@selection_options
@click.option("--collapse", is_flag=True,
              help="One result per near-duplicate cluster (syndicated copies folded), "
                   "with the number of copies.")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="At most N results.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip the first N.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="Best matches first, or by publication date.")
@format_option("table", "jsonl", "csv", default="table")
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], fmt: str, **options: Any) -> None:
    """Search the archive's articles (title, description and text).

    \b
    QUERY (quoted, or several arguments): words (all must match; case,
    accents and French/English endings folded: "elections" finds
    "élection"), "exact phrases", -excluded, either OR other, prefix*,
    title:word or title:"a phrase", (groups). Snippets mark matches [so].

    \b
    Examples:
      newscrawler search cessez-le-feu --lang fr --since 2024-01-01
      newscrawler search '"premier ministre" -démission' --tag fr-national --collapse
      newscrawler search 'title:ceasefire OR trêve' --format jsonl --limit 100
      newscrawler search -rumeur élections municipales
    """
    typo = next((word for word in query if word.startswith("--") and len(word) > 2), None)
    if typo is not None:
        raise CliError(f"no such option: {typo} (see --help); a query word cannot start "
                       "with --", exit_code=2)
    hits = open_readonly(ctx).search(" ".join(query), **options)
    rows = [{**hit, "snippet": render(hit.snippet)} for hit in hits]
    if fmt == "jsonl":
        write_jsonl(rows, sys.stdout)
    elif fmt == "csv":
        write_csv(rows, sys.stdout, HIT_FIELDS)
    else:
        _write_list(hits, sys.stdout)


def _write_list(hits: list[SearchHit], stream: TextIO) -> None:
    """Each hit on three lines: rank, date, source, title (copies); URL; snippet."""
    if not hits:
        stream.write("no match\n")
        return
    for rank, hit in enumerate(hits, 1):
        when = (hit.published_at or hit.first_seen_at or "")[:10]
        copies = f"  ({hit.copies} copies)" if hit.copies and hit.copies > 1 else ""
        stream.write(f"{rank:>3}  {when}  {hit.source or '-'}  {hit.title}{copies}\n")
        stream.write(f"     {hit.url}\n")
        if hit.snippet:
            stream.write(f"     {render(hit.snippet)}\n")
