"""The web application of ``newscrawler serve``: routes, middleware, error pages.

Read-only by construction: the archive is opened read-only (``mode=ro`` on SQLite, read-only
transactions on PostgreSQL) and every route answers GET and HEAD only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from newscrawler.api import Archive
from newscrawler.web import pages
from newscrawler.web.errors import HANDLERS
from newscrawler.web.security import SecurityHeaders

__all__ = ["create_app"]

ROUTES = [
    Route("/", pages.search, name="search"),
    Route("/search.json", pages.search_json, name="search_json"),
    Route("/search.csv", pages.search_csv, name="search_csv"),
    Route("/article/{article_id:int}", pages.article, name="article"),
    Route("/article/{article_id:int}/diff", pages.diff, name="diff"),
    Route("/stats", pages.stats, name="stats"),
    Route("/stats.json", pages.stats_json, name="stats_json"),
    Route("/stats.csv", pages.stats_csv, name="stats_csv"),
    Mount("/static", StaticFiles(packages=[("newscrawler.web", "static")]), name="static"),
]


def create_app(db_url: str | None = None, *, sources_file: str | Path | None = None,
               allowed_hosts: Sequence[str] = ("*",)) -> Starlette:
    """The application over the archive at ``db_url`` (default ``NEWSCRAWLER_DB``), opened
    now so a wrong URL fails before the server starts; answering only requests whose
    ``Host`` is one of ``allowed_hosts``."""
    archive = Archive(db_url, readonly=True, sources_file=sources_file)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        archive.close()

    app = Starlette(
        routes=ROUTES, lifespan=lifespan, exception_handlers=dict(HANDLERS),
        middleware=[Middleware(SecurityHeaders),
                    Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))],
    )
    app.state.archive = archive
    return app
