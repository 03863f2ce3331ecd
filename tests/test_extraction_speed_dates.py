"""htmldate's last-resort date parser is limited to the page's language and English."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import htmldate
import pytest

from newscrawler import version_gate
from newscrawler.extraction import Article, extract, htmldate_internals, metadata
from newscrawler.extraction.core import parse_html
from newscrawler.extraction.guesses import DATE_PARAMS, Guesses

PAGES = Path(__file__).parent / "fixtures" / "pages"
CONSTRAINTS = (Path(__file__).parents[1] / "constraints.txt").read_text("utf-8")
PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the report explains, in some detail, how the council plans to "
    f"fund the new night bus routes over the coming {n + 2} years.</p>"
    for n in range(1, 6)
)


def _page(date_text: str, lang: str = "") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return (f"<html{lang_attr}><head><title>Night buses</title></head><body><article>"
            f"<h1>Night buses</h1><div class='meta'><span>{date_text}</span></div>"
            f"{PARAGRAPHS}</article></body></html>")


def _find(html: str, language: str | None) -> str | None:
    tree = parse_html(html)
    assert tree is not None
    return htmldate_internals.find_date(tree, language=language, url=None, **DATE_PARAMS)


def test_date_languages_are_the_page_language_its_scripts_and_english() -> None:
    assert htmldate_internals.date_languages("fr") == ("en", "fr")
    assert htmldate_internals.date_languages("en") == ("en",)
    assert htmldate_internals.date_languages(None) == ("en",)
    assert htmldate_internals.date_languages("xx") == ("en",)
    assert htmldate_internals.date_languages("no") == ("en", "nb")
    assert htmldate_internals.date_languages("zh") == ("en", "zh", "zh-Hans", "zh-Hant")


def test_a_date_only_dateparser_reads_is_read_in_the_page_language() -> None:
    # htmldate's own rules do not read this one: dateparser does, in French only.
    html = _page("15 octobre 19:30 2019")
    assert _find(html, "fr") == "2019-10-15T19:30:00"
    # On a page in another language the French month is not tried (htmldate falls back to
    # the year); try_date_expr's cache does not hand over the French page's value...
    assert _find(html, "de") == "2019-01-01T00:00:00"
    # ...nor the German page's value to the next French page.
    assert _find(html, "fr") == "2019-10-15T19:30:00"


def test_english_dates_are_read_on_every_page() -> None:
    # The one benchmark page whose date dateparser changes: it adds the time.
    html = _page("November 20 15:23 2019")
    for language in ("en", "fr", "de", None):
        assert _find(html, language) == "2019-11-20T15:23:00"


def test_guesses_use_the_language_they_are_given() -> None:
    tree = parse_html(_page("15 octobre 19:30 2019"))
    assert tree is not None
    assert Guesses(tree, "https://x.example/a", "fr").date == "2019-10-15T19:30:00"
    assert Guesses(tree, "https://x.example/a", "en").date == "2019-01-01T00:00:00"


def test_extract_reads_the_date_in_the_declared_language() -> None:
    article = extract(_page("15 octobre 19:30 2019", lang="fr").encode(), "https://x.example/a",
                      force_article=True)
    assert isinstance(article, Article)
    assert article.published_at is not None
    assert article.published_at.replace(tzinfo=None) == datetime(2019, 10, 15, 19, 30)


def test_outside_find_date_htmldate_is_unchanged() -> None:
    """htmldate's own find_date still reads every language, before and after ours, and
    neither hands a cached value to the other."""
    html = _page("15 octobre 19:30 2019")
    assert _find(html, "de") == "2019-01-01T00:00:00"
    assert htmldate.find_date(parse_html(html), url=None, **DATE_PARAMS) == "2019-10-15T19:30:00"
    assert _find(html, "de") == "2019-01-01T00:00:00"
    assert _find(html, "fr") == "2019-10-15T19:30:00"


@pytest.mark.parametrize("path", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_hooks_and_htmldate_find_the_same_date_on_real_pages(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both paths, page by page: a page's own language or English reads its date."""
    html = path.read_text("utf-8")
    language = metadata.declared_language(parse_html(html), {}, {}, None)
    hooked = _find(html, language)
    monkeypatch.setattr(htmldate_internals, "_HOOKS", None)
    assert _find(html, language) == hooked


def test_without_the_hooks_find_date_is_htmldates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(htmldate_internals, "_HOOKS", None)
    assert _find(_page("Published on 17 May 2024"), "fr") == "2024-05-17T00:00:00"
    assert _find(_page("15 octobre 19:30 2019"), "de") == "2019-10-15T19:30:00"  # all languages


def test_hooks_are_not_installed_on_another_htmldate(monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(htmldate_internals, "verified",
                        lambda *a: version_gate.verified(*a, installed="0.1"))
    with caplog.at_level(logging.WARNING):
        assert htmldate_internals._install() is None
    assert "the page-language date hooks: verified against htmldate 1.11.0, found 0.1" \
        in caplog.text


def test_the_verified_version_is_the_pinned_one() -> None:
    """Upgrading htmldate in constraints.txt means verifying the hooks again."""
    assert htmldate_internals.VERIFIED == version_gate.installed_version("htmldate")
    assert f"htmldate=={htmldate_internals.VERIFIED}" in CONSTRAINTS


def test_a_worker_loads_only_the_languages_of_its_pages() -> None:
    """The all-language parser and month names are never built (tens of MiB a worker)."""
    code = f"""
import json
from htmldate import extractors
from newscrawler.analysis import page as worker
from newscrawler.extraction import htmldate_internals
worker.warm_up()
page = {json.dumps(_page("15 avril, 2 et 6 Mai 19", lang="fr"))}.encode()
result = worker.analyse_page(page, "https://x.example/a", {{}}, force_article=True).result
print(json.dumps([extractors.get_external_parser.cache_info().currsize,
                  htmldate_internals._HOOKS.original_month_words.cache_info().currsize,
                  result.title]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    all_language_parsers, all_month_words, title = json.loads(out.stdout)
    assert all_language_parsers == 0 and all_month_words == 0
    assert title == "Night buses"
