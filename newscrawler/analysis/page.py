"""The work of one page in an extraction worker process: bytes in, one ``PageAnalysis`` out.

Kept apart from Scrapy and SQLAlchemy so a worker imports only extraction and MinHash:
every worker process costs that much less memory. The page is parsed once; its kind, feeds
and links are read from that tree before extraction changes it, so the crawl process never
parses a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from newscrawler import extraction, memory
from newscrawler.analysis.minhash import signature
from newscrawler.analysis.normalise import content_hash, normalise
from newscrawler.discovery.links import feed_links, page_links
from newscrawler.extraction import Article, Rejected, classify_page

__all__ = ["PageAnalysis", "analyse_page", "warm_up"]

# Pages between resets of the extraction caches (trafilatura's LRU caches grow with every
# page a long-lived worker sees) and between returns of freed heap to the system.
RESET_EVERY = 200
TRIM_EVERY = 10
_pages_done = 0


@dataclass(frozen=True)
class PageAnalysis:
    """Everything the crawl needs to know about one fetched page.

    ``kind`` is ``classify_page``'s verdict (``article``, ``listing``, ...) when the page was
    parsed for links, else ``""``. ``result`` is the extracted ``Article`` or the
    ``Rejected`` reason; an article carries its MinHash ``minhash`` and ``content_hash``.
    ``feeds`` and ``links`` are what a link-following crawl may follow from the page.
    """

    result: Article | Rejected
    kind: str = ""
    feeds: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    minhash: bytes | None = None
    content_hash: str = ""

    @property
    def article(self) -> Article | None:
        return self.result if isinstance(self.result, Article) else None

    @property
    def rejection(self) -> Rejected | None:
        return self.result if isinstance(self.result, Rejected) else None


def analyse_page(body: bytes, url: str, headers: Mapping[str, str], *,
                 force_article: bool = False, hints: Mapping[str, Any] | None = None,
                 follow: bool = False) -> PageAnalysis:
    """Extract one page; with ``follow``, read its kind, feeds and links from the same parse.

    ``headers`` are the HTTP response headers (lower-case names); ``hints`` are discovery
    fields (feed or news-sitemap title, date, language) used only as fallbacks.
    """
    _housekeeping()
    tree = extraction.parse_page(body, headers)
    if isinstance(tree, Rejected):
        return PageAnalysis(tree)
    kind, feeds, links = "", [], []
    if follow:  # before extraction, which changes the tree
        kind, feeds, links = classify_page(tree, url), feed_links(tree, url), page_links(tree, url)
    result = extraction.extract_tree(tree, url, headers, kind=kind or None,
                                     force_article=force_article, hints=hints)
    if isinstance(result, Rejected):
        return PageAnalysis(result, kind, feeds, links)
    text = normalise(result.text)  # once, for both hashes
    return PageAnalysis(result, kind, feeds, links, signature(text, normalised=True),
                        content_hash(result.title, result.text, normalised_text=text))


def _housekeeping() -> None:
    global _pages_done
    _pages_done += 1
    if _pages_done % RESET_EVERY == 0:
        extraction.reset_caches()
    if _pages_done % TRIM_EVERY == 0:
        memory.trim()


# A page with a date only in its text (custom-parsed by htmldate: no dateparser needed).
_WARM_UP_PAGE = (b"<html lang='fr'><body><article><h1>Essai</h1><p>Publi\xc3\xa9 le 3 mars 2024 "
                 b"\xc3\xa0 10 h 30.</p>" + b"<p>Un paragraphe de texte pour l'essai.</p>" * 8
                 + b"</article></body></html>")


def warm_up() -> None:
    """Import and exercise the extraction stack and MinHash (numpy) once, so the first real
    page is not slow; then settle the worker's heap (``memory.settle``).

    dateparser, which htmldate consults for the few dates its own rules cannot read, is
    loaded with its English data too (every page's date parser includes English; see
    ``newscrawler.extraction.htmldate_internals``): a tenth of a second, better spent while the
    crawl is still fetching robots.txt than mid-crawl. Other languages load when a page
    needs them, and only those.
    """
    from newscrawler.extraction import htmldate_internals

    analysis = analyse_page(_WARM_UP_PAGE, "http://warm-up.invalid/", {}, force_article=True)
    assert analysis.article is not None
    htmldate_internals.warm_up()
    memory.settle()  # what the worker has loaded stays until it exits
