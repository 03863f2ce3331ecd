"""The work of one page in an extraction worker process.

Kept apart from the pipelines so a worker imports only extraction and MinHash (no Scrapy,
no SQLAlchemy): every worker process costs that much less memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newscrawler import extraction, memory
from newscrawler.discovery.links import feed_links, page_links
from newscrawler.extraction import Article, Rejected, classify_page
from newscrawler.minhash import signature
from newscrawler.normalise import content_hash, normalise

# Pages between resets of the extraction caches (trafilatura's LRU caches grow with every
# page a long-lived worker sees) and between returns of freed heap to the system.
RESET_EVERY = 200
TRIM_EVERY = 10
_pages_done = 0


@dataclass(frozen=True)
class PageLinks:
    """What a crawl follows from a page: its kind (``classify_page``), feeds and links."""

    kind: str
    feeds: list[str]
    pages: list[str]


def extract_page(args: tuple[Any, ...], kwargs: dict[str, Any]
                 ) -> tuple[Article | Rejected, bytes | None, str]:
    """Extract one page; with an article, its MinHash signature and content hash too."""
    result, minhash, digest, _ = process_page(args, kwargs)
    return result, minhash, digest


def process_page(args: tuple[Any, ...], kwargs: dict[str, Any], follow: bool = False
                 ) -> tuple[Article | Rejected, bytes | None, str, PageLinks | None]:
    """``extract_page``, and with ``follow`` the page's links read from the same parse.

    A crawl that follows links needs every page's links, listings' above all: they are read
    here, from the tree extraction parses anyway, so the crawl process never parses pages.
    ``args`` are ``extract``'s (body, url, headers), ``kwargs`` its keyword arguments.
    """
    global _pages_done
    _pages_done += 1
    if _pages_done % RESET_EVERY == 0:
        extraction.reset_caches()
    if _pages_done % TRIM_EVERY == 0:
        memory.trim()
    body, url, headers = args
    tree = extraction.parse_page(body, headers)
    if isinstance(tree, Rejected):
        return tree, None, "", None
    links = None
    if follow:  # before extraction, which changes the tree
        links = PageLinks(classify_page(tree, url), feed_links(tree, url), page_links(tree, url))
    result = extraction.extract_tree(tree, url, headers,
                                     kind=links.kind if links else None, **kwargs)
    if isinstance(result, Rejected):
        return result, None, "", links
    text = normalise(result.text)  # once, for both hashes
    return (result, signature(text, normalised=True),
            content_hash(result.title, result.text, normalised_text=text), links)


# A page with a date only in its text (custom-parsed by htmldate: no dateparser needed).
_WARM_UP_PAGE = (b"<html lang='fr'><body><article><h1>Essai</h1><p>Publi\xc3\xa9 le 3 mars 2024 "
                 b"\xc3\xa0 10 h 30.</p>" + b"<p>Un paragraphe de texte pour l'essai.</p>" * 8
                 + b"</article></body></html>")


def warm_up() -> None:
    """Import and exercise the extraction stack and MinHash (numpy) once, so the first real
    page is not slow.

    dateparser, which htmldate consults for the few dates its own rules cannot read, is
    loaded with its English data too (every page's date parser includes English; see
    ``newscrawler.extraction.datelanguages``): a tenth of a second, better spent while the
    crawl is still fetching robots.txt than mid-crawl. Other languages load when a page
    needs them, and only those.
    """
    from newscrawler.extraction import datelanguages

    article = extraction.extract(_WARM_UP_PAGE, "http://warm-up.invalid/", {},
                                 force_article=True)
    assert isinstance(article, Article)
    signature(article.text)
    datelanguages.warm_up()
