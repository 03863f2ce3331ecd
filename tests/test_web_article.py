"""``newscrawler serve``: an article, its versions and diffs, counts over time, JSON and CSV
downloads, and what every response carries (headers, methods, hosts, error pages), on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from starlette.testclient import TestClient

from newscrawler.archive.engine import open_archive
from newscrawler.records import HIT_FIELDS, STATS_FIELDS
from newscrawler.web import create_app
from newscrawler.web.security import allowed_hosts
from tests.webarchive import (
    BUDGET_V1,
    BUDGET_V2,
    HOSTILE_TITLE,
    Site,
    error_text,
    open_site,
    populate,
)


@pytest.fixture
def site(engine: Engine) -> Iterator[Site]:
    yield from open_site(engine)


def _text(node) -> str:
    return " ".join(node.text_content().split())


def test_article_page_shows_the_record_text_and_versions(site):
    number = site.id_of("budget")
    page = site.page(f"/article/{number}")
    assert _text(page.xpath("//h1")[0]) == BUDGET_V2[0]
    record = dict(zip(page.xpath("//dl/dt/text()"), map(_text, page.xpath("//dl/dd")),
                      strict=True))
    assert record["Source"] == "journal-fr (journal-fr site)"
    assert record["Published"] == "2024-06-04 08:00 UTC"
    assert record["First seen"] == "2024-06-10 08:00 UTC"
    assert record["Last seen"] == "2024-06-11 08:00 UTC"
    assert record["Language"] == "fr" and record["Extractor"] == "test 1"
    assert record["WARC record"] == "journal-fr-00001.warc.gz at offset 1234"
    assert record["Version"].startswith("2 (2 stored")
    assert page.xpath('//dd/a[@href="https://journal-fr.example/budget"]/@rel') == [
        "noopener noreferrer nofollow"] * 2
    assert [_text(p) for p in page.xpath('//div[@class="text"]/p')] == \
        BUDGET_V2[1].splitlines()
    rows = page.xpath('//section[@class="versions"]//tbody/tr')
    assert [_text(row.xpath("td")[2]) for row in rows] == [BUDGET_V1[0], BUDGET_V2[0]]
    assert rows[1].xpath(".//a/@href")[-1] == f"/article/{number}/diff?old=1&new=2"
    cluster = page.xpath('//dt[text()="Cluster"]/following-sibling::dd[1]//a/@href')[0]
    assert cluster.startswith("/?q=title%3A")


def test_an_older_version(site):
    number = site.id_of("budget")
    page = site.page(f"/article/{number}", version="1")
    assert _text(page.xpath("//h1")[0]) == BUDGET_V1[0]
    assert "version 1 of 2" in _text(page.xpath('//p[@class="notice"]')[0])
    assert [_text(p) for p in page.xpath('//div[@class="text"]/p')] == \
        BUDGET_V1[1].splitlines()
    assert "versions 1 to 2" in error_text(site.page(f"/article/{number}", 400, version="3"))


@pytest.mark.parametrize("path", ["/article/999999", "/article/999999/diff", "/article/abc",
                                  "/nowhere", "/article/1/x"])
def test_unknown_articles_and_pages_are_404_pages(site, path):
    page = site.page(path, status=404)
    assert "Not found" in _text(page.xpath("//h1")[0])
    if "999999" in path:
        assert "There is no article 999999 in this archive." in error_text(page)


def test_diff_marks_removed_and_added_words(site):
    number = site.id_of("budget")
    for params in ({"old": "1", "new": "2"}, {}):  # the last two by default
        page = site.page(f"/article/{number}/diff", **params)
        removed = [_text(row) for row in page.xpath('//tr[@class="removed"]')]
        added = [_text(row) for row in page.xpath('//tr[@class="added"]')]
        assert removed == [f"− # {BUDGET_V1[0]}", *(f"− {line}" for line in
                                                    BUDGET_V1[1].splitlines())]
        assert added[-1] == "+ L'opposition dénonce un passage en force."
        assert page.xpath("//tr[@class='added']//ins/text()")[:2] == [" de justesse", " soir"]
        assert page.xpath("//tr[@class='removed']//del/text()") == ["trois"]
        assert "deux" in page.xpath("//tr[@class='added']//ins/text()")
        assert page.xpath('//select[@name="old"]/option[@selected]/@value') == ["1"]
    back = site.page(f"/article/{number}/diff", old="2", new="1")
    assert back.xpath("//tr[@class='removed']//del/text()")[:1] == [" de justesse"]


def test_diff_edge_cases(site):
    number = site.id_of("budget")
    same = site.page(f"/article/{number}/diff", old="2", new="2")
    assert "same version twice" in _text(same.xpath('//p[@class="notice"]')[0])
    for bad in ({"old": "0"}, {"new": "3"}, {"old": "one"}):
        assert "versions 1 to 2" in error_text(site.page(f"/article/{number}/diff", 400, **bad))
    single = site.page(f"/article/{site.id_of('gaza')}/diff")
    assert "one version" in _text(single.xpath('//p[@class="notice"]')[0])


def test_stats_chart_and_table(site):
    page = site.page("/stats", q="ceasefire OR storm", by="day", by_source="1")
    rows = site.archive.stats("ceasefire OR storm", by="day", by_source=True)
    charts = page.xpath("//figure[@class='chart']/*[local-name()='svg']")
    assert len(charts) == 2  # matching articles, and their share
    lines = charts[0].xpath(".//*[local-name()='g'][contains(@class, 'series')]")
    assert len(lines) == len({row["source"] for row in rows}) == 4
    assert charts[0].xpath(".//*[local-name()='polyline']")
    tips = charts[1].xpath(".//*[local-name()='title']/text()")
    assert "daily-en, 2024-06-02: 100.00% (1 of 1)" in tips
    table = page.xpath('//table[@class="counts"]/tbody/tr')
    assert [[_text(td) for td in tr.xpath("td")] for tr in table] == [
        [row["period"], row["source"], str(row["matching"]), str(row["total"]),
         "" if row["ratio"] is None else f"{100 * row['ratio']:.2f}%"] for row in rows]
    assert page.xpath("//ul[@class='legend']/li/text()") == [
        "daily-en", "journal-fr", "wire-a", "wire-b"]
    everything = site.page("/stats")
    assert len(everything.xpath("//figure[@class='chart']")) == 1
    assert sum(int(_text(tr.xpath("td")[3])) for tr in everything.xpath(
        '//table[@class="counts"]/tbody/tr')) == site.archive.count()


@pytest.mark.parametrize("params, message", [
    ({"by": "year"}, "by='year': use one of day, week, month"),
    ({"q": "*"}, "nothing to search for"),
    ({"until": "soon"}, "until: bad date"),
])
def test_stats_bad_input(site, params, message):
    assert message in error_text(site.page("/stats", 400, **params))


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_search_downloads(site):
    query = "cessez-le-feu OR ceasefire"
    expected = site.archive.search(query, limit=20)
    as_csv = site.get("/search.csv", q=query)
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"] == \
        'attachment; filename="newscrawler-search-cessez-le-feu-or-ceasefire.csv"'
    rows = _csv(as_csv)
    assert tuple(rows[0]) == HIT_FIELDS
    assert [row["url"] for row in rows] == [hit.url for hit in expected]
    assert HOSTILE_TITLE in [row["title"] for row in rows]  # data, not HTML
    as_json = site.get("/search.json", q=query)
    assert as_json.headers["content-type"] == "application/json"
    records = json.loads(as_json.text)
    assert [tuple(record) for record in records] == [HIT_FIELDS] * len(expected)
    assert [record["id"] for record in records] == [hit.id for hit in expected]
    assert "[cessez-le-feu]" in records[[r["url"] for r in records].index(
        "https://journal-fr.example/gaza")]["snippet"]
    assert site.get("/", q=query, format="json").text == as_json.text
    assert site.get("/", q=query, format="csv").text == as_csv.text
    page = json.loads(site.get("/search.json", q=query, limit="1", offset="1").text)
    assert [record["id"] for record in page] == [expected[1].id]
    accented = site.get("/search.json", q="élections", limit="1000")
    assert 'filename="newscrawler-search-elections.json"' in \
        accented.headers["content-disposition"]


def test_stats_downloads(site):
    rows = site.archive.stats("storm", by="day", by_source=True)
    as_csv = site.get("/stats.csv", q="storm", by="day", by_source="1")
    assert 'filename="newscrawler-stats-storm-day.csv"' in as_csv.headers["content-disposition"]
    got = _csv(as_csv)
    assert tuple(got[0]) == STATS_FIELDS
    assert [(r["period"], r["source"], int(r["matching"]), int(r["total"])) for r in got] == \
        [(r["period"], r["source"], r["matching"], r["total"]) for r in rows]
    assert json.loads(site.get("/stats.json", q="storm", by="day", by_source="1").text) == rows
    assert json.loads(site.get("/stats", q="storm", by="day", by_source="1",
                               format="json").text) == rows


@pytest.mark.parametrize("path, params, message", [
    ("/search.json", {}, "q: give a query"),
    ("/search.json", {"q": "*"}, "nothing to search for"),
    ("/search.json", {"q": "x", "limit": "1001"}, "from 1 to 1000"),
    ("/stats.json", {"by": "hour"}, "use one of day, week, month"),
])
def test_download_errors_are_json(site, path, params, message):
    response = site.get(path, 400, **params)
    assert message in json.loads(response.text)["error"]


def test_an_unknown_download_format_is_a_page(site):
    page = site.page("/", 400, q="x", format="xml")
    assert "format='xml': use one of json, csv" in error_text(page)


def test_only_get_and_head(site):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ("/", "/stats", "/search.csv", "/static/style.css"):
            response = site.client.request(method, path)
            assert response.status_code == 405, (method, path)
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    head = site.client.head("/", params={"q": "ceasefire"})
    assert head.status_code == 200 and head.content == b""
    assert "read-only" in site.client.post("/").text
    allowed = site.client.post("/").headers["allow"]
    assert sorted(allowed.split(", ")) == ["GET", "HEAD"]  # in set order


def test_static_files_and_security_headers(site):
    css = site.get("/static/style.css")
    assert css.headers["content-type"].startswith("text/css")
    policy = css.headers["Content-Security-Policy"]
    assert "script" not in policy and "unsafe" not in policy
    site.get("/static/nothing.css", 404)


def test_loopback_server_answers_local_host_names_only(sqlite_url):
    populate(open_archive(sqlite_url))
    app = create_app(sqlite_url, allowed_hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200
        rebound = client.get("/", headers={"host": "attacker.example"})
        assert rebound.status_code == 400 and "Content-Security-Policy" in rebound.headers
    assert allowed_hosts("0.0.0.0") == ["*"]


def test_an_unreadable_archive_is_a_500_page_without_traceback(sqlite_url):
    populate(open_archive(sqlite_url))
    with TestClient(create_app(sqlite_url)) as client:
        writer = create_engine(sqlite_url)
        with writer.begin() as connection:
            connection.execute(text("ALTER TABLE articles RENAME TO articles_gone"))
        writer.dispose()
        response = client.get("/", params={"q": "ceasefire"})
    assert response.status_code == 500
    assert "The archive could not be read" in response.text
    assert "Traceback" not in response.text and "<script" not in response.text
