"""The article body: two trafilatura readings of one tree, and the choice between them.

trafilatura's precision mode drops doubtful blocks (teasers, captions, bylines) but now and
then a real paragraph too; its recall mode keeps those paragraphs and some furniture with
them. Both read copies of the same parsed tree; the precise one skips trafilatura's costly
fallbacks (readability, jusText) unless it came out much shorter than the recall one. The
precise text is kept unless the recall one contains nearly all of it and what it adds reads
as prose: long lines that end a sentence.
Recall rather than balanced mode: it scored higher as the second reading, and costs less.
Lines of furniture both modes let through ("Read also", photo credits) are dropped last.

Every reading starts the same way: trafilatura copies the raw tree and prunes appended
articles and comment sections from it (with the copy, a sixth of an extraction's CPU time).
``trafilatura_internals`` does that once per page and runs the rest of each reading on the
pruned tree, on the one trafilatura version it was verified against.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import JUSTEXT_LANGUAGES

from .furniture import drop_furniture_lines
from .trafilatura_internals import shared_reader

# A precise reading without trafilatura's fallbacks (readability and jusText on a pruned copy
# of the raw tree: half its cost) differs from a full one only when it lost much of the
# article, so the full reading is made only below this share of the recall length.
# trafilatura itself prefers readability's text when that is twice as long as its own.
_MAX_DOUBTFUL_SHARE = 0.6
# Below this share of the recall length, the precise reading lost the article itself.
_MIN_PRECISE_SHARE = 0.2
# The recall reading must add this share of text to be worth considering...
_MIN_GAIN = 0.2
# ...contain this share of the precise reading's shingles (same article, not another block)...
_MIN_CONTAINMENT = 0.9
# ...and this share of its added characters must be prose lines, at least a few paragraphs'
# worth: a newsletter blurb or an author bio under the article is one or two prose lines.
_MIN_PROSE_SHARE = 0.8
_MIN_ADDED_PROSE = 400
_PROSE_LINE_LENGTH = 80
_SENTENCE_END = re.compile(r"[.!?…»”\"')]\s*$")
_WORD = re.compile(r"\w+")
# The options every reading shares (include_comments=False is what lets them share the
# pruned tree: trafilatura prunes comment sections from the raw tree only without them).
_OPTIONS: dict[str, Any] = {"include_comments": False, "include_tables": True}


def extract_body(tree: HtmlElement, url: str, language: str | None = None) -> str:
    """Read the body of ``tree`` twice (precise and recall) and keep the better text.

    ``language`` (ISO 639-1, as the page declares it) gives trafilatura's jusText fallback
    that language's stop words instead of the union of all languages' (154,000 words, a
    frozenset rebuilt on every call).
    """
    lang = language if language in JUSTEXT_LANGUAGES else None
    read = _reader(tree, url)
    recall = read(favor_recall=True, target_language=lang)
    precise = read(favor_precision=True, fast=True)
    if len(precise) < _MAX_DOUBTFUL_SHARE * len(recall):
        precise = read(favor_precision=True, target_language=lang)
    return drop_furniture_lines(choose_text(precise, recall))


def choose_text(precise: str, recall: str) -> str:
    """The precise text, unless the recall one is the same article with more prose."""
    if len(precise) < _MIN_PRECISE_SHARE * len(recall):
        return recall
    if len(recall) < (1 + _MIN_GAIN) * len(precise):
        return precise
    if containment(precise, recall) < _MIN_CONTAINMENT:
        return precise
    added = _added_lines(precise, recall)
    total = sum(len(line) for line in added)
    prose = prose_length(added)
    if prose >= _MIN_ADDED_PROSE and prose >= _MIN_PROSE_SHARE * total:
        return recall
    return precise


def containment(part: str, whole: str) -> float:
    """Share of ``part``'s word trigrams (with repeats) that ``whole`` also has."""
    part_shingles = _shingles(part)
    total = sum(part_shingles.values())
    return sum((part_shingles & _shingles(whole)).values()) / total if total else 1.0


def prose_length(lines: list[str]) -> int:
    """Characters of ``lines`` in prose lines: long ones that end a sentence."""
    return sum(
        len(line)
        for line in lines
        if len(line) >= _PROSE_LINE_LENGTH and _SENTENCE_END.search(line)
    )


def _added_lines(base: str, other: str) -> list[str]:
    known = {_normalise(line) for line in base.splitlines()}
    lines = (_normalise(line) for line in other.splitlines())
    return [line for line in lines if line and line not in known]


def _reader(tree: HtmlElement, url: str) -> Callable[..., str]:
    """A function of trafilatura's options that reads the body text of ``tree``.

    The shared-pruning reader where trafilatura's internals allow it (see
    ``trafilatura_internals``), else public readings.
    """
    shared = shared_reader(tree, url, public_reading)
    if shared is not None:
        return shared
    return lambda **options: public_reading(tree, url, **options)


def public_reading(tree: HtmlElement, url: str, **options: Any) -> str:
    """One reading through trafilatura's public ``bare_extraction``."""
    # bare_extraction copies an element it is given, so each reading leaves ``tree`` intact.
    return _text(trafilatura.bare_extraction(tree, url=url, **_OPTIONS, **options))


def _text(document: Any) -> str:
    return (document.text or "").strip() if document is not None else ""


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return Counter(zip(words, words[1:], words[2:], strict=False))


def _normalise(line: str) -> str:
    return " ".join(line.split())
