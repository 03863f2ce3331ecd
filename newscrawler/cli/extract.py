"""``newscrawler extract``: one-off extraction of files (offline) or URLs, to JSON lines."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from newscrawler.archive.query import RECORD_FIELDS
from newscrawler.archive.store import content_hash
from newscrawler.cli.common import CliError
from newscrawler.cli.fetch import FetchError, fetch

HTML_HEADERS = {"Content-Type": "text/html"}


def _load(target: str) -> tuple[str, bytes, dict[str, str]]:
    if target.startswith(("http://", "https://")):
        return fetch(target)
    path = Path(target)
    try:
        return path.resolve().as_uri(), path.read_bytes(), dict(HTML_HEADERS)
    except OSError as exc:
        raise FetchError(
            f"cannot read {target}: {exc.strerror or exc}; give an HTML file or an http(s) URL"
        ) from None


def _as_record(article: Any) -> dict[str, Any]:
    """The article record's keys that apply to a page that is not in the archive."""
    values: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        if name == "content_hash":
            values[name] = content_hash(article.title, article.text)
        elif hasattr(article, name):
            value = getattr(article, name)
            values[name] = value.isoformat() if isinstance(value, datetime) else value
    values["authors"] = list(values.get("authors") or [])
    return values


@click.command()
@click.argument("targets", metavar="FILE_OR_URL...", nargs=-1, required=True)
def extract(targets: tuple[str, ...]) -> None:
    """Extract articles from HTML files or URLs, one JSON object per input.

    Files are read offline. URLs are fetched once (30 s timeout, 16 MiB at most);
    private and loopback addresses are refused. A page that is not an article prints
    {"url": ..., "rejected": REASON, "detail": ...}.

    \b
    Examples:
      newscrawler extract saved-page.html
      newscrawler extract https://www.avion-chasse.fr/some-article/ | jq .title
    """
    try:
        from newscrawler.extraction import extract as extract_article
    except ImportError as exc:
        raise CliError(f"the extraction module is not available ({exc}): reinstall with "
                       "`make install`") from exc
    failures = 0
    for target in targets:
        try:
            url, body, headers = _load(target)
        except FetchError as exc:
            click.echo(f"Error: {exc}", err=True)
            failures += 1
            continue
        try:
            result = extract_article(body, url, headers, force_article=True)
        except Exception as exc:  # a bug on one odd page must not hide the other inputs
            click.echo(f"Error: extraction failed for {target}: {exc!r}", err=True)
            failures += 1
            continue
        if hasattr(result, "reason"):
            row = {"url": url, "rejected": result.reason, "detail": result.detail}
        else:
            row = _as_record(result)
        click.echo(json.dumps(row, ensure_ascii=False))
    if failures and len(targets) == 1:
        raise click.exceptions.Exit(2)  # its one error line is already printed
    if failures:
        raise CliError(f"{failures} of {len(targets)} inputs could not be extracted", exit_code=2)
