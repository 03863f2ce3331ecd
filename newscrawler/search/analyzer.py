"""Text analysis shared by the index and the queries: fold, split, stem.

An article's title and text become a list of terms: case folded, accents removed, split
into letter-and-digit runs, then stemmed by the article's language (French and English with
the Snowball stemmers of PyStemmer; every other language is folded but not stemmed). Folding
happens BEFORE stemming, so an accentless query and an accented text reach the stemmer as
the same string ("élections" and "elections" both give "elect").

The SQLite index calls it from its triggers, also to delete what it once inserted (see
``search.sqlite``): any change to its output must come with a migration that rebuilds the
index (``search.schema.reindex``), and PyStemmer stays pinned.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer

__all__ = ["STEMMED", "fold", "index_text", "language_key", "stem", "terms", "words"]

STEMMED = {"fr": "french", "en": "english"}
# Combining marks left by NFKD decomposition (Latin, Greek and Cyrillic accents, Hebrew
# points, Arabic vowel signs); the stdlib's ``re`` has no \p{Mn}.
MARK_CLASS = (
    "\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u1ab0-\u1aff"
    "\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_MARKS = re.compile(f"[{MARK_CLASS}]")
# Letters NFKD leaves whole although readers take them for a plain letter or two.
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ø", "o"), ("đ", "d"), ("ł", "l"), ("ı", "i"))
# Letters and digits; the underscore and every other character separate words.
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case, accent-free form (``Été`` -> ``ete``, ``Œuvre`` -> ``oeuvre``)."""
    text = text.casefold()
    if text.isascii():
        return text
    for letter, plain in _LIGATURES:
        if letter in text:
            text = text.replace(letter, plain)
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (``L'État, covid-19`` -> l, etat, covid, 19)."""
    return _WORD.findall(fold(text))


MEMO_SIZE = 50_000  # stems remembered per language and thread (a few MiB), then forgotten
# PyStemmer's stemmers must not be shared between threads (the crawl's writer thread, a
# web server's workers): one per thread and language, each with a dict of the stems it
# computed (twice as fast as PyStemmer's own cache, which is off).
_local = threading.local()


def _stemmer(language: str) -> tuple[Stemmer.Stemmer, dict[str, str]]:
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = (Stemmer.Stemmer(STEMMED[language], 0), {})
    return stemmers[language]


def language_key(language: str | None) -> str | None:
    """``fr``/``en`` when the article's language code is stemmed, else None."""
    code = (language or "")[:2].lower()
    return code if code in STEMMED else None


def stem(folded_words: list[str], language: str | None) -> list[str]:
    """Already folded words stemmed for ``language`` (unchanged if it is not stemmed)."""
    key = language_key(language)
    if key is None:
        return folded_words
    stemmer, memo = _stemmer(key)
    missing = [word for word in set(folded_words) if word not in memo]
    if len(memo) + len(missing) > MEMO_SIZE:
        memo.clear()
        missing = list(set(folded_words))
    if missing:
        memo.update(zip(missing, stemmer.stemWords(missing), strict=True))
    return [memo[word] for word in folded_words]


def terms(text: str, language: str | None) -> list[str]:
    """What the index stores for ``text`` written in ``language``."""
    return stem(words(text), language)


def index_text(text: str | None, language: str | None) -> str:
    """``terms`` joined by spaces: the SQLite index's column value (a whitespace tokenizer
    splits it back); ``""`` for NULL."""
    return " ".join(terms(text, language)) if text else ""
