"""What a page is asked for: the query string read, checked and bounded, and turned back
into links.

Every value a request may carry is read here, so the routes never see a raw parameter and
every bad one answers 400 with one line saying what is expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode

from newscrawler.api import InvalidQuery
from newscrawler.archive.query import parse_when
from newscrawler.search.backend import PERIODS
from newscrawler.search.statements import SORTS

__all__ = ["DOWNLOAD_LIMIT", "MAX_QUERY", "PAGE_LIMIT", "BadRequest", "SearchParams",
           "StatsParams", "download_format", "version_number"]

PAGE_LIMIT = 100  # results on one page
DOWNLOAD_LIMIT = 1_000  # results in one JSON or CSV download
DEFAULT_LIMIT = 20
MAX_QUERY = 2_000  # characters of a query
MAX_VALUE = 200  # characters of any other value
FORMATS = ("json", "csv")
_TRUE = ("1", "on", "true", "yes")


class BadRequest(ValueError):
    """A parameter the pages cannot use; the message says what is expected (status 400)."""


def _text(params: Mapping[str, str], name: str, limit: int = MAX_VALUE) -> str | None:
    value = params.get(name, "").strip()
    if len(value) > limit:
        raise BadRequest(f"{name} is too long ({len(value)} characters; at most {limit})")
    return value or None


def _integer(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name}={raw[:20]!r}: give a whole number from {low} to {high}")
    return int(raw)


def _choice(params: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = params.get(name, "").strip() or default
    if value not in choices:
        raise BadRequest(f"{name}={value[:20]!r}: use one of {', '.join(choices)}")
    return value


def _date(params: Mapping[str, str], name: str) -> str | None:
    value = _text(params, name)
    try:
        parse_when(value)
    except InvalidQuery as exc:
        raise BadRequest(f"{name}: {exc}") from None
    return value


def version_number(params: Mapping[str, str], name: str, default: int, latest: int) -> int:
    """A version of an article that has versions 1 to ``latest``."""
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= latest:
        raise BadRequest(f"{name}={raw[:20]!r}: this article has versions 1 to {latest}")
    return int(raw)


def download_format(params: Mapping[str, str], suffix: str | None = None) -> str | None:
    """``json`` or ``csv`` when the request asks for a download (``/x.csv`` or
    ``?format=csv``), None for the page itself."""
    if suffix is not None:
        return suffix
    value = params.get("format", "").strip()
    if not value or value == "html":
        return None
    return _choice(params, "format", FORMATS, "json")


@dataclass(frozen=True)
class Selection:
    """The filters every page shares, as the library's keyword arguments."""

    source: str | None = None
    tag: str | None = None
    since: str | None = None
    until: str | None = None
    lang: str | None = None

    @classmethod
    def read(cls, params: Mapping[str, str]) -> Selection:
        return cls(source=_text(params, "source"), tag=_text(params, "tag"),
                   since=_date(params, "since"), until=_date(params, "until"),
                   lang=_text(params, "lang"))


def _query_string(values: dict[str, Any], defaults: dict[str, Any]) -> str:
    """The values that differ from their defaults, as a query string (booleans as 1)."""
    kept = {name: 1 if value is True else value for name, value in values.items()
            if value not in (None, "", False) and value != defaults.get(name)}
    return urlencode(kept)


@dataclass(frozen=True)
class SearchParams:
    """``/?q=...``: the query, the filters, one-per-cluster, the order and the page."""

    q: str | None = None
    selection: Selection = Selection()
    collapse: bool = False
    sort: str = "relevance"
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def read(cls, params: Mapping[str, str], download: bool = False) -> SearchParams:
        most = DOWNLOAD_LIMIT if download else PAGE_LIMIT
        return cls(q=_text(params, "q", MAX_QUERY), selection=Selection.read(params),
                   collapse=params.get("collapse", "").strip().lower() in _TRUE,
                   sort=_choice(params, "sort", SORTS, "relevance"),
                   limit=_integer(params, "limit", DEFAULT_LIMIT, 1, most),
                   offset=_integer(params, "offset", 0, 0, 1_000_000))

    def search_options(self) -> dict[str, Any]:
        """Keyword arguments of ``Archive.search`` (the query apart)."""
        return {**asdict(self.selection), "collapse": self.collapse, "sort": self.sort,
                "limit": self.limit, "offset": self.offset}

    def link(self, **changes: Any) -> str:
        """The query string of this search with ``changes`` (e.g. ``offset=20``)."""
        changed = replace(self, **changes)
        values = {"q": changed.q, **asdict(changed.selection), "collapse": changed.collapse,
                  "sort": changed.sort, "limit": changed.limit, "offset": changed.offset}
        return _query_string(values, {"sort": "relevance", "limit": DEFAULT_LIMIT, "offset": 0})

    def stats_link(self) -> str:
        """The query string of the counts over time of this search."""
        return StatsParams(self.q, self.selection).link()


@dataclass(frozen=True)
class StatsParams:
    """``/stats?q=...&by=week&by_source=1``: counts over time of a selection."""

    q: str | None = None
    selection: Selection = Selection()
    by: str = "week"
    by_source: bool = False

    @classmethod
    def read(cls, params: Mapping[str, str]) -> StatsParams:
        return cls(q=_text(params, "q", MAX_QUERY), selection=Selection.read(params),
                   by=_choice(params, "by", PERIODS, "week"),
                   by_source=params.get("by_source", "").strip().lower() in _TRUE)

    def stats_options(self) -> dict[str, Any]:
        """Keyword arguments of ``Archive.stats``."""
        return {"query": self.q, **asdict(self.selection), "by": self.by,
                "by_source": self.by_source}

    def link(self, **changes: Any) -> str:
        """The query string of these counts with ``changes``."""
        changed = replace(self, **changes)
        values = {"q": changed.q, **asdict(changed.selection), "by": changed.by,
                  "by_source": changed.by_source}
        return _query_string(values, {"by": "week"})

    def search_link(self) -> str:
        """The query string of the search these counts are of."""
        return SearchParams(self.q, self.selection).link()
