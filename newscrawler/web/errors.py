"""Errors as a page a person can read (or a one-line JSON/CSV answer to a download), with
the right status, and never a traceback: those go to the server's log only."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus

from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from newscrawler.api import ArchiveError, InvalidQuery
from newscrawler.sources import SourcesError
from newscrawler.web.params import BadRequest
from newscrawler.web.templates import render

__all__ = ["HANDLERS"]

logger = logging.getLogger(__name__)

TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed",
          500: "Server error"}
MESSAGES = {
    404: "There is no page at this address.",
    405: "This is a read-only view of the archive: only GET and HEAD requests are answered.",
}


def _wants(request: Request) -> str | None:
    """``json`` or ``csv`` when the failed request was a download."""
    for fmt in ("json", "csv"):
        if request.url.path.endswith(f".{fmt}") or request.query_params.get("format") == fmt:
            return fmt
    return None


def error_response(request: Request, status: int, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    """The error page, or the message alone for a download."""
    fmt = _wants(request)
    if fmt == "json":
        return Response(json.dumps({"error": message}, ensure_ascii=False), status,
                        headers=headers, media_type="application/json")
    if fmt == "csv":
        return PlainTextResponse(f"error: {message}\n", status, headers=headers)
    return render(request, "error.html",
                  {"status": status, "title": TITLES.get(status, "Error"), "message": message},
                  status_code=status, headers=headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    generic = exc.detail == HTTPStatus(exc.status_code).phrase  # Starlette's own wording
    message = MESSAGES.get(exc.status_code, exc.detail) if generic else exc.detail
    return error_response(request, exc.status_code, message, exc.headers)


async def bad_request(request: Request, exc: Exception) -> Response:
    return error_response(request, 400, str(exc))


async def sources_error(request: Request, exc: Exception) -> Response:
    problems = "; ".join(str(exc).splitlines())
    return error_response(request, 400, f"A tag needs the sources file, which is unusable: "
                          f"{problems}")


async def archive_error(request: Request, exc: Exception) -> Response:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    logger.error("the archive could not be read: %s", detail)
    return error_response(request, 500, f"The archive could not be read ({detail}). Check "
                          "that --db points to a newscrawler archive that is up to date "
                          "(newscrawler db upgrade).")


async def server_error(request: Request, exc: Exception) -> Response:
    # Starlette logs the traceback after this handler answers; the page shows none.
    return error_response(request, 500, "Something went wrong on the server; its log says "
                          "what. The archive was not changed (this view is read-only).")


HANDLERS = {
    HTTPException: http_error,
    BadRequest: bad_request,
    InvalidQuery: bad_request,
    SourcesError: sources_error,
    ArchiveError: archive_error,
    SQLAlchemyError: archive_error,
    Exception: server_error,
}
