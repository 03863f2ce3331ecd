"""newscrawler: a news-archiving crawler (Scrapy + trafilatura + SQLAlchemy).

``from newscrawler import Archive`` gives the research API (``newscrawler.api``); it is
imported on first use, so the crawl's extraction workers, which import this package, never
load SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Archive", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Archive":
        from newscrawler.api import Archive

        return Archive
    raise AttributeError(f"module 'newscrawler' has no attribute {name!r}")
