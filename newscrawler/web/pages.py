"""The pages: search, an article and its versions, a diff, counts over time; and the
downloads of search results and counts. Each reads its parameters, asks ``Archive``,
renders. Handlers are plain functions: Starlette runs them in its thread pool, beside the
archive's blocking database calls.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from newscrawler.api import Archive, InvalidQuery
from newscrawler.search.snippets import highlight_query
from newscrawler.web import chart
from newscrawler.web.diffview import readable
from newscrawler.web.downloads import search_download, stats_download
from newscrawler.web.params import (
    BadRequest,
    SearchParams,
    StatsParams,
    download_format,
    version_number,
)
from newscrawler.web.templates import render

__all__ = ["article", "diff", "search", "stats"]


def _archive(request: Request) -> Archive:
    archive: Archive = request.app.state.archive
    return archive


def search(request: Request, suffix: str | None = None) -> Response:
    """``/?q=``: the form, and the results of a query a page at a time."""
    fmt = download_format(request.query_params, suffix)
    params = SearchParams.read(request.query_params, download=fmt is not None)
    archive = _archive(request)
    if fmt is not None:
        if params.q is None:
            raise BadRequest("q: give a query whose results to download")
        return search_download(archive.search(params.q, **params.search_options()),
                               params.q, fmt)
    context: dict[str, Any] = {"params": params, "error": None}
    if params.q is None:
        return render(request, "search.html", {**context, "summary": archive.summary()})
    try:
        hits = archive.search(params.q, **params.search_options())
        total = archive.count(query=params.q, **asdict(params.selection))
    except InvalidQuery as exc:
        return render(request, "search.html", {**context, "error": str(exc)}, status_code=400)
    titles = [highlight_query(hit.title, params.q, hit.language, params.selection.lang)
              for hit in hits]
    more = len(hits) == params.limit and (params.collapse or params.offset + len(hits) < total)
    return render(request, "search.html", {
        **context, "hits": list(zip(hits, titles, strict=True)), "total": total,
        "previous": params.link(offset=max(0, params.offset - params.limit))
        if params.offset else None,
        "next": params.link(offset=params.offset + params.limit) if more else None,
    })


def search_json(request: Request) -> Response:
    return search(request, "json")


def search_csv(request: Request) -> Response:
    return search(request, "csv")


def _article_or_404(archive: Archive, article_id: int) -> dict[str, Any]:
    record = archive.article(article_id)
    if record is None:
        raise HTTPException(404, f"There is no article {article_id} in this archive.")
    return record


def article(request: Request) -> Response:
    """``/article/<id>``: metadata, text (of the latest version, or ``?version=N``), and
    the list of versions with links to their diffs."""
    archive = _archive(request)
    article_id: int = request.path_params["article_id"]
    record = _article_or_404(archive, article_id)
    history = archive.versions(str(article_id))
    latest = history[-1]["version"] if history else record["version"]
    number = version_number(request.query_params, "version", latest, latest)
    shown = next((row for row in history if row["version"] == number), None)
    return render(request, "article.html", {
        "record": record, "versions": history, "shown": shown, "latest": latest,
        "paragraphs": [line for line in (shown or record)["text"].splitlines() if line.strip()],
    })


def diff(request: Request) -> Response:
    """``/article/<id>/diff?old=1&new=2``: what changed between two versions (default: the
    last two), with a form to pick others."""
    archive = _archive(request)
    article_id: int = request.path_params["article_id"]
    record = _article_or_404(archive, article_id)
    history = archive.versions(str(article_id))
    latest = history[-1]["version"] if history else 1
    new = version_number(request.query_params, "new", latest, latest)
    old = version_number(request.query_params, "old", max(1, new - 1), latest)
    lines = readable(archive.diff(article_id, old, new)) if old != new else []
    return render(request, "diff.html", {
        "record": record, "versions": history, "old": old, "new": new, "lines": lines,
    })


def stats(request: Request, suffix: str | None = None) -> Response:
    """``/stats?q=&by=week&by_source=1``: counts over time as charts and a table."""
    fmt = download_format(request.query_params, suffix)
    params = StatsParams.read(request.query_params)
    context: dict[str, Any] = {"params": params, "error": None, "rows": [], "charts": []}
    try:
        rows = _archive(request).stats(**params.stats_options())
    except InvalidQuery as exc:
        if fmt is not None:
            raise
        return render(request, "stats.html", {**context, "error": str(exc)}, status_code=400)
    if fmt is not None:
        return stats_download(rows, params.q, params.by, fmt)
    metrics = ("matching", "ratio") if params.q else ("total",)
    charts = [chart.build(rows, metric, params.by) for metric in metrics] if rows else []
    return render(request, "stats.html", {**context, "rows": rows, "charts": charts})


def stats_json(request: Request) -> Response:
    return stats(request, "json")


def stats_csv(request: Request) -> Response:
    return stats(request, "csv")
