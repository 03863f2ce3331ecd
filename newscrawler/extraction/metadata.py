"""Page metadata read from the parsed tree: meta tags, canonical URL, language, authors, dates.

Everything here prefers what the publisher declared (JSON-LD, meta tags, ``<html lang>``)
over anything guessed; the guesses (trafilatura, detection, discovery hints) are fallbacks
applied by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin

from lxml.html import HtmlElement

from . import jsonld
from .dates import Stamp, parse_datetime

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
)
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")

_ISO_639_2 = {
    "fra": "fr",
    "fre": "fr",
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "ita": "it",
    "nld": "nl",
    "dut": "nl",
    "por": "pt",
}
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:[,;|]|\s[&/]\s|\band\b|\bet\b|\bund\b)\s*", re.IGNORECASE)
_AUTHOR_PREFIX = re.compile(r"^(?:written\s+by|by|par|von|por)\s*:?\s+", re.IGNORECASE)


def meta_map(tree: HtmlElement) -> dict[str, str]:
    """Meta values by lower-cased property/name/itemprop/http-equiv; the first one wins.

    Elements other than ``<meta>`` count too when they carry ``itemprop`` and a
    ``content`` or ``datetime`` attribute (``<time itemprop="datePublished">``).
    """
    found: dict[str, str] = {}
    for element in tree.xpath("//meta | //*[@itemprop][@content or @datetime]"):
        key = (
            (
                element.get("property")
                or element.get("name")
                or element.get("itemprop")
                or element.get("http-equiv")
                or ""
            )
            .strip()
            .lower()
        )
        value = (element.get("content") or element.get("datetime") or "").strip()
        if key and value:
            found.setdefault(key, value)
    return found


def canonical_url(tree: HtmlElement, meta: Mapping[str, str], url: str) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, made absolute against the page URL.

    A value ``urllib`` cannot even split (``http://[``) is no canonical URL: the next one
    is tried.
    """
    declared = [link.get("href") for link in tree.iter("link")
                if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")]
    for href in [*declared[:1], meta.get("og:url")]:
        if href:
            try:
                return urljoin(url, href.strip())
            except ValueError:
                continue
    return None


def iso639_1(value: str | None) -> str | None:
    """Reduce ``fr-FR``, ``fr_FR``, ``FRA`` to ``fr``; None for anything unrecognisable."""
    if not value:
        return None
    code = re.split(r"[-_\s,;]", value.strip().lower(), maxsplit=1)[0]
    code = _ISO_639_2.get(code, code)
    return code if len(code) == 2 and code.isalpha() else None


def declared_language(
    tree: HtmlElement,
    meta: Mapping[str, str],
    headers: Mapping[str, str],
    article: jsonld.Node | None,
) -> str | None:
    """The language the publisher declared, in order of how specific the declaration is."""
    html = tree.getroottree().getroot()
    declarations = (
        html.get("lang"),
        html.get("{http://www.w3.org/XML/1998/namespace}lang"),
        meta.get("og:locale"),
        headers.get("content-language"),
        meta.get("content-language"),
        jsonld.text_field(article, "inLanguage"),
        meta.get("language"),
        meta.get("dc.language"),
    )
    return next((code for code in map(iso639_1, declarations) if code), None)


def split_authors(raw: str) -> list[str]:
    """Split "By A, B and C" / "Par A et B" into names."""
    names = []
    for part in _AUTHOR_SEPARATORS.split(_AUTHOR_PREFIX.sub("", raw.strip())):
        part = _AUTHOR_PREFIX.sub("", part.strip()).strip(" .:-")
        if part:
            names.append(part)
    return names


def clean_authors(raws: list[str]) -> list[str]:
    """Split, drop URLs and implausible names, de-duplicate keeping order."""
    seen: dict[str, str] = {}
    for raw in raws:
        if "://" in raw:
            continue
        for name in split_authors(raw):
            if "@" in name or len(name) > 80 or not any(c.isalpha() for c in name):
                continue
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


def declared_authors(nodes: list[jsonld.Node], meta: Mapping[str, str]) -> list[str]:
    """Authors from the article's JSON-LD, else from author meta tags."""
    article = jsonld.article_node(nodes)
    if article is not None:
        found = clean_authors(jsonld.names(article.get("author"), nodes))
        if found:
            return found
    return clean_authors([meta[key] for key in AUTHOR_META if key in meta])


def declared_dates(nodes: list[jsonld.Node], meta: Mapping[str, str], key: str) -> list[Stamp]:
    """Date candidates for ``key`` ("published"/"modified"): JSON-LD first, then meta tags."""
    ld_keys = ("datePublished", "dateCreated") if key == "published" else ("dateModified",)
    meta_keys = PUBLISHED_META if key == "published" else MODIFIED_META
    article = jsonld.article_node(nodes)
    ordered = [article] if article is not None else []
    ordered += [n for n in nodes if n is not article]
    values = [_date_value(node, k) for k in ld_keys for node in ordered]
    values += [meta.get(k) for k in meta_keys]
    return [stamp for stamp in map(parse_datetime, values) if stamp]


def _date_value(node: jsonld.Node, key: str) -> str | None:
    """A JSON-LD date as text: a string, or a number (seconds or milliseconds since 1970,
    which some CMSs write unquoted)."""
    value = node.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    return jsonld.text_field(node, key)


def time_element_dates(tree: HtmlElement, key: str) -> list[Stamp]:
    """``<time datetime>`` candidates, those inside ``<article>`` first.

    A ``<time>`` classed "updated"/"modified" is a modified date, any other a published one.
    """
    times = [element for element in tree.iter("time") if element.get("datetime") is not None]
    in_article = [element for element in times
                  if next(element.iterancestors("article"), None) is not None]
    found: list[Stamp] = []
    for elements in (in_article, times):
        for element in elements:
            marks = f"{element.get('class', '')} {element.get('itemprop', '')}".lower()
            is_modified = "updated" in marks or "modified" in marks
            if is_modified == (key == "modified"):
                stamp = parse_datetime(element.get("datetime"))
                if stamp:
                    found.append(stamp)
        if found:
            break
    return found
