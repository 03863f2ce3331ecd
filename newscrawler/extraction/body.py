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
``_SharedReadings`` does that once per page and runs the rest of each reading on the pruned
tree (see there).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from copy import copy
from functools import cache
from types import SimpleNamespace
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import JUSTEXT_LANGUAGES

from .furniture import drop_furniture_lines

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
LOGGER = logging.getLogger(__name__)


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

    The shared-pruning reader when trafilatura's internals are as expected and the page is
    not a discussion forum (where recall mode keeps comment sections), else public readings.
    """
    internals = _trafilatura_internals()
    if internals is not None and not internals._forum_thread_page(tree):
        return _SharedReadings(internals, tree, url).read
    return lambda **options: public_reading(tree, url, **options)


def public_reading(tree: HtmlElement, url: str, **options: Any) -> str:
    """One reading through trafilatura's public ``bare_extraction``."""
    # bare_extraction copies an element it is given, so each reading leaves ``tree`` intact.
    return _text(trafilatura.bare_extraction(tree, url=url, **_OPTIONS, **options))


# What _SharedReadings uses of trafilatura.core (its own names and the ones it imported).
_INTERNALS = (
    "_forum_thread_page", "_prepare_tree", "_extract_and_compare", "prune_unwanted_nodes",
    "RAW_TREE_PRUNE_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH", "REMOVE_COMMENTS_XPATH",
    "baseline", "check_html_lang", "language_filter", "LANGID_FLAG", "strip_tags",
    "xmltotxt", "Document", "Extractor", "DEFAULT_CONFIG",
)


@cache
def _trafilatura_internals() -> SimpleNamespace | None:
    """trafilatura.core's private names that _SharedReadings uses; None if one is missing."""
    try:
        from trafilatura import core

        return SimpleNamespace(**{name: getattr(core, name) for name in _INTERNALS})
    except (ImportError, AttributeError) as err:
        LOGGER.warning("trafilatura internals differ, readings prune separately: %s", err)
        return None


class _SharedReadings:
    """trafilatura's readings of one page, with the raw-tree pruning made once for all.

    ``bare_extraction`` (trafilatura 2.3.1) copies the tree, then ``trafilatura_sequence``
    prunes appended articles (``RAW_TREE_PRUNE_XPATH``) and, comments being off, comment
    sections and lists (``REMOVE_COMMENTS_AND_LISTS_XPATH``) from that copy before anything
    else, whatever the focus, except in recall mode on a discussion forum; everything after
    reads the pruned tree without changing it (it works on copies). So the copy and pruning
    are made once here, and :meth:`read` runs the rest of ``bare_extraction`` for
    ``favor_precision``/``favor_recall`` readings, step for step, on the pruned tree.

    This is trafilatura's private API: only this class touches it, ``tests`` compare its
    texts with :func:`public_reading`'s, and a missing name makes :func:`_reader` fall back
    to the public path.
    """

    def __init__(self, internals: SimpleNamespace, tree: HtmlElement, url: str) -> None:
        self._core = internals
        self._raw = tree
        self._url = url
        self._pruned: HtmlElement | None = None

    def _pruned_tree(self) -> HtmlElement:
        if self._pruned is None:
            core = self._core
            pruned = core.prune_unwanted_nodes(copy(self._raw), core.RAW_TREE_PRUNE_XPATH)
            self._pruned = core.prune_unwanted_nodes(pruned, core.REMOVE_COMMENTS_AND_LISTS_XPATH)
        return self._pruned

    def read(self, *, favor_precision: bool = False, favor_recall: bool = False,
             fast: bool = False, target_language: str | None = None) -> str:
        core = self._core
        # bare_extraction's options, as it builds them from its defaults and ours
        options = core.Extractor(
            config=core.DEFAULT_CONFIG, output_format="python", fast=fast,
            precision=favor_precision, recall=favor_recall,
            comments=_OPTIONS["include_comments"], formatting=None, links=False, images=False,
            tables=_OPTIONS["include_tables"], dedup=False, lang=target_language, url=self._url,
            with_metadata=False, only_with_metadata=False, author_blacklist=None,
            url_blacklist=None, date_params=None,
        )
        if options.focus == "balanced" or options.comments or options.with_metadata:
            # not what the shared pruning assumes
            return public_reading(self._raw, self._url, favor_precision=favor_precision,
                                  favor_recall=favor_recall, fast=fast,
                                  target_language=target_language)
        try:
            return self._read(options)
        except (TypeError, ValueError):  # bare_extraction's "discarding data"
            return ""

    def _read(self, options: Any) -> str:
        core = self._core
        # bare_extraction: the HTML language check, on the unpruned tree as there
        if options.lang and (options.fast or not core.LANGID_FLAG):
            if core.check_html_lang(self._raw, options.lang) is False:
                return ""
        # trafilatura_sequence, after its raw-tree pruning, comments off, not a forum
        tree = self._pruned_tree()
        cleaned_tree, cleaned_tree_backup = core._prepare_tree(tree, options, options.url)
        if options.focus == "precision":
            cleaned_tree = core.prune_unwanted_nodes(cleaned_tree, core.REMOVE_COMMENTS_XPATH)
        postbody, temp_text = core._extract_and_compare(
            cleaned_tree, cleaned_tree_backup, tree, options)
        if len(temp_text) < options.min_extracted_size and options.focus != "precision":
            b_body, b_text, b_len = core.baseline(tree)
            if b_len > len(temp_text):
                postbody, temp_text = b_body, b_text
        # bare_extraction again: tree size, length and language checks, then the text
        if options.max_tree_size:
            if len(postbody) > options.max_tree_size:
                core.strip_tags(postbody, "hi")
            if len(postbody) > options.max_tree_size:
                return ""
        if len(temp_text) < options.min_output_size and 0 < options.min_output_comm_size:
            return ""
        if options.lang:
            wrong_language, _ = core.language_filter(temp_text, "", options.lang,
                                                     core.Document())
            if wrong_language is True:
                return ""
        return (core.xmltotxt(postbody, options.formatting) or "").strip()


def _text(document: Any) -> str:
    return (document.text or "").strip() if document is not None else ""


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return Counter(zip(words, words[1:], words[2:], strict=False))


def _normalise(line: str) -> str:
    return " ".join(line.split())
