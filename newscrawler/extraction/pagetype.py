"""Tell article pages from listings, tag/author pages, contact, calendar, search and errors.

Signals, strongest first: an error page's title; WordPress body classes (they name the
template that rendered the page); JSON-LD types of the page's own nodes; the URL shape,
unless ``og:type=article`` and a long run of paragraphs both contradict it; ``og:type``;
finally text density (long paragraph runs versus many links).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
from lxml.html import HtmlElement

from . import jsonld
from .cleaning import paragraph_runs

KINDS = ("article", "listing", "tag", "author", "contact", "calendar", "search", "error", "other")

_ERROR_TITLE = re.compile(
    r"\b404\b.*\b(?:not found|introuvable|erreur|error)\b"
    r"|page (?:not found|introuvable|non trouvée)|cette page n'existe|seite nicht gefunden",
    re.IGNORECASE,
)
# WordPress body classes, checked in this order ("archive" accompanies the specific ones).
_BODY_CLASSES = (
    ("error404", "error"),
    ("search", "search"),
    ("search-results", "search"),
    ("single-post", "article"),
    ("single", "article"),
    ("tag", "tag"),
    ("author", "author"),
    ("date", "calendar"),
    ("category", "listing"),
    ("archive", "listing"),
    ("blog", "listing"),
    ("home", "listing"),
)
_JSONLD_KINDS = {
    "searchresultspage": "search",
    "contactpage": "contact",
    "profilepage": "author",
    "collectionpage": "listing",
}
_SEGMENT_KINDS = {
    "tag": "tag",
    "tags": "tag",
    "etiquette": "tag",
    "mot-cle": "tag",
    "mots-cles": "tag",
    "author": "author",
    "authors": "author",
    "auteur": "author",
    "auteurs": "author",
    "category": "listing",
    "categorie": "listing",
    "categories": "listing",
    "rubrique": "listing",
    "contact": "contact",
    "contact-us": "contact",
    "contactez-nous": "contact",
    "nous-contacter": "contact",
    "calendar": "calendar",
    "agenda": "calendar",
    "calendrier": "calendar",
    "search": "search",
    "recherche": "search",
}
_DATE_ONLY_PATH = re.compile(r"^/(?:\d{4})(?:/\d{1,2}){0,2}/?$")
_PAGINATION = re.compile(r"/page/\d+/?$")


def classify_page(html: str | HtmlElement, url: str) -> str:
    """Return "article" or the kind of non-article page (one of :data:`KINDS`)."""
    tree = lxml.html.document_fromstring(html) if isinstance(html, str) else html
    if is_error_page(tree):
        return "error"
    body = tree.find(".//body")
    classes = (body.get("class") or "").lower().split() if body is not None else []
    body_kind = _body_class_kind(classes)
    if body_kind:
        return body_kind
    nodes = jsonld.page_nodes(tree)
    if any(jsonld.is_article(node) for node in nodes):
        return "article"
    ld_kind = next(
        (_JSONLD_KINDS[t] for n in nodes for t in jsonld.types_of(n) if t in _JSONLD_KINDS), None
    )
    if ld_kind:
        return _url_kind(url) or ld_kind
    # A WordPress static page ("About", "Legal") is not news unless its URL says what it is.
    if any(token.startswith("page-id-") for token in classes):
        return _url_kind(url) or "other"
    return _weak_signals(tree, url)


def _weak_signals(tree: HtmlElement, url: str) -> str:
    og_type = tree.xpath("string(//meta[@property='og:type']/@content)").strip().lower()
    run, links = _density(tree)
    url_kind = _url_kind(url)
    if url_kind and not (og_type == "article" and run >= 700):
        return url_kind
    if og_type == "article" or run >= 700:
        return "article"
    return "listing" if links >= 30 else "other"


def is_error_page(tree: HtmlElement) -> bool:
    """Whether the page's title or first heading says it is an error ("page not found")."""
    title = tree.findtext(".//title") or ""
    heading = tree.xpath("string(//h1)")
    return bool(_ERROR_TITLE.search(title) or _ERROR_TITLE.search(heading))


def _body_class_kind(classes: list[str]) -> str | None:
    tokens = set(classes)
    return next((kind for token, kind in _BODY_CLASSES if token in tokens), None)


def _url_kind(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: the URL tells nothing
        return None
    query = parse_qs(parts.query)
    if "s" in query or ("q" in query and "search" in parts.path.lower()):
        return "search"
    path = parts.path.lower()
    for segment in path.strip("/").split("/"):
        if segment in _SEGMENT_KINDS:
            return _SEGMENT_KINDS[segment]
    if path in ("", "/") or _PAGINATION.search(path):
        return "listing"
    if _DATE_ONLY_PATH.match(path):
        return "calendar"
    return None


def _density(tree: HtmlElement) -> tuple[int, int]:
    """(longest run of paragraph text under one parent, number of links in the body)."""
    runs = paragraph_runs(tree)
    links = len(tree.xpath("//body//a[@href]"))
    return max(runs.values(), default=0), links
