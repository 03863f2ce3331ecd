"""The values extraction returns: an Article, or a Rejected page with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """A clean news article extracted from one fetched page.

    Datetimes are timezone-aware (UTC offset kept as found); ``None`` when unknown.
    ``text`` is the clean body, paragraphs separated by newlines. ``discarded_dates``: why
    dates the page declared were not believed (``future``, ``before_1990``), each once; the
    crawl counts them under ``newscrawler/dates/<reason>``.
    """

    url: str
    title: str
    text: str
    canonical_url: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    sitename: str | None = None
    description: str | None = None
    extractor: str = ""
    discarded_dates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """A page that is not stored as an article, and why.

    ``reason`` is a short slug used as a stats key (``newscrawler/dropped/<reason>``):
    ``not_html``, ``not_article``, ``empty``, ``too_short``, ``no_content``, and for pages
    that answer without the article ``consent_wall``, ``paywall``, ``soft_404``.
    """

    reason: str
    detail: str = ""
