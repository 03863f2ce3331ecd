"""The guessed metadata: trafilatura's fallbacks, each made only when ``extract`` needs it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import trafilatura.utils

from newscrawler.extraction import Article, extract, guesses, reset_caches
from newscrawler.extraction.core import parse_html
from newscrawler.extraction.guesses import Guesses

PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the report explains, in some detail, how the council plans to "
    f"fund the new night bus routes over the coming {n + 2} years.</p>"
    for n in range(1, 6)
)
BARE_PAGE = (
    "<html><head><title>Night buses for the north</title></head><body><article>"
    '<p class="byline">By <span class="author">Jane Doe</span></p>'
    f"{PARAGRAPHS}</article></body></html>"
)


def _tree(html: str) -> Any:
    tree = parse_html(html)
    assert tree is not None
    return tree


def test_guesses_come_from_the_page_and_its_url() -> None:
    found = Guesses(_tree(BARE_PAGE), "https://www.daily.example/2024/05/17/night-buses")
    assert found.title == "Night buses for the north"
    assert found.sitename == "daily.example"
    assert found.description is None
    assert found.date is not None and found.date.startswith("2024-05-17")


def test_declared_values_are_tidied_and_handles_are_not_authors() -> None:
    head = (
        '<meta property="og:title" content="Night  buses &amp; trams">'
        '<meta property="og:site_name" content="@dailyexample">'
        '<meta name="author" content="jdoe">'
    )
    found = Guesses(_tree(f"<html><head>{head}</head><body></body></html>"), "https://x.example/a")
    assert found.title == "Night buses & trams"
    assert found.sitename == "Dailyexample"
    assert found.author is None


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the costly searches made, in order."""
    made: list[str] = []

    def counted(name: str, search: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            made.append(name)
            return search(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(guesses, "find_date", counted("date", guesses.find_date))
    author_search = guesses.trafilatura_metadata.extract_author
    monkeypatch.setattr(
        guesses.trafilatura_metadata, "extract_author", counted("author", author_search)
    )
    return made


def test_declared_fields_spare_the_searches(searches: list[str]) -> None:
    head = (
        '<meta property="article:published_time" content="2024-05-17T08:30:00+02:00">'
        '<meta name="author" content="Jane Doe"><meta property="og:site_name" content="Daily">'
    )
    page = f"<html><head><title>Night buses</title>{head}</head><body><article>{PARAGRAPHS}"
    body = f"{page}</article></body></html>".encode()
    article = extract(body, "https://x.example/a", force_article=True)
    assert isinstance(article, Article)
    assert article.authors == ["Jane Doe"] and article.published_at is not None
    assert searches == []


def test_a_date_without_time_still_asks_htmldate(searches: list[str]) -> None:
    head = '<meta property="article:published_time" content="2024-05-17">'
    page = f"<html><head>{head}</head><body><article>{PARAGRAPHS}</article></body></html>"
    article = extract(page.encode(), "https://x.example/a", force_article=True)
    assert isinstance(article, Article)
    assert article.published_at == datetime(2024, 5, 17, tzinfo=UTC)
    assert sorted(searches) == ["author", "date"]


def test_reset_caches_empties_trafilaturas_caches() -> None:
    article = extract(BARE_PAGE.encode(), "https://x.example/a", force_article=True)
    assert isinstance(article, Article)
    assert trafilatura.utils.trim.cache_info().currsize > 0
    reset_caches()
    assert trafilatura.utils.trim.cache_info().currsize == 0
