"""Pure article extraction: (body bytes, url, headers) -> Article | Rejected(reason).

No I/O, no configuration read at import: safe to call in worker processes. ``extract`` (and
trafilatura behind it) is imported on first use: the crawl's main process only decodes and
classifies pages, and does not pay trafilatura's memory for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .article import Article, Rejected
from .decoding import decode_html
from .pagetype import KINDS, classify_page

if TYPE_CHECKING:
    from .core import EXTRACTOR, extract, extract_tree, parse_page, reset_caches

__all__ = [
    "EXTRACTOR",
    "KINDS",
    "Article",
    "Rejected",
    "classify_page",
    "decode_html",
    "extract",
    "extract_tree",
    "parse_page",
    "reset_caches",
]

_LAZY = {"EXTRACTOR", "extract", "extract_tree", "parse_page", "reset_caches"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
