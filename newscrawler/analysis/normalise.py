"""The text form versions are compared on, and the content hash computed from it.

A new version is recorded only when the words change: Unicode composition, whitespace and
line breaks, typographic quotes, dashes and invisible characters are unified first, so a
re-rendered page (curly vs straight quotes, nbsp, a soft hyphen) is not an edit. Case and
punctuation are kept: they can be real corrections.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["content_hash", "normalise"]

_WHITESPACE = re.compile(r"\s+")
_REPLACEMENTS = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    "\u2026": "...",
    # Invisible characters that renderers insert or drop at will.
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
}
# The same as ``str.translate`` with this table, character by character, but a regex scan
# skips the (many) characters that stay: translate looks each one up in a dict.
_TO_REPLACE = re.compile("[" + "".join(map(re.escape, _REPLACEMENTS)) + "]")
_REPLACE = _REPLACEMENTS.__getitem__


def normalise(value: str) -> str:
    """NFC, typographic quotes/dashes made plain, invisibles dropped, whitespace collapsed."""
    value = _TO_REPLACE.sub(_replacement, unicodedata.normalize("NFC", value))
    return _WHITESPACE.sub(" ", value).strip()


def content_hash(title: str, text: str, *, normalised_text: str | None = None) -> str:
    """SHA-256 of the normalised title and text: equal exactly when no version is due.

    ``normalised_text``, when given, is ``normalise(text)`` already computed by the caller.
    """
    if normalised_text is None:
        normalised_text = normalise(text)
    payload = normalise(title) + "\n" + normalised_text
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _replacement(match: re.Match[str]) -> str:
    return _REPLACE(match.group())
