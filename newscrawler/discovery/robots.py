"""Sitemap URLs announced in robots.txt (``Sitemap:`` lines).

Scrapy's RobotsTxtMiddleware handles the allow/deny rules and Crawl-delay; this only finds
where the site says its sitemaps are.
"""

from __future__ import annotations

import re

from newscrawler.urls import is_http_url

__all__ = ["sitemaps_from_robots"]

_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE)


def sitemaps_from_robots(body: bytes | str) -> list[str]:
    """Absolute http(s) URLs of the ``Sitemap:`` lines, in order, without duplicates."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    found: list[str] = []
    for line in body.lstrip("\ufeff").splitlines():
        match = _SITEMAP_LINE.match(line.split("#", 1)[0])
        if match and is_http_url(match.group(1)) and match.group(1) not in found:
            found.append(match.group(1))
    return found
