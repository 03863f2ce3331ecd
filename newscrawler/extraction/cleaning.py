"""Paragraph runs, the reunion of article bodies a theme split into several containers, and
the navigation dropped before the article is read.

Themes that insert advertising slots often cut the body into sibling chunks that share
one tag and class (``<div class="article-body">`` x 4); trafilatura then keeps the first
chunk only. Moving the later chunks' content into the first one gives it the whole text.

A page's ``<nav>`` sections (its menus: a fifth of a news page's elements) are dropped once
its kind and links have been read: trafilatura throws them away before reading the body,
and no field of the article comes from them, so every copy and search of the tree that
trafilatura's readings make costs that much less.

Boilerplate is not pruned here by class name: trafilatura's own cleaning does it better
(class-name pruning removed real paragraphs and lowered body F1 on every setting tried).
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

_MIN_PARAGRAPH = 40
# A chunk holds at least this much paragraph text: a lone teaser line is not a chunk.
_MIN_CHUNK = 80


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


def merge_split_bodies(tree: HtmlElement) -> int:
    """Move the content of the main body's sibling chunks into it; return how many moved.

    The main body is the parent of the longest paragraph run; its chunks are the other
    paragraph parents with the same tag and class attribute, none nested in another.
    """
    runs = paragraph_runs(tree)
    if not runs:
        return 0
    main = max(runs, key=runs.__getitem__)
    if not (main.get("class") or "").strip():
        return 0
    chunks = [
        element
        for element, length in runs.items()
        if _same_kind(element, main) and (length >= _MIN_CHUNK or element is main)
    ]
    chunks = [c for c in chunks if not any(a in chunks for a in c.iterancestors())]
    if len(chunks) < 2:
        return 0
    first = chunks[0]
    for chunk in chunks[1:]:
        # Text directly inside a chunk has no element to carry it; it is rare and short.
        first.extend(list(chunk))
    return len(chunks) - 1


def drop_navigation(tree: HtmlElement) -> None:
    """Remove the page's ``<nav>`` elements and what they hold (the text after each stays)."""
    etree.strip_elements(tree, "nav", with_tail=False)


def _same_kind(element: HtmlElement, main: HtmlElement) -> bool:
    return element.tag == main.tag and element.get("class") == main.get("class")
