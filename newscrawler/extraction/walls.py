"""Pages that answer 200 without the article: consent walls, paywall teasers, soft 404s.

A site may answer an article's URL with a cookie-consent interstitial, or with its first
paragraph and a subscription offer. Stored, either would become the article's text (and the
full text, fetched another day, a "new version" of it). Both are told by what the page says,
in English and French, never by which site it is:

* a consent wall is a short page (its whole visible text under ``CONSENT_PAGE_CHARS``) that
  speaks of cookies or trackers and of accepting, refusing or partners; an article page
  with a cookie banner says much more than that;
* a paywall teaser is a short extracted text (under ``PAYWALL_TEXT_CHARS``) on a page that
  says the rest is for subscribers. A long text is kept whatever the page says around it:
  it is the article. JSON-LD's ``isAccessibleForFree: false`` alone is not enough: a site
  may declare it on a page that carries the whole text, or a teaser a reader would keep;
* a soft 404 is a page whose title or first heading says "not found" (``classify_page``
  calls it an ``error``); a page forced to be read as an article is one only if its text is
  short too (under ``SOFT_404_TEXT_CHARS``): an article may be about broken links.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from .pagetype import is_error_page

CONSENT_PAGE_CHARS = 1500
PAYWALL_TEXT_CHARS = 1500
SOFT_404_TEXT_CHARS = 1500
# Elements whose text no reader sees.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "title"})

_STORAGE = re.compile(
    r"\bcookies?\b|\btraceurs?\b|\btrackers?\b|\byour device\b|\bvotre (?:appareil|terminal)\b",
    re.IGNORECASE)
_CHOICE = re.compile(
    r"\bconsent(?:ement)?\b|\baccept(?:er|ez)?\b|\btout accepter\b|\bagree\b|\breject\b"
    r"|\brefuser\b|\bpartners\b|\bpartenaires\b", re.IGNORECASE)
_PAYWALL = re.compile(
    r"subscribe (?:now |today )?to (?:continue|keep) reading"
    r"|to (?:continue|keep) reading,? (?:please )?(?:subscribe|become a subscriber)"
    r"|(?:article|story|content) is (?:only )?(?:available |reserved )?(?:for|to) "
    r"(?:paying )?subscribers|\bsubscribers only\b|\bexclusive to subscribers\b"
    r"|réservée? (?:exclusivement )?aux abonnés|la suite (?:de cet article )?est réservée"
    r"|pour lire la suite|il vous reste \d+ ?% de cet article",
    re.IGNORECASE)


def is_consent_wall(tree: HtmlElement) -> bool:
    """Whether the page is only a cookie-consent request (read before extraction)."""
    text = visible_text(tree, CONSENT_PAGE_CHARS)
    return (len(text) < CONSENT_PAGE_CHARS and bool(_STORAGE.search(text))
            and bool(_CHOICE.search(text)))


def is_paywall_teaser(tree: HtmlElement, text: str) -> bool:
    """Whether ``text``, the page's extracted body, is only the teaser of a paywalled article."""
    return len(text) < PAYWALL_TEXT_CHARS and bool(_PAYWALL.search(visible_text(tree, 200_000)))


def is_soft_404(tree: HtmlElement, text: str) -> bool:
    """Whether a page read as an article whatever its kind, with ``text`` extracted, is an
    error page (pages classified first are soft 404s when ``classify_page`` says ``error``)."""
    return len(text) < SOFT_404_TEXT_CHARS and is_error_page(tree)


def visible_text(tree: HtmlElement, limit: int) -> str:
    """The text a reader sees in the page's body, in order, whitespace collapsed; reading
    stops past ``limit`` characters (a page of ten megabytes costs no more than a short one),
    so the text is longer than ``limit`` exactly when the page says more."""
    root = tree.find(".//body")
    if root is None:
        root = tree
    parts: list[str] = []
    size = 0
    hidden = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        skip = not isinstance(element.tag, str) or element.tag in _HIDDEN
        if event == "start":
            hidden += skip
            piece = element.text if not hidden else None
        else:
            hidden -= skip
            piece = element.tail if element is not root and not hidden else None
        if piece and not piece.isspace():
            parts.append(" ".join(piece[: limit + 1 - size].split()))
            size += len(parts[-1]) + 1
            if size > limit:
                break
    return " ".join(parts)[: limit + 1]
