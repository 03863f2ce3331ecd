"""``newscrawler serve``'s pages through Starlette's TestClient, on real SQLite and
PostgreSQL archives: search, filters, paging, articles, versions, diffs, counts over time,
escaping, and bad input answered with a page, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest
from sqlalchemy import Engine

from tests.webarchive import HOSTILE_TITLE, PAGES, Site, error_text, open_site


@pytest.fixture
def site(engine: Engine) -> Iterator[Site]:
    yield from open_site(engine)


def hit_slugs(page) -> list[str]:
    return [url.rsplit("/", 1)[1] for url in page.xpath('//li[@class="hit"]/div[@class="url"]'
                                                         '/text()')]


def test_search_marks_matches_and_counts(site):
    page = site.page("/", q="cessez-le-feu OR ceasefire")
    assert sorted(hit_slugs(page)) == ["ceasefire", "gaza", "hostile"]
    assert page.xpath('string(//p[@class="count"]/strong)') == "3"
    snippets = page.xpath('//p[@class="snippet"]')
    assert {mark.text.lower() for s in snippets for mark in s.xpath("mark")} == {
        "cessez-le-feu", "ceasefire"}
    titles = page.xpath('//a[@class="title"]')
    assert any(title.xpath("mark") for title in titles)  # "Ceasefire holds ..." marked
    assert {title.get("href") for title in titles} == {
        f"/article/{site.id_of(slug)}" for slug in ("ceasefire", "gaza", "hostile")}


def test_every_value_is_escaped(site):
    results = site.get("/", q="ceasefire").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in results
    assert "&lt;img src=x onerror=alert(2)&gt;" in results
    page = lxml.html.fromstring(results)
    assert HOSTILE_TITLE in page.xpath('//a[@class="title"]/text()')
    article = site.get(f"/article/{site.id_of('hostile')}").text
    for shown in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;Eve&lt;/b&gt;",
                  "&lt;i&gt;teaser&lt;/i&gt;", "&lt;img src=x onerror=alert(2)&gt;"):
        assert shown in article
    assert "<b>Eve" not in article and "<i>teaser" not in article
    assert "&lt;script&gt;" in site.get("/", q=HOSTILE_TITLE, status=200).text


@pytest.mark.parametrize("params, slugs", [
    ({"q": "ministre", "since": "2024-06-06"}, ["ministre"]),
    ({"q": "ministre", "until": "2024-06-05"}, ["premier"]),
    ({"q": "cessez-le-feu OR ceasefire", "lang": "fr"}, ["gaza"]),
    ({"q": "cessez-le-feu OR ceasefire", "source": "daily-en"}, ["ceasefire", "hostile"]),
    ({"q": "storm", "collapse": "1"}, ["storm"]),
    ({"q": "budget"}, ["budget"]),
])
def test_filters(site, params, slugs):
    page = site.page("/", **params)
    assert sorted(hit_slugs(page)) == slugs
    form = page.xpath('//form[@class="search"]')[0]
    for name, value in params.items():  # the form shows the search it ran
        field = form.xpath(f'.//input[@name="{name}"]')[0]
        assert (field.get("value") if field.get("type") != "checkbox"
                else "1" if field.get("checked") is not None else "") == value


def test_collapse_shows_the_copies(site):
    page = site.page("/", q="storm", collapse="1")
    assert page.xpath('string(//span[@class="copies"])') == "2 copies"


def test_paging_with_previous_and_next(site):
    query = {"q": "ministre OR ceasefire OR storm OR budget", "sort": "oldest", "limit": "2"}
    expected = [hit.url.rsplit("/", 1)[1] for hit in site.archive.search(
        query["q"], sort="oldest", limit=100)]
    assert len(expected) == 7
    seen, params, pages = [], dict(query), 0
    while True:
        page = site.page("/", **params)
        seen += hit_slugs(page)
        pages += 1
        previous = page.xpath('//a[@rel="prev"]/@href')
        assert bool(previous) == (pages > 1)
        following = page.xpath('//a[@rel="next"]/@href')
        if not following:
            break
        params = dict(parse_qsl(urlsplit(following[0]).query))
    assert seen == expected and pages == 4
    last = site.page("/", **query, offset="6")
    assert last.xpath('string(//p[@class="count"])').split()[:1] == ["7"]
    assert "7–7 shown" in last.xpath('string(//p[@class="count"])')


def test_empty_query_shows_the_form_and_the_archive(site):
    for params in ({}, {"q": ""}, {"q": "   "}):
        page = site.page("/", **params)
        assert page.xpath('//input[@name="q"]')
        assert page.xpath('string(//section[@class="summary"]/p/strong)') == str(len(PAGES))
        assert not page.xpath('//li[@class="hit"]')


@pytest.mark.parametrize("params, message", [
    ({"q": "*"}, "nothing to search for"),
    ({"q": "()"}, "nothing to search for"),
    ({"q": "-rumeur"}, "only exclusions"),
    ({"q": "x", "tag": "no-such-tag"}, "tagged 'no-such-tag'"),
    ({"q": "x", "since": "yesterday"}, "since: bad date 'yesterday'"),
    ({"q": "x", "limit": "101"}, "limit='101': give a whole number from 1 to 100"),
    ({"q": "x", "limit": "0"}, "from 1 to 100"),
    ({"q": "x", "limit": "ten"}, "limit='ten'"),
    ({"q": "x", "offset": "-1"}, "offset='-1'"),
    ({"q": "x", "sort": "best"}, "sort='best': use one of relevance, newest, oldest"),
    ({"q": "x" * 2001}, "q is too long (2001 characters; at most 2000)"),
    ({"q": "x", "source": "s" * 201}, "source is too long"),
])
def test_bad_input_is_one_clear_message(site, params, message):
    page = site.page("/", status=400, **params)
    assert message in error_text(page)
    assert page.xpath('//input[@name="q"]') or page.xpath("//h1")


def test_hostile_queries_are_answered(site):
    for query in ("l'état", "covid-19", '"unterminated', "NEAR(", "a AND", "x' OR 1=1 --",
                  "a\x00b", "東京", "title:(gaza OR ceasefire)"):
        site.get("/", q=query)
