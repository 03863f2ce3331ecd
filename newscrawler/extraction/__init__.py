"""Pure article extraction: (body bytes, url, headers) -> Article | Rejected(reason).

No I/O, no configuration read at import: safe to call in worker processes.
"""

from .article import Article, Rejected
from .core import EXTRACTOR, extract
from .decoding import decode_html
from .pagetype import KINDS, classify_page

__all__ = ["EXTRACTOR", "KINDS", "Article", "Rejected", "classify_page", "decode_html", "extract"]
