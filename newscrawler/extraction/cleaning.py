"""Remove page furniture before body extraction: share bars, related posts, comments...

trafilatura drops most boilerplate itself; this catches what themes wrap in recognisable
class/id names. Matching is on class/id tokens, general (never per site). The element
holding the page's longest run of paragraphs, and its ancestors, are never removed, so an
over-eager theme class such as ``<div class="post has-comments">`` cannot wipe the body.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

_BOILERPLATE = re.compile(
    r"(?:^|[-_])(?:share(?!d)|sharing|sharedaddy|social|related|newsletter|subscribe|cookie"
    r"|consent|gdpr|comment(?!ary|aire)|respond(?![a-z])|disqus"
    r"|author-?(?:box|bio|info|card|profile)|about-?(?:the-?)?author|widget|sidebar|advert"
    r"|promo(?![a-z])|breadcrumbs?|pagination|post-navigation|nav-links|most-read|paywall)",
    re.IGNORECASE,
)
_PROTECTED_TAGS = frozenset({"html", "body", "main", "head"})
_MIN_PARAGRAPH = 40


def paragraph_runs(tree: HtmlElement) -> dict[HtmlElement, int]:
    """Characters of paragraph text (links excluded) under each direct parent of ``<p>``s."""
    runs: dict[HtmlElement, int] = {}
    for paragraph in tree.iter("p"):
        link_text = sum(len(a.text_content()) for a in paragraph.iter("a"))
        length = len(paragraph.text_content().strip()) - link_text
        parent = paragraph.getparent()
        if length >= _MIN_PARAGRAPH and parent is not None:
            runs[parent] = runs.get(parent, 0) + length
    return runs


def prune_boilerplate(tree: HtmlElement) -> int:
    """Remove boilerplate elements from ``tree`` in place; return how many were removed."""
    runs = paragraph_runs(tree)
    protected: set[HtmlElement] = set()
    if runs:
        main = max(runs, key=runs.__getitem__)
        protected = {main, *main.iterancestors()}
    root = tree.getroottree().getroot()
    removed = 0
    for element in tree.xpath("//body//*[@class or @id]"):
        if element in protected or not _is_boilerplate(element):
            continue
        # Skip descendants of an element already dropped: they left the page with it.
        if not any(ancestor is root for ancestor in element.iterancestors()):
            continue
        element.drop_tree()
        removed += 1
    return removed


def _is_boilerplate(element: HtmlElement) -> bool:
    if not isinstance(element.tag, str) or element.tag in _PROTECTED_TAGS:
        return False
    names = f"{element.get('class', '')} {element.get('id', '')}".split()
    return any(_BOILERPLATE.search(name) for name in names)
