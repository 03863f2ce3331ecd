"""End to end: crawling again a site where nothing changed writes revisits, not copies.

Run 1 captures the demo site. Run 2 re-checks every article (``recheck=all``): articles
answer 304 (``server-not-modified`` revisits), everything else (robots.txt, sitemaps, the
feed, section pages) answers the same bytes as before (``identical-payload-digest``
revisits, found through the archive across runs). Run 3 re-checks them against a server
that ignores conditional requests: the articles' identical payloads become revisits too.
Every revisit names its original's record id, URI and date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from newscrawler.capture.reader import Capture, iter_captures, read_capture
from newscrawler.demo import SiteServer
from newscrawler.demo.friendly import DemoSite
from newscrawler.demo.site import Response
from tests.crawling import run_crawl

pytestmark = pytest.mark.e2e

FAST = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}
ANSWERS = ("response", "revisit")


class StubbornSite(DemoSite):
    """The demo site; with ``conditional`` off it answers 200 to conditional requests."""

    conditional = True

    def handle(self, method: str, path: str, headers: Any) -> Response:
        if not self.conditional:
            headers = {k: v for k, v in dict(headers.items()).items()
                       if k.lower() not in ("if-none-match", "if-modified-since")}
        return super().handle(method, path, headers)


def _run_files(warc: Path, before: set[str]) -> list[str]:
    return sorted(p.name for p in warc.glob("*.warc.gz") if p.name not in before)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("recrawl")
    warc, db = tmp / "warc", f"sqlite:///{tmp / 'a.sqlite3'}"
    site = StubbornSite()
    files: list[list[str]] = []
    with SiteServer(site) as server:
        args = [f"url={server.base_url}/"]
        for number, extra in enumerate(([], ["recheck=all"], ["recheck=all"])):
            site.conditional = number < 2
            before = {p.name for p in warc.glob("*.warc.gz")}
            result = run_crawl(args + extra, db, warc, settings=FAST)
            assert result.returncode == 0, result.log[-3000:]
            files.append(_run_files(warc, before))
    return {"warc": warc, "db": db, "files": files, "base": server.base_url, "site": site}


def _answers(crawls: dict[str, Any], run: int) -> dict[str, list[Capture]]:
    found: dict[str, list[Capture]] = {}
    for capture in iter_captures(crawls["warc"], crawls["files"][run], rec_types=ANSWERS):
        found.setdefault(capture.url, []).append(capture)
    return found


def _originals(crawls: dict[str, Any]) -> dict[str, Capture]:
    return {url: next(c for c in captures if c.ref.rec_type == "response")
            for url, captures in _answers(crawls, 0).items() if captures[0].status == 200}


def _assert_refers_to(revisit: Capture, original: Capture, profile: str) -> None:
    headers = revisit.warc_headers
    assert revisit.ref.rec_type == "revisit", revisit.url
    assert headers["WARC-Profile"].endswith(f"/revisit/{profile}"), revisit.url
    assert headers["WARC-Refers-To"] == original.ref.record_id
    assert headers["WARC-Refers-To-Target-URI"] == original.url == revisit.url
    assert headers["WARC-Refers-To-Date"] == original.ref.warc_date


def test_a_recrawl_of_an_unchanged_site_writes_only_revisits(crawls) -> None:
    base, originals = crawls["base"], _originals(crawls)
    second = _answers(crawls, 1)
    articles = crawls["site"].article_urls(base)
    discovery = {base + p for p in ("/robots.txt", "/sitemap_index.xml", "/sitemap-news.xml",
                                    "/sitemap.xml", "/feed.xml", "/", "/actualites/")}
    assert discovery <= set(second) and articles <= set(second)
    for url, captures in second.items():
        for capture in captures:
            profile = "server-not-modified" if capture.status == 304 else (
                "identical-payload-digest")
            _assert_refers_to(capture, originals[url], profile)
    assert {c.status for url in articles for c in second[url]} == {304}


def test_articles_refetched_whole_are_identical_payload_revisits(crawls) -> None:
    originals, third = _originals(crawls), _answers(crawls, 2)
    articles = crawls["site"].article_urls(crawls["base"])
    assert articles <= set(third)
    for url in articles:
        (capture,) = third[url]
        assert capture.status == 200
        _assert_refers_to(capture, originals[url], "identical-payload-digest")
        # Read back through the archive: the revisit stands for the original's payload.
        resolved = read_capture(crawls["warc"], capture.ref.warc_file, capture.ref.offset)
        assert resolved.body == originals[url].body and resolved.original is not None


def test_the_archive_records_every_run_s_captures(crawls) -> None:
    engine = create_engine(crawls["db"])
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT run_id, rec_type, count(*) FROM captures "
                                 "WHERE rec_type IN ('response', 'revisit') "
                                 "GROUP BY run_id, rec_type ORDER BY run_id, rec_type")).all()
    engine.dispose()
    by_run = {(run, kind): n for run, kind, n in rows}
    for run in (1, 2, 3):
        written = sum(1 for _ in iter_captures(crawls["warc"], crawls["files"][run - 1],
                                               rec_types=ANSWERS))
        assert by_run.get((run, "response"), 0) + by_run.get((run, "revisit"), 0) == written
    assert by_run.get((2, "response"), 0) == by_run.get((3, "response"), 0) == 0
