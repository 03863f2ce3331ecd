"""trafilatura's and htmldate's guesses at a page's metadata, each made only when asked for.

They are fallbacks behind what the publisher declared (JSON-LD, meta tags), so on most
news pages few of them are ever read. ``trafilatura.extract_metadata`` makes all of them
on every page, plus categories, tags and a licence the archive does not keep: a fifth of
an extraction's cost, half of it the author search. These fields follow its steps, one
field at a time, with its final tidying (entities, spaces, control characters).
"""

from __future__ import annotations

import logging
from functools import cached_property
from html import unescape
from typing import Any

from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata
from trafilatura.utils import line_processing

from .htmldate_internals import find_date

LOGGER = logging.getLogger(__name__)

# The date format keeps htmldate's time and offset; max_date is far ahead because a pure
# function must not depend on "now" (future-dated pages are the sources' problem).
DATE_PARAMS: dict[str, Any] = {
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    "original_date": True,
    "extensive_search": True,
    "max_date": "2100-01-01",
}


class Guesses:
    """The guessed title, author, site name, description and date of one parsed page.

    The tree is only read (the author and date searches prune copies of their own).
    ``language`` (ISO 639-1, declared or guessed) limits the languages htmldate's last-resort
    date parser tries to that one and English (see :mod:`.htmldate_internals`).
    """

    def __init__(self, tree: HtmlElement, url: str, language: str | None = None) -> None:
        self._tree = tree
        self._url = url
        self._language = language

    @cached_property
    def _declared(self) -> Any:
        """trafilatura's reading of meta tags, then JSON-LD, as its ``Document``."""
        document = trafilatura_metadata.examine_meta(self._tree)
        # A one-word meta author is usually a handle or a site name, not a person.
        if document.author and " " not in document.author:
            document.author = None
        try:
            return trafilatura_metadata.extract_meta_json(self._tree, document)
        except Exception as err:  # noqa: BLE001 - its JSON-LD parser has bugs; meta tags remain
            LOGGER.warning("trafilatura JSON-LD metadata failed on %s: %s", self._url, err)
            return document

    @cached_property
    def title(self) -> str | None:
        """The declared title, else the page's title or first heading."""
        return _tidy(self._declared.title or trafilatura_metadata.extract_title(self._tree))

    @cached_property
    def author(self) -> str | None:
        """The declared author, else one found in bylines."""
        return _tidy(self._declared.author or trafilatura_metadata.extract_author(self._tree))

    @cached_property
    def description(self) -> str | None:
        """The declared description."""
        return _tidy(self._declared.description)

    @cached_property
    def sitename(self) -> str | None:
        """The declared site name, else one from the page, else the URL's host name."""
        name = self._declared.sitename or trafilatura_metadata.extract_sitename(self._tree)
        if name:
            name = name.lstrip("@")
            if name and "." not in name and not name[0].isupper():
                name = name.title()
            return _tidy(name)
        match = trafilatura_metadata.META_URL.match(self._page_url or "")
        return _tidy(match[1]) if match else None

    @cached_property
    def date(self) -> str | None:
        """htmldate's publication date (ISO 8601, time and offset when the page has them)."""
        return _tidy(find_date(self._tree, language=self._language, url=self._page_url,
                               **DATE_PARAMS))

    @cached_property
    def _page_url(self) -> str | None:
        """The URL the page declares for itself (htmldate reads dates in it), else ours."""
        return self._declared.url or trafilatura_metadata.extract_url(self._tree, self._url)


def _tidy(value: str | None) -> str | None:
    value = line_processing(unescape(value)) if value else None
    return value.strip() if value and value.strip() else None
