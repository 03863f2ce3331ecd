"""The Jinja2 templates of the pages, autoescaping everything, and their few filters.

Autoescape is on for every template whatever its name: a value is HTML only when it is
built here, escaped first (``marked``: a snippet's marks become ``<mark>`` after the text
between them was escaped).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from newscrawler.search.backend import PERIODS
from newscrawler.search.snippets import render as render_marks
from newscrawler.search.statements import SORTS
from newscrawler.web.params import MAX_QUERY, PAGE_LIMIT

__all__ = ["environment", "marked", "render", "web_link"]

PAGE_SIZES = (10, 20, 50, PAGE_LIMIT)


def marked(text: str | None) -> Markup:
    """A snippet or title with match marks, as HTML: escaped, matches in ``<mark>``."""
    return Markup(render_marks(text or "", "<mark>", "</mark>", lambda part: str(escape(part))))


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) address a link may point to, else None (no
    ``javascript:`` or ``data:`` link can come from an archived page's metadata)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _when(value: str | None) -> str:
    """An ISO 8601 time from the archive as ``2024-06-01 08:00 UTC``."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.tzinfo else "")


def _day(value: str | None) -> str:
    return value[:10] if value else "undated"


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _percent(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{100 * value:.{digits}f}%"


@functools.cache
def environment() -> Jinja2Templates:
    """The templates of ``newscrawler/web/templates`` (package data: any install has them)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newscrawler.web", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(marked=marked, web_link=web_link, number=_number, percent=_percent,
                       when=_when, day=_day)
    env.globals.update(sorts=SORTS, periods=PERIODS, page_sizes=PAGE_SIZES,
                       max_query=MAX_QUERY)
    return Jinja2Templates(env=env)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200,
           headers: Mapping[str, str] | None = None) -> Response:
    """The template ``name`` as an HTML response."""
    return environment().TemplateResponse(request, name, context, status_code=status_code,
                                          headers=headers)
