"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: the article links they list and their metadata.

Parsed with the same safe XML parser as sitemaps, with a size and a time limit, matching
local names so that namespace variants (``dc:creator``, Atom 0.3, RSS 0.9x) all work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from newscrawler.discovery._xml import (
    MAX_PARSE_SECONDS,
    Deadline,
    TooSlow,
    child_text,
    children,
    iso_date_string,
    local_name,
    own_text,
    parse_xml,
)
from newscrawler.urls import is_http_url

__all__ = ["MAX_FEED_SIZE", "FeedEntry", "FeedError", "looks_like_feed", "parse_feed"]

#: Feeds list the latest few dozen items; the largest real ones are a few megabytes.
MAX_FEED_SIZE = 16 * 2**20

_FEED_TYPES = ("rss+xml", "atom+xml", "rdf+xml")
_FEED_ROOTS = {"rss", "feed", "rdf"}
_EMAIL_NAME = re.compile(r"\S+@\S+\s*\((.+)\)")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The first element name after the prolog (declaration, comments, doctype).
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


class FeedError(ValueError):
    """The body is not a well-formed RSS or Atom feed."""


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed; ``published_at`` is an ISO 8601 string, offset kept as found."""

    url: str
    title: str | None = None
    published_at: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """True for a feed content type, or a body whose root element is rss, feed or RDF."""
    if any(kind in content_type.lower() for kind in _FEED_TYPES):
        return True
    head = re.sub(rb"<!--.*?-->|<\?.*?\?>|<![^>]*>", b"", body[:4096], flags=re.DOTALL)
    match = _FIRST_TAG.search(head)
    return bool(match) and match.group(2).decode("ascii").lower() in _FEED_ROOTS


def parse_feed(body: bytes, base_url: str = "", *, max_size: int = MAX_FEED_SIZE,
               time_limit: float = MAX_PARSE_SECONDS) -> list[FeedEntry]:
    """The entries of an RSS 2.0, RSS 1.0/RDF or Atom feed that link to an http(s) page.

    Relative links are resolved against ``base_url`` (the feed's own URL). Raises
    ``FeedError`` for a body over ``max_size`` bytes, one that takes longer than
    ``time_limit`` seconds to parse, malformed XML or a document that is not a feed.
    """
    if len(body) > max_size:
        raise FeedError(f"feed larger than {max_size} bytes")
    deadline = Deadline(time_limit)
    try:
        return feed_entries(parse_xml(body, base_url, deadline), base_url, deadline)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed feed: {str(exc).splitlines()[0]}") from None
    except TooSlow as exc:
        raise FeedError(f"feed too slow to parse: {exc}") from None


def feed_entries(root: etree._Element, base_url: str = "", deadline: Deadline | None = None
                 ) -> list[FeedEntry]:
    """Entries of an already parsed feed document (see ``parse_feed``).

    Raises ``TooSlow`` past ``deadline``.
    """
    kind = local_name(root)
    if kind == "feed":
        items = children(root, "entry")
    elif kind in ("rss", "rdf"):
        channel = next(iter(children(root, "channel")), root)
        language = child_text(channel, "language")
        # RSS 2.0 nests items in the channel; RSS 1.0 puts them beside it.
        items = children(channel, "item") + children(root, "item")
    else:
        raise FeedError(f"not a feed: root element <{kind or root.tag}>")
    entries = []
    for item in items:
        if deadline is not None:
            deadline.check()
        entry = (_atom_entry(item, root, base_url) if kind == "feed"
                 else _rss_entry(item, language, base_url))
        if entry is not None:
            entries.append(entry)
    return entries


def _absolute(url: str | None, base_url: str) -> str | None:
    if not url:
        return None
    url = urljoin(base_url, url.strip()) if base_url else url.strip()
    return url if is_http_url(url) else None


def _rss_link(item: etree._Element) -> str | None:
    # FeedBurner rewrites links to its click tracker and keeps the real one in origLink.
    link = child_text(item, "origlink") or child_text(item, "link")
    if link:
        return link
    for guid in children(item, "guid"):
        if guid.get("isPermaLink", "true").lower() == "true" and guid.text:
            return guid.text.strip()
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    return about


def _rss_entry(item: etree._Element, language: str | None, base_url: str) -> FeedEntry | None:
    url = _absolute(_rss_link(item), base_url)
    if url is None:
        return None
    date = child_text(item, "pubdate") or child_text(item, "date")
    authors = [_author_name(own_text(el)) for el in _named(item, "creator", "author")]
    return FeedEntry(
        url=url,
        title=child_text(item, "title"),
        published_at=iso_date_string(date),
        authors=[a for a in authors if a],
        language=child_text(item, "language") or language,
    )


def _atom_link(entry: etree._Element) -> str | None:
    for link in children(entry, "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return None


def _atom_entry(entry: etree._Element, feed: etree._Element, base_url: str) -> FeedEntry | None:
    # .base honours xml:base on the entry or the feed, resolved against the feed URL.
    url = _absolute(child_text(entry, "origlink") or _atom_link(entry), entry.base or base_url)
    if url is None:
        return None
    date = child_text(entry, "published") or child_text(entry, "issued")
    date = date or child_text(entry, "updated") or child_text(entry, "modified")
    authors = [child_text(a, "name") or "" for a in children(entry, "author")]
    return FeedEntry(
        url=url,
        title=child_text(entry, "title"),
        published_at=iso_date_string(date),
        authors=[a for a in authors if a],
        language=entry.get(_XML_LANG) or feed.get(_XML_LANG),
    )


def _named(element: etree._Element, *names: str) -> list[etree._Element]:
    return [child for child in element if local_name(child) in names]


def _author_name(value: str) -> str:
    """RSS 2.0 ``author`` is ``jane@example.com (Jane Doe)``: keep the name, never the email."""
    match = _EMAIL_NAME.fullmatch(value)
    if match:
        return match.group(1).strip()
    return "" if "@" in value and " " not in value else value

