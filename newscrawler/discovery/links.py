"""Links found in HTML pages: feeds a page advertises, and the pages it links to.

URLs are made absolute (honouring ``<base href>``) but not canonicalised: the spider does
that with ``newscrawler.urls`` so that one rule set applies to every URL it sees.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree
from w3lib.html import strip_html5_whitespace

from newscrawler.extraction.parsing import parse_html
from newscrawler.urls import is_http_url

__all__ = ["BINARY_EXTENSIONS", "FEED_TYPES", "feed_links", "page_links"]

#: ``type`` values of ``<link rel="alternate">`` that announce a parseable feed.
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
#: File extensions of links that are never article pages.
BINARY_EXTENSIONS = frozenset(
    {
        ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".bmp", ".ico", ".tif",
        ".tiff", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".mp3", ".mp4",
        ".m4a", ".m4v", ".wav", ".ogg", ".oga", ".ogv", ".webm", ".mov", ".avi", ".wmv",
        ".flv", ".mkv", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
        ".odp", ".rtf", ".exe", ".dmg", ".msi", ".apk", ".iso", ".bin", ".css", ".js",
        ".woff", ".woff2", ".ttf", ".eot", ".epub", ".mobi",
    }
)

HtmlInput = str | bytes | lxml.html.HtmlElement


def _document(html: HtmlInput) -> lxml.html.HtmlElement | None:
    return html if isinstance(html, etree._Element) else parse_html(html)


def _base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    for href in doc.xpath("//base/@href"):
        href = strip_html5_whitespace(str(href))
        if href:
            try:
                return urljoin(base_url, href)
            except ValueError:  # an unusable <base> is ignored, as browsers do
                return base_url
    return base_url


def _absolute(href: str, base: str) -> str | None:
    href = strip_html5_whitespace(href)
    if not href or href.startswith("#"):
        return None
    try:
        url = urldefrag(urljoin(base, href)).url
    except ValueError:  # e.g. an invalid IPv6 literal in the href
        return None
    return url if is_http_url(url) else None


def _dedup(urls: list[str | None]) -> list[str]:
    return list(dict.fromkeys(url for url in urls if url))


def feed_links(html: HtmlInput, base_url: str) -> list[str]:
    """Absolute URLs of the RSS/Atom feeds a page announces with ``<link rel="alternate">``."""
    doc = _document(html)
    if doc is None:
        return []
    base = _base(doc, base_url)
    found = []
    for link in doc.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            found.append(_absolute(link.get("href"), base))
    return _dedup(found)


def _is_binary(url: str) -> bool:
    extension = posixpath.splitext(urlsplit(url).path)[1].lower()
    return extension in BINARY_EXTENSIONS


def page_links(html: HtmlInput, base_url: str) -> list[str]:
    """Absolute http(s) ``<a href>`` targets, without fragments or links to binary files.

    Order of first appearance is kept, duplicates dropped; ``rel="nofollow"`` links are kept
    (on news sites it marks user content and ads, not pages to avoid archiving).
    """
    doc = _document(html)
    if doc is None:
        return []
    base = _base(doc, base_url)
    urls = [_absolute(str(href), base) for href in doc.xpath("//a/@href | //area/@href")]
    return _dedup([url for url in urls if url and not _is_binary(url)])
