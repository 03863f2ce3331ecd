"""Safe XML parsing, its limits, and date helpers shared by the sitemap and feed parsers.

Sitemaps and feeds come from arbitrary servers: entities are never resolved, no DTD or
network access happens, and libxml2's size limits stay on (``huge_tree=False``; it also
refuses exponential entity expansion, the "billion laughs"). Parsing runs on the crawl's
event loop, so it has a time limit too: a ``Deadline``, checked between the chunks fed to
libxml2 and between entries.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

#: Wall-clock budget for one sitemap or feed; a 50,000-URL sitemap parses in about a second.
MAX_PARSE_SECONDS = 20.0
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FEED_CHUNK = 1 << 20


class TooSlow(Exception):
    """A document took longer to parse than its deadline allowed."""


class Deadline:
    """A time budget for parsing one document; ``check`` raises ``TooSlow`` once it is spent."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() >= self._end:
            raise TooSlow(f"parsing took longer than {self.seconds:g} s")


def parse_xml(body: bytes, base_url: str = "", deadline: Deadline | None = None
              ) -> etree._Element:
    """The root element of ``body``; raises ``etree.XMLSyntaxError`` on malformed input
    and ``TooSlow`` past ``deadline`` (checked every megabyte)."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    for start in range(0, len(body), _FEED_CHUNK):
        if deadline is not None:
            deadline.check()
        parser.feed(body[start : start + _FEED_CHUNK])
    root = parser.close() if body else None
    if root is None:
        raise etree.XMLSyntaxError("empty document", None, 0, 0)
    if base_url:  # what xml:base attributes resolve against (Atom)
        root.getroottree().docinfo.URL = base_url
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace, lower-cased; "" for entity references and the like."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children whose local name is ``name`` (namespace-agnostic)."""
    return [child for child in element if local_name(child) == name]


def child_text(element: etree._Element, name: str) -> str | None:
    """Stripped text of the first child named ``name`` that has text, else None.

    Only the element's own text nodes count, so an unresolved entity contributes nothing.
    """
    for child in children(element, name):
        text = own_text(child)
        if text:
            return text
    return None


def own_text(element: etree._Element) -> str:
    """The element's own text nodes (not its descendants'), joined and stripped."""
    return ((element.text or "") + "".join(sub.tail or "" for sub in element)).strip()


def _parse_datetime(value: str) -> datetime | None:
    """ISO 8601 first (sitemaps, Atom), then RFC 822 (RSS); None when neither parses."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """A date or datetime as an aware datetime (UTC when no offset is given)."""
    parsed = _parse_datetime(value.strip()) if value else None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso_date_string(value: str | None) -> str | None:
    """``value`` (ISO 8601 or RFC 822) as an ISO 8601 string, time and offset kept as found.

    A date alone stays a date, and no zone is invented for a local time. None when
    unparseable.
    """
    if not value:
        return None
    value = value.strip()
    if _DATE_ONLY.fullmatch(value):
        return date.fromisoformat(value).isoformat()
    parsed = _parse_datetime(value)
    return parsed.isoformat() if parsed else None
