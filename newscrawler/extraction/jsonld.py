"""Read schema.org JSON-LD blocks: the page's top-level nodes, their types and fields.

Only top-level nodes (a block's object or list, ``@graph`` members and ``mainEntity``)
describe the page itself; articles nested in an ``ItemList`` or ``hasPart`` describe
linked pages, which is why a listing carrying NewsArticle teasers is not an article.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

LOGGER = logging.getLogger(__name__)

Node = dict[str, Any]

ARTICLE_TYPES = frozenset(
    {"blogposting", "liveblogposting", "report", "socialmediaposting", "discussionforumposting"}
)
_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$|;\s*$")


def page_nodes(tree: HtmlElement) -> list[Node]:
    """All top-level JSON-LD nodes of the page; invalid blocks are skipped."""
    nodes: list[Node] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load(script.text_content())
        if data is not None:
            nodes.extend(_top_nodes(data))
    return nodes


def _load(text: str) -> Any:
    text = _WRAPPERS.sub("", text.strip())
    try:
        # strict=False: raw newlines inside strings are the most common publisher mistake.
        return json.loads(text, strict=False)
    except ValueError as err:
        LOGGER.debug("invalid JSON-LD block skipped: %s", err)
        return None


def _top_nodes(data: Any) -> Iterator[Node]:
    if isinstance(data, list):
        for item in data:
            yield from _top_nodes(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _top_nodes(data["@graph"])
        if "@type" in data:
            yield data
            main = data.get("mainEntity")
            if isinstance(main, dict | list):
                yield from _top_nodes(main)


def types_of(node: Node) -> set[str]:
    """The node's ``@type`` values, lower-cased and without a schema.org URL prefix."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def is_article(node: Node) -> bool:
    """True for Article, NewsArticle, BlogPosting, ReportageNewsArticle and kin."""
    return any(t.endswith("article") or t in ARTICLE_TYPES for t in types_of(node))


def article_node(nodes: list[Node]) -> Node | None:
    """The first node typed as an article, if any."""
    return next((n for n in nodes if is_article(n)), None)


def resolve(value: Any, nodes: list[Node]) -> Any:
    """Follow an ``{"@id": ...}`` reference to the full node of the same page, if present."""
    if isinstance(value, dict) and "@id" in value and len(value) <= 2:
        target = next((n for n in nodes if n.get("@id") == value["@id"] and n is not value), None)
        return target or value
    return value


def names(value: Any, nodes: list[Node]) -> list[str]:
    """Person/organisation names from a string, a node, a reference or a list of them."""
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        item = resolve(item, nodes)
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            found.append(item["name"])
    return found


def text_field(node: Node | None, key: str) -> str | None:
    """A string field of a node (the first one when the field is a list)."""
    value = node.get(key) if node else None
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None
