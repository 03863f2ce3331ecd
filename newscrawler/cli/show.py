"""``newscrawler show``: one article, its history, what changed between versions, and the
bytes captured when it was fetched."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click

from newscrawler.api import Archive
from newscrawler.capture.decoding import DecodingError
from newscrawler.capture.reader import WarcError
from newscrawler.cli.common import CliError, open_readonly
from newscrawler.cli.output import write_table

VERSION_RANGE = re.compile(r"^\s*(\d+)\s*\.\.\s*(\d+)\s*$")
LAST_TWO = "last"


def _range(value: str) -> tuple[int | None, int | None]:
    if value == LAST_TWO:
        return None, None
    match = VERSION_RANGE.match(value)
    if match is None:
        raise CliError(f"--diff {value!r}: give two version numbers as A..B, e.g. --diff 1..3",
                       exit_code=2)
    return int(match.group(1)), int(match.group(2))


def _write_raw(archive: Archive, target: str) -> None:
    try:
        body = archive.raw(target).body
    except (WarcError, DecodingError) as exc:
        raise CliError(f"{exc} (is NEWSCRAWLER_WARC_DIR the crawl's WARC directory?)") from exc
    click.echo(body, nl=False)  # bytes: written as they are


def _render_record(record: dict[str, Any]) -> None:
    for key, value in record.items():
        if key != "text":
            shown = "; ".join(value) if isinstance(value, list) else value
            click.echo(f"{key}: {'' if shown is None else shown}")
    click.echo(f"\n{record['text']}")


@click.command()
@click.argument("target", metavar="URL_OR_ID")
@click.option("--versions", "with_versions", is_flag=True, help="Also list every version.")
@click.option("--diff", "diff_range", is_flag=False, flag_value=LAST_TWO, default=None,
              metavar="[A..B]",
              help="Unified diff of title and text: the last two versions, or versions A..B.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True,
              help="table: readable text; jsonl: one JSON object (with 'versions'/'diff' keys).")
@click.option("--raw", is_flag=True,
              help="The page as captured (its WARC record in NEWSCRAWLER_WARC_DIR), "
                   "Content-Encoding undone.")
@click.pass_context
def show(ctx: click.Context, target: str, with_versions: bool, diff_range: str | None,
         fmt: str, raw: bool) -> None:
    """One archived article (by URL, any URL it was fetched at, or id).

    \b
    Examples:
      newscrawler show https://www.lemonde.fr/politique/article/2024/05/01/x_1.html
      newscrawler show 42 --versions
      newscrawler show 42 --diff          # last two versions
      newscrawler show 42 --diff 1..3
      newscrawler show 42 --raw > page.html
    """
    archive: Archive = open_readonly(ctx)
    record = archive.article(target)
    if record is None:
        raise CliError(f"no archived article at {target!r}: give its canonical URL, a URL it "
                       "was fetched at, or its id (see `newscrawler export`)")
    if raw:
        _write_raw(archive, target)
        return
    history = archive.versions(target) if with_versions else None
    diff = archive.diff(target, *_range(diff_range)) if diff_range is not None else None
    if fmt == "jsonl":
        extra = {"versions": history} if history is not None else {}
        extra.update({"diff": diff} if diff is not None else {})
        click.echo(json.dumps({**record, **extra}, ensure_ascii=False))
        return
    if diff is not None:
        click.echo(diff or f"(no difference: article {record['id']} has one version)")
        return
    _render_record(record)
    if history is not None:
        click.echo("")
        write_table(history, sys.stdout, ("version", "fetched_at", "content_hash", "title"))
