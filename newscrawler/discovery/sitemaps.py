"""Sitemaps: urlsets (with Google News fields), sitemap indexes, gzip, text sitemaps.

Bodies come from arbitrary servers, so gzip is inflated with a hard size limit (a small
gzip bomb cannot exhaust memory), XML goes through the safe parser (no entities, no
network) and parsing has a time limit. Element names are matched without namespaces: sites
get them wrong often. An RSS or Atom feed offered as a sitemap (search engines accept them)
is read as a urlset.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from lxml import etree

from newscrawler.discovery._xml import (
    MAX_PARSE_SECONDS,
    Deadline,
    TooSlow,
    child_text,
    children,
    iso_date_string,
    local_name,
    parse_w3c_datetime,
    parse_xml,
)
from newscrawler.discovery.feeds import FeedEntry, FeedError, feed_entries
from newscrawler.urls import is_http_url

__all__ = [
    "MAX_PARSE_SECONDS",
    "MAX_SITEMAP_SIZE",
    "Sitemap",
    "SitemapEntry",
    "SitemapError",
    "parse_sitemap",
]

#: The sitemaps protocol caps an uncompressed sitemap at 50 MB; news sitemaps are far smaller.
MAX_SITEMAP_SIZE = 16 * 2**20
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024


class SitemapError(ValueError):
    """The body is not a usable sitemap; the message is one line, fit for a log."""


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` or ``<sitemap>``; ``news`` holds the Google News fields that were found.

    ``news`` keys: ``title``, ``published_at`` (ISO 8601 string, time and offset as found),
    ``language``, ``name`` (publication name), ``keywords`` (list of strings).
    """

    url: str
    lastmod: datetime | None = None
    news: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: ``urlset`` entries are pages, ``sitemapindex`` entries are sitemaps."""

    kind: Literal["urlset", "sitemapindex"]
    entries: list[SitemapEntry]


def parse_sitemap(body: bytes, *, max_size: int = MAX_SITEMAP_SIZE,
                  time_limit: float = MAX_PARSE_SECONDS) -> Sitemap:
    """Parse an XML, gzipped XML, text (one URL a line) or feed sitemap.

    Raises ``SitemapError`` when the body, once inflated, exceeds ``max_size`` bytes, takes
    longer than ``time_limit`` seconds to parse, is malformed XML, or is XML of another kind.
    """
    deadline = Deadline(time_limit)
    if body[:2] == _GZIP_MAGIC:
        body = gunzip_limited(body, max_size)
    elif len(body) > max_size:
        raise SitemapError(f"sitemap larger than {max_size} bytes")
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    try:
        if not stripped.startswith(b"<"):
            return _text_sitemap(stripped)
        root = parse_xml(stripped, deadline=deadline)
        return _xml_sitemap(root, deadline)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"malformed sitemap XML: {str(exc).splitlines()[0]}") from None
    except TooSlow as exc:
        raise SitemapError(f"sitemap too slow to parse: {exc}") from None


def gunzip_limited(body: bytes, max_size: int) -> bytes:
    """Inflate gzip ``body``; raises ``SitemapError`` past ``max_size`` bytes or if corrupt."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    data = body
    try:
        while data and not inflater.eof:
            out += inflater.decompress(data, max_size + 1 - len(out))
            if len(out) > max_size:
                raise SitemapError(f"gzipped sitemap inflates beyond {max_size} bytes")
            data = inflater.unconsumed_tail
    except zlib.error as exc:
        raise SitemapError(f"corrupt gzip sitemap: {exc}") from None
    if not inflater.eof:
        raise SitemapError("truncated gzip sitemap")
    return bytes(out)


def _text_sitemap(body: bytes) -> Sitemap:
    lines = body.decode("utf-8", errors="replace").splitlines()
    urls = [line.strip() for line in lines if is_http_url(line.strip())]
    if not urls and body.strip():
        raise SitemapError("not a sitemap: neither XML nor a list of URLs")
    return Sitemap("urlset", [SitemapEntry(url) for url in urls])


def _xml_sitemap(root: etree._Element, deadline: Deadline) -> Sitemap:
    kind = local_name(root)
    if kind == "urlset":
        return Sitemap("urlset", _entries(children(root, "url"), _url_entry, deadline))
    if kind == "sitemapindex":
        entries = _entries(children(root, "sitemap"), _index_entry, deadline)
        return Sitemap("sitemapindex", entries)
    try:
        feed = feed_entries(root, deadline=deadline)
    except FeedError:
        raise SitemapError(f"not a sitemap: root element <{kind or root.tag}>") from None
    return Sitemap("urlset", [_from_feed(entry) for entry in feed])


def _entries(elements: list[etree._Element],
             read: Callable[[etree._Element], SitemapEntry | None],
             deadline: Deadline) -> list[SitemapEntry]:
    entries = []
    for element in elements:
        deadline.check()
        entry = read(element)
        if entry is not None:
            entries.append(entry)
    return entries


def _index_entry(element: etree._Element) -> SitemapEntry | None:
    url = child_text(element, "loc")
    if not url or not is_http_url(url):
        return None
    return SitemapEntry(url, parse_w3c_datetime(child_text(element, "lastmod")))


def _url_entry(element: etree._Element) -> SitemapEntry | None:
    url = child_text(element, "loc")
    if not url or not is_http_url(url):
        return None
    news = next(iter(children(element, "news")), None)
    fields = _news_fields(news) if news is not None else {}
    return SitemapEntry(url, parse_w3c_datetime(child_text(element, "lastmod")), fields)


def _news_fields(news: etree._Element) -> dict[str, Any]:
    publication = next(iter(children(news, "publication")), None)
    fields: dict[str, Any] = {
        "title": child_text(news, "title"),
        "published_at": iso_date_string(child_text(news, "publication_date")),
    }
    if publication is not None:
        fields["name"] = child_text(publication, "name")
        fields["language"] = child_text(publication, "language")
    keywords = child_text(news, "keywords")
    if keywords:
        fields["keywords"] = [k.strip() for k in keywords.split(",") if k.strip()]
    return {key: value for key, value in fields.items() if value}


def _from_feed(entry: FeedEntry) -> SitemapEntry:
    news = {"title": entry.title, "published_at": entry.published_at, "language": entry.language}
    lastmod = parse_w3c_datetime(entry.published_at)
    return SitemapEntry(entry.url, lastmod, {k: v for k, v in news.items() if v})
