"""What the spider yields for the archive: every fetch, and the articles among them.

``PageItem`` is a page its extraction worker read as an article; ``FetchItem`` is any
other fetch (a page dropped with its reason, a 304, a feed, a sitemap, a failed download),
kept so the archive records every fetch and what became of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newscrawler.analysis.page import PageAnalysis
from newscrawler.capture.refs import CaptureRef


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
    ``capture`` is the page's WARC record, written by the capture middleware (None when
    capture is off). ``canonical_url`` is set by the canonicalisation pipeline. The body
    itself is not carried: the record holds it.
    """

    url: str
    request_url: str
    status: int
    headers: dict[str, str]
    source: str
    fetched_at: datetime
    analysis: PageAnalysis
    capture: CaptureRef | None = None
    canonical_url: str = ""

    def __repr__(self) -> str:
        # Logs show items: never the whole article.
        return f"<PageItem {self.status} {self.url}>"
