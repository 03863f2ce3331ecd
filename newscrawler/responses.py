"""Reading Scrapy responses in the crawl process: headers, media type, and whether a
response can be an article at all, decided before any parsing (the worker parses)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from newscrawler.urls import is_http_url

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Flags of a body that ended early: stopped at a size or time limit, or cut by the server.
TRUNCATED_FLAGS = frozenset({"download_stopped", "dataloss"})
# What extraction reads; an empty Content-Type is sniffed by the worker.
TEXTUAL = (*HTML_TYPES, "text/plain", "")


def media_type(response: Response) -> str:
    """The response's media type, lower-case, without parameters ("" when none)."""
    value = response.headers.get(b"Content-Type", b"") or b""
    return value.decode("latin-1").split(";")[0].strip().lower()


def truncated(response: Response) -> bool:
    """Whether the body is only part of what the server had to send."""
    return not TRUNCATED_FLAGS.isdisjoint(response.flags)


def why_not_article(response: Response, content_type: str) -> str | None:
    """Why a response cannot be an article (a ``newscrawler/dropped/`` reason), else None."""
    if truncated(response):
        return "truncated"
    if response.status != 200:
        return "status"
    if not response.body:
        return "empty"
    if not is_http_url(response.url):
        return "scheme"
    if content_type not in TEXTUAL:
        return "not_html"
    return None


def headers_of(response: Response) -> dict[str, str]:
    """The response headers as one string per lower-case name (repeats joined by ", ")."""
    return {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()}


class DroppedResponse(IgnoreRequest):
    """A response a downloader middleware would not pass on: a decompression bomb, a redirect
    loop. ``reason`` is its ``newscrawler/dropped/`` key, counted by the middleware (Scrapy's
    own requests, robots.txt, have no errback); the spider's errback records the fetch as
    ``dropped:REASON``, as it records the responses it drops itself."""

    def __init__(self, reason: str, response: Response, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.response = response
