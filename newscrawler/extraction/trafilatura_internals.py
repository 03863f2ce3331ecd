"""trafilatura's private extraction steps, to prune a page's raw tree once for both readings.

``bare_extraction`` (trafilatura 2.3.1) copies the tree, then ``trafilatura_sequence``
prunes appended articles (``RAW_TREE_PRUNE_XPATH``) and, comments being off, comment
sections and lists (``REMOVE_COMMENTS_AND_LISTS_XPATH``) from that copy before anything
else, whatever the focus, except in recall mode on a discussion forum; everything after
reads the pruned tree without changing it (it works on copies). ``SharedReadings`` makes
the copy and pruning once, and runs the rest of ``bare_extraction`` for
``favor_precision``/``favor_recall`` readings, step for step, on the pruned tree: about a
sixth of an extraction's CPU time saved.

This is trafilatura's private API, so it is used only on the version it was verified
against (``VERIFIED``, pinned in constraints.txt): on any other, or if a name is missing,
one WARNING and ``shared_reader`` returns None, and the caller reads through the public
``bare_extraction``. The tests compare both paths' texts page by page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from copy import copy
from functools import cache
from types import SimpleNamespace
from typing import Any

from lxml.html import HtmlElement

from newscrawler.version_gate import verified

__all__ = ["VERIFIED", "SharedReadings", "internals", "shared_reader"]

LOGGER = logging.getLogger(__name__)
VERIFIED = "2.3.1"
Reading = Callable[..., str]

# What SharedReadings uses of trafilatura.core (its own names and the ones it imported).
_INTERNALS = (
    "_forum_thread_page", "_prepare_tree", "_extract_and_compare", "prune_unwanted_nodes",
    "RAW_TREE_PRUNE_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH", "REMOVE_COMMENTS_XPATH",
    "baseline", "check_html_lang", "language_filter", "LANGID_FLAG", "strip_tags",
    "xmltotxt", "Document", "Extractor", "DEFAULT_CONFIG",
)


@cache
def internals() -> SimpleNamespace | None:
    """trafilatura.core's private names SharedReadings uses; None off the verified version
    or if one is missing (one WARNING either way)."""
    if not verified("trafilatura", VERIFIED, "the shared-pruning readings"):
        return None
    try:
        from trafilatura import core

        return SimpleNamespace(**{name: getattr(core, name) for name in _INTERNALS})
    except (ImportError, AttributeError) as err:
        LOGGER.warning("trafilatura internals differ, readings prune separately: %s", err)
        return None


def shared_reader(tree: HtmlElement, url: str, public: Reading) -> Reading | None:
    """``SharedReadings(...).read`` for ``tree``, or None where the public path must read:
    internals unavailable, or a discussion forum (where recall mode keeps comments).

    ``public(tree, url, **options)`` is the public reading, used for option sets the shared
    pruning does not cover.
    """
    core = internals()
    if core is None or core._forum_thread_page(tree):
        return None
    return SharedReadings(core, tree, url, public).read


class SharedReadings:
    """trafilatura's readings of one page, with the raw-tree pruning made once for all
    (see the module's docstring); only for comments off and tables on, as extract_body
    reads."""

    def __init__(self, core: SimpleNamespace, tree: HtmlElement, url: str,
                 public: Reading) -> None:
        self._core = core
        self._raw = tree
        self._url = url
        self._public = public
        self._pruned: HtmlElement | None = None

    def pruned_tree(self) -> HtmlElement:
        """The page's tree, copied and pruned once (the page's own tree stays whole)."""
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
            comments=False, formatting=None, links=False, images=False,
            tables=True, dedup=False, lang=target_language, url=self._url,
            with_metadata=False, only_with_metadata=False, author_blacklist=None,
            url_blacklist=None, date_params=None,
        )
        if options.focus == "balanced" or options.comments or options.with_metadata:
            # not what the shared pruning assumes
            return self._public(self._raw, self._url, favor_precision=favor_precision,
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
        tree = self.pruned_tree()
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


