"""htmldate's last-resort date parser is limited to the page's language and English."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest
from htmldate import extractors

from newscrawler.extraction import Article, datelanguages, extract
from newscrawler.extraction.core import parse_html
from newscrawler.extraction.guesses import DATE_PARAMS, Guesses

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
    return datelanguages.find_date(tree, language=language, url=None, **DATE_PARAMS)


def test_date_languages_are_the_page_language_its_scripts_and_english() -> None:
    assert datelanguages.date_languages("fr") == ("en", "fr")
    assert datelanguages.date_languages("en") == ("en",)
    assert datelanguages.date_languages(None) == ("en",)
    assert datelanguages.date_languages("xx") == ("en",)
    assert datelanguages.date_languages("no") == ("en", "nb")
    assert datelanguages.date_languages("zh") == ("en", "zh", "zh-Hans", "zh-Hant")


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


def test_outside_find_date_htmldate_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = datelanguages._HOOKS
    assert hooks is not None
    seen: list[str] = []
    monkeypatch.setattr(hooks, "original_external", lambda s: seen.append(s) or None)
    monkeypatch.setattr(hooks, "original_month_words", lambda: frozenset({"sentinel"}))
    _find(_page("Published on 17 May 2024"), "fr")
    assert datelanguages._cached_for[0] == ("en", "fr")
    assert extractors._external_date("15 octobre 19:30 2019") is None
    assert seen == ["15 octobre 19:30 2019"]
    # try_date_expr may now cache an all-language value: the next search empties it first
    assert datelanguages._cached_for[0] is None
    assert extractors.month_words() == frozenset({"sentinel"})
    with datelanguages._using(("en", "fr")):
        assert "octobre" in extractors.month_words() and "sentinel" not in extractors.month_words()
        assert extractors._external_date("15 octobre 19:30 2019") == datetime(2019, 10, 15, 19, 30)
    assert seen == ["15 octobre 19:30 2019"]


def test_without_the_hooks_find_date_is_htmldates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datelanguages, "_HOOKS", None)
    assert _find(_page("Published on 17 May 2024"), "fr") == "2024-05-17T00:00:00"


def test_hooks_are_not_installed_when_htmldate_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(extractors, "month_words")
    hook = extractors._external_date
    assert datelanguages._install() is None
    assert extractors._external_date is hook


def test_a_worker_loads_only_the_languages_of_its_pages() -> None:
    """The all-language parser and month names are never built (tens of MiB a worker)."""
    code = f"""
import json
from htmldate import extractors
from dateparser.languages.loader import default_loader
from newscrawler.analysis import page as worker
from newscrawler.extraction import datelanguages
worker.warm_up()
after_warm_up = sorted(default_loader._loaded_locales)
page = {json.dumps(_page("15 avril, 2 et 6 Mai 19", lang="fr"))}.encode()
result = worker.analyse_page(page, "https://x.example/a", {{}}, force_article=True).result
print(json.dumps([after_warm_up, sorted(default_loader._loaded_locales),
                  extractors.get_external_parser.cache_info().currsize,
                  datelanguages._HOOKS.original_month_words.cache_info().currsize,
                  result.title]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    warm, loaded, all_language_parsers, all_month_words, title = json.loads(out.stdout)
    assert warm == ["en"]
    assert loaded == ["en", "fr"]
    assert all_language_parsers == 0 and all_month_words == 0
    assert title == "Night buses"
