"""Extraction functions the reextract tests point the workers at: the crawl's own analysis,
changed the way a new extractor version might change it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from newscrawler.analysis.normalise import content_hash
from newscrawler.analysis.page import PageAnalysis, analyse_page

CHANGED = "/sciences/"  # the pages whose text the new extractor reads differently
NOTE = "Note de la rédaction : cet article a été relu."
EXTRACTOR = "altered 2.0"


def _alter(analysis: PageAnalysis, changed: bool) -> PageAnalysis:
    article = analysis.article
    if article is None:
        return analysis
    text = f"{article.text}\n{NOTE}" if changed else article.text
    new = replace(article, text=text, extractor=EXTRACTOR)
    return replace(analysis, result=new, content_hash=content_hash(new.title, new.text))


def altered(body: bytes, url: str, headers: Mapping[str, str], **options: Any) -> PageAnalysis:
    """The crawl's analysis; the text of pages under ``CHANGED`` gains a paragraph."""
    return _alter(analyse_page(body, url, headers, **options), CHANGED in url)


def slow_altered(body: bytes, url: str, headers: Mapping[str, str],
                 **options: Any) -> PageAnalysis:
    """Every page's text changes, slowly enough for a test to kill the run midway."""
    time.sleep(0.05)
    return _alter(analyse_page(body, url, headers, **options), True)
