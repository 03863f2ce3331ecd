"""Canonicalisation pipeline: the article's identity URL.

The page's ``rel=canonical`` is trusted only when it stays on the same site and does not
point a deep page at the home page (a common theme bug); tracking parameters are dropped
and AMP pages fold into their canonical page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from newscrawler.items import PageItem
from newscrawler.urls import canonicalize_url, is_http_url


def choose_canonical(url: str, declared: str | None) -> str:
    """The identity URL of a page fetched at ``url`` that declares ``declared``."""
    fetched = canonicalize_url(url)
    if not declared or not is_http_url(declared):
        return fetched
    candidate = canonicalize_url(declared)
    here, there = urlsplit(fetched), urlsplit(candidate)
    if _site(here.hostname) != _site(there.hostname):
        return fetched
    if there.path in ("", "/") and here.path not in ("", "/"):
        return fetched
    return candidate


def _site(host: str | None) -> str:
    return (host or "").removeprefix("www.")


class CanonicalPipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            article = item.analysis.article
            assert article is not None  # the spider yields PageItems for articles only
            item.canonical_url = choose_canonical(item.url, article.canonical_url)
        return item
