"""Pure article extraction: (body bytes, url, headers) -> Article | Rejected(reason).

No I/O, no configuration read at import: it runs in the crawl's extraction workers
(``newscrawler.analysis``), in ``reextract`` and in tests alike. ``extract`` (and trafilatura
behind it) is imported on first use, so a process that only classifies or decodes pages
does not pay trafilatura's memory.
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
