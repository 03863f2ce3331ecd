"""Items the spider yields: fetched pages, handed to the pipelines for extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(repr=False)
class PageItem:
    """One fetched HTML page that may be an article.

    The spider does no extraction: it passes the raw body and what discovery knew about the
    page (``hints``: news-sitemap or feed fields such as title, publication date, language).
    ``force_article`` is set for ``urls_file`` mode, where every listed page is an article.
    """

    url: str
    body: bytes
    headers: dict[str, str]
    status: int
    source: str
    request_url: str = ""
    force_article: bool = False
    hints: dict[str, Any] = field(default_factory=dict)
    fetched_at: str = ""
    # Link-following modes: the crawl follows this page's links (read by its extraction
    # worker) from link ``depth``.
    follow: bool = False
    depth: int = 0
    # Filled in by the pipelines, in order.
    article: Any = None
    canonical_url: str = ""
    content_hash: str = ""
    minhash: bytes | None = None

    def __repr__(self) -> str:
        # Logs show items: never the whole body.
        return f"<PageItem {self.status} {self.url} ({len(self.body)} bytes)>"


@dataclass
class NotModifiedItem:
    """An archived page re-checked with a conditional GET that answered 304."""

    url: str
    source: str
    fetched_at: str
