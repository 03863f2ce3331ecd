"""``newscrawler sources``: list and validate the sources file."""

from __future__ import annotations

import sys
from typing import Any

import click

from newscrawler.cli.common import sources_error
from newscrawler.cli.output import write_jsonl, write_table
from newscrawler.settings import env_setting
from newscrawler.sources import SourcesError, load_sources


def file_option(command: Any) -> Any:
    return click.option(
        "--file", "path", metavar="PATH",
        default=lambda: env_setting("NEWSCRAWLER_SOURCES"),
        show_default="NEWSCRAWLER_SOURCES or data/sources.toml", help="The sources file.",
    )(command)


@click.group()
def sources() -> None:
    """List or check the sources file.

    \b
    Example:
      newscrawler sources check --file data/sources.toml
    """


@sources.command("list")
@file_option
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="Output format.")
def list_sources(path: str, fmt: str) -> None:
    """List the sources: name, language, collection, first entry point.

    ``--format jsonl`` gives every field, with the revisit schedule in effect (``recheck``:
    the source's own or the default).

    \b
    Example:
      newscrawler sources list --format jsonl
    """
    loaded = load_sources(path)
    stream = sys.stdout
    if fmt == "jsonl":
        write_jsonl(({**source.model_dump(mode="json"),
                      "recheck": source.revisit_policy().to_config()}
                     for source in loaded.values()), stream)
        return
    rows = [{"name": s.name, "language": s.language, "collection": s.tags.collection,
             "start": (s.start_urls + s.feeds + s.sitemaps)[0]} for s in loaded.values()]
    write_table(rows, stream, ("name", "language", "collection", "start"))


@sources.command()
@file_option
def check(path: str) -> None:
    """Validate the sources file; print every problem, one line each.

    \b
    Example:
      newscrawler sources check --file my-sources.toml
    """
    try:
        loaded = load_sources(path)
    except SourcesError as exc:
        raise sources_error(exc) from exc
    click.echo(f"OK: {len(loaded)} sources in {path}: {', '.join(loaded)}")
