"""What the spider yields for the archive: every fetch, and the articles among them.

``PageItem`` is a page its extraction worker read as an article; ``FetchItem`` is any
other fetch (a page dropped with its reason, a 304, a feed, a sitemap, a failed download),
kept so the archive records every fetch and what became of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newscrawler.analysis.page import PageAnalysis


@dataclass
class FetchItem:
    """One fetch that stored no article; ``outcome`` says what became of it.

    Outcomes: ``not_modified`` (a 304 to a conditional re-check), ``dropped:<reason>``,
    ``error:<reason>``, and ``robots``, ``sitemap``, ``feed`` for discovery documents.
    """

    url: str
    status: int
    outcome: str
    source: str
    fetched_at: datetime


@dataclass(repr=False)
class PageItem:
    """A fetched page extracted as an article, on its way to the archive.

    ``request_url`` is the URL asked for (before redirects): the article is known by it too.
    ``canonical_url`` is set by the canonicalisation pipeline.
    """

    url: str
    request_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    source: str
    fetched_at: datetime
    analysis: PageAnalysis
    canonical_url: str = ""

    def __repr__(self) -> str:
        # Logs show items: never the whole body.
        return f"<PageItem {self.status} {self.url} ({len(self.body)} bytes)>"
