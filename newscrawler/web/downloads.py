"""JSON and CSV downloads of search results and counts over time, named after the query.

The rows are those of ``newscrawler search --format jsonl|csv`` and ``newscrawler stats``:
the article record plus ``score``, ``snippet`` (matches marked ``[like this]``) and
``copies``; or ``period``, ``source``, ``matching``, ``total``, ``ratio``.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

from newscrawler.exports import write_csv
from newscrawler.records import HIT_FIELDS, STATS_FIELDS, SearchHit, StatsRow
from newscrawler.search.snippets import render

__all__ = ["download", "filename", "hit_rows", "search_download", "stats_download"]

MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def filename(kind: str, query: str | None, fmt: str, *extra: str) -> str:
    """``newscrawler-search-cessez-le-feu.csv``: ASCII only, so any browser keeps it."""
    folded = unicodedata.normalize("NFKD", query or "all").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60].strip("-") or "query"
    return "-".join(["newscrawler", kind, slug, *extra]) + f".{fmt}"


def hit_rows(hits: Sequence[SearchHit]) -> list[dict[str, Any]]:
    """Search hits as plain records, the snippet's marks as brackets (as the CLI prints)."""
    return [{**hit, "snippet": render(hit.snippet)} for hit in hits]


def download(rows: Sequence[Mapping[str, Any]] | Sequence[StatsRow], fields: Sequence[str],
             fmt: str, name: str) -> Response:
    """``rows`` as a JSON array or a CSV file with a header, as an attachment ``name``."""
    if fmt == "json":
        body = json.dumps([dict(row) for row in rows], ensure_ascii=False, indent=1)
    else:
        buffer = io.StringIO(newline="")
        write_csv((dict(row) for row in rows), buffer, fields)
        body = buffer.getvalue()
    return Response(body, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def search_download(hits: Sequence[SearchHit], query: str | None, fmt: str) -> Response:
    """One page of search results (``limit``/``offset`` as asked) as a download."""
    return download(hit_rows(hits), HIT_FIELDS, fmt, filename("search", query, fmt))


def stats_download(rows: Sequence[StatsRow], query: str | None, by: str, fmt: str) -> Response:
    """Counts over time as a download."""
    return download(rows, STATS_FIELDS, fmt, filename("stats", query, fmt, by))
