"""The extraction function: (body bytes, url, headers) -> Article | Rejected.

Pure: no I/O and no configuration, so it runs alike in the pipeline, in a worker process
(``reextract``) and in tests (only the clock is read, to refuse dates in the future). The
page is decoded and parsed once; classification, JSON-LD, meta tags, the trafilatura
readings (of copies) and the guessed metadata all share that one lxml tree.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from typing import Any

import trafilatura.meta
from lxml.html import HtmlElement

from . import jsonld, metadata
from .article import Article, Rejected
from .body import extract_body
from .cleaning import drop_navigation, merge_split_bodies
from .dates import Stamp, choose, parse_datetime, parse_htmldate, plausible
from .decoding import decode_html
from .guesses import Guesses
from .language import guess_language
from .pagetype import classify_page
from .parsing import parse_html
from .sniff import sniff_binary
from .walls import is_consent_wall, is_paywall_teaser, is_soft_404

LOGGER = logging.getLogger(__name__)

EXTRACTOR = f"trafilatura {version('trafilatura')}"
MIN_TEXT_LENGTH = 200


def extract(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    force_article: bool = False,
    hints: Mapping[str, Any] | None = None,
) -> Article | Rejected:
    """Extract the article of one fetched page, or say why the page is not one.

    ``headers`` are the HTTP response headers (any case); ``hints`` are discovery fields
    (``title``, ``published_at``, ``language``, ``authors``) used only as fallbacks.
    With ``force_article`` the page is not classified and short bodies are kept.
    Dates are aware and keep the page's own offset; a date-only value becomes 00:00 UTC and
    a zoneless time borrows another date's offset, else UTC; a date more than a day ahead
    of the clock, or before 1990, is not believed (see :mod:`.dates`).
    """
    tree = parse_page(body, headers)
    if isinstance(tree, Rejected):
        return tree
    return extract_tree(tree, url, headers, force_article=force_article, hints=hints)


def parse_page(body: bytes, headers: Mapping[str, str] | None = None) -> HtmlElement | Rejected:
    """The page's document tree, or why it has none (empty, binary, unparseable).

    With :func:`extract_tree`, what :func:`extract` does, for a caller that reads the same
    tree for something else first (the links a crawl follows).
    """
    if not body.strip():
        return Rejected("empty")
    binary = sniff_binary(body)
    if binary:
        return Rejected("not_html", binary)
    tree = parse_html(decode_html(body, headers))
    if tree is None:
        return Rejected("not_html", "unparseable")
    return tree


def extract_tree(
    tree: HtmlElement,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    force_article: bool = False,
    hints: Mapping[str, Any] | None = None,
    kind: str | None = None,
) -> Article | Rejected:
    """:func:`extract` on a tree from :func:`parse_page`, which it changes (read it first:
    its navigation, for one, is gone once the page is read as an article).

    ``kind``: the page's ``classify_page`` verdict when the caller has it already.
    A page that answers without the article (a consent wall, a paywall teaser, a soft 404:
    see :mod:`.walls`) is rejected as such even with ``force_article``.
    """
    if is_consent_wall(tree):
        return Rejected("consent_wall")
    if not force_article:
        kind = kind or classify_page(tree, url)
        if kind == "error":
            return Rejected("soft_404")
        if kind != "article":
            return Rejected("not_article", kind)
    return _build_article(tree, url, _lower_keys(headers), force_article, hints or {})


def reset_caches() -> None:
    """Empty the caches of trafilatura and the libraries it drives (htmldate, courlan, jusText).

    They grow with the pages a process sees; long-lived worker processes call this every few
    hundred pages. This package keeps no cache of its own across pages.
    """
    trafilatura.meta.reset_caches()


@dataclass(frozen=True)
class _Page:
    """What one extraction knows about the page, shared by the field helpers."""

    tree: HtmlElement
    url: str
    headers: Mapping[str, str]
    hints: Mapping[str, Any]
    nodes: list[jsonld.Node]
    meta: Mapping[str, str]
    guesses: Guesses

    @property
    def article_node(self) -> jsonld.Node | None:
        return jsonld.article_node(self.nodes)


def _build_article(
    tree: HtmlElement, url: str, headers: Mapping[str, str], force: bool, hints: Mapping[str, Any]
) -> Article | Rejected:
    drop_navigation(tree)
    nodes = jsonld.page_nodes(tree)
    meta = metadata.meta_map(tree)
    merge_split_bodies(tree)
    language = metadata.declared_language(tree, meta, headers, jsonld.article_node(nodes))
    if language is None:  # jusText's fallback would load every language's stop words
        language = guess_language(_visible_text(tree))
    text = extract_body(tree, url, language)
    if force and not text:
        text = _fallback_text(tree)
    if not text:
        return Rejected("no_content")
    if is_paywall_teaser(tree, text):
        return Rejected("paywall", f"{len(text)} characters")
    if force and is_soft_404(tree, text):
        return Rejected("soft_404")
    if not force and len(text) < MIN_TEXT_LENGTH:
        return Rejected("too_short", f"{len(text)} characters")
    date_language = language or metadata.iso639_1(_as_text(hints.get("language")))
    page = _Page(tree, url, headers, hints, nodes, meta, Guesses(tree, url, date_language))
    return _assemble(page, text)


def _assemble(page: _Page, text: str) -> Article:
    published, modified, doubts = _dates(page)
    node, meta = page.article_node, page.meta
    title = _first(
        jsonld.text_field(node, "headline"), lambda: page.guesses.title, page.hints.get("title")
    )
    return Article(
        url=page.url,
        title=title or "",
        text=_without_heading(text, title or ""),
        canonical_url=metadata.canonical_url(page.tree, meta, page.url),
        authors=_authors(page),
        published_at=published,
        modified_at=modified,
        language=_language(page, text),
        sitename=_first(_publisher(page), meta.get("og:site_name"), lambda: page.guesses.sitename),
        description=_first(
            meta.get("description"),
            meta.get("og:description"),
            jsonld.text_field(node, "description"),
            lambda: page.guesses.description,
        ),
        extractor=EXTRACTOR,
        discarded_dates=tuple(sorted(doubts)),
    )


def _dates(page: _Page) -> tuple[datetime | None, datetime | None, set[str]]:
    """(published, modified, why some of the page's dates were not believed)."""
    published, doubts = plausible(metadata.declared_dates(page.nodes, page.meta, "published")
                                  + metadata.time_element_dates(page.tree, "published"))
    # A declared time with its offset wins over any later candidate and lends its offset to
    # the modified date: htmldate's search, the costliest guess, cannot change the result.
    if not (published and published[0].has_time and published[0].has_zone):
        guessed = (parse_htmldate(page.guesses.date), _hint_date(page.hints.get("published_at")))
        kept, more = plausible([stamp for stamp in guessed if stamp])
        published, doubts = published + kept, doubts | more
    modified, more = plausible(metadata.declared_dates(page.nodes, page.meta, "modified")
                               + metadata.time_element_dates(page.tree, "modified"))
    return choose(published, modified), choose(modified, published), doubts | more


def _hint_date(value: Any) -> Stamp | None:
    """A hint date, given as an ISO/RFC 2822 string or already as a datetime."""
    if isinstance(value, datetime):
        return Stamp(value, has_time=True, has_zone=value.tzinfo is not None)
    return parse_datetime(_as_text(value))


def _authors(page: _Page) -> list[str]:
    found = metadata.declared_authors(page.nodes, page.meta)
    if not found and page.guesses.author:
        found = metadata.clean_authors([page.guesses.author])
    raw = page.hints.get("authors")
    if not found and raw:
        found = metadata.clean_authors([raw] if isinstance(raw, str) else list(raw))
    return found


def _visible_text(tree: HtmlElement) -> str:
    """The text of the page's paragraphs: enough to guess its language, without scripts."""
    return " ".join(p.text_content() for p in tree.iter("p"))[:20000]


def _language(page: _Page, text: str) -> str | None:
    return (
        metadata.declared_language(page.tree, page.meta, page.headers, page.article_node)
        or metadata.iso639_1(_as_text(page.hints.get("language")))
        or guess_language(text)
    )


def _publisher(page: _Page) -> str | None:
    node = page.article_node
    names = jsonld.names(node.get("publisher"), page.nodes) if node else []
    return names[0].strip() if names else None


def _fallback_text(tree: HtmlElement) -> str:
    """Paragraph text of the page, for forced articles trafilatura found nothing in."""
    paragraphs = (p.text_content().strip() for p in tree.iter("p"))
    return "\n".join(p for p in paragraphs if p)


def _without_heading(text: str, title: str) -> str:
    """Drop a first line that only repeats the title: the headline is stored apart."""
    first, _, rest = text.partition("\n")
    if title and rest and first.strip().casefold() == title.casefold():
        return rest.strip()
    return text


def _as_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _first(*values: Any) -> str | None:
    """The first non-blank string; a callable (a costly guess) is called only if reached."""
    for value in values:
        found = value() if callable(value) else value
        if isinstance(found, str) and found.strip():
            return found.strip()
    return None


def _lower_keys(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {key.lower(): value for key, value in (headers or {}).items()}
