"""End to end: a crawl of the demo site captured raw, packaged as WACZ, replayed in pywb.

The crawl runs as cron runs it (``scrapy crawl news``); one article is served
gzip-compressed, and its record must keep the compressed bytes and still replay.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult

import pytest

from newscrawler.capture.reader import Capture, iter_captures
from newscrawler.capture.wacz import build_wacz
from newscrawler.demo import SiteServer
from newscrawler.demo.friendly import DemoSite
from newscrawler.demo.site import Response, redirect
from tests.crawling import archive_counts, run_crawl
from tests.replay_tools import fetch, pywb, wacz_validate

pytestmark = pytest.mark.e2e

FAST = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}
ALL_TYPES = ("warcinfo", "request", "response", "revisit", "metadata")


class GzipDemoSite(DemoSite):
    """The demo site, with one article gzip-compressed for clients that accept it, and an
    old address redirecting to the home page."""

    def __init__(self) -> None:
        super().__init__()
        self.gzip_path = self.articles[1].path

    def route(self, url: SplitResult, base: str) -> Response:
        return redirect(base + "/", 301) if url.path == "/ancien/" else super().route(url, base)

    def handle(self, method: str, path: str, headers: Any) -> Response:
        response = super().handle(method, path, headers)
        accepts = "gzip" in str(dict(headers.items()).get("Accept-Encoding", ""))
        if path == self.gzip_path and response.status == 200 and accepts:
            encoded = {**response.headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return Response(200, encoded, gzip.compress(response.body))
        return response


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("replay")
    site = GzipDemoSite()
    with SiteServer(site) as server:
        base = server.base_url
        db = f"sqlite:///{tmp / 'a.sqlite3'}"
        starts = f"url={base}/,{base}/ancien/,{base}/introuvable/"
        result = run_crawl([starts], db, tmp / "warc", settings=FAST)
        plain = site.handle("GET", site.gzip_path, {"Host": base[7:]}).body
    assert result.returncode == 0, result.log[-3000:]
    # Capture sits below decompression: the crawl still reads and stores every article.
    assert archive_counts(db)["articles"] == len(site.articles)
    return {"tmp": tmp, "warc": tmp / "warc", "site": site, "base": base, "plain": plain}


def _raw_responses(warc: Path) -> dict[str, Capture]:
    """The capture middleware's response record of each URL (network fetches have an IP)."""
    return {c.url: c for c in iter_captures(warc) if "WARC-IP-Address" in c.warc_headers}


def test_every_file_passes_warcio_check(crawl) -> None:
    files = sorted(crawl["warc"].glob("*.warc.gz"))
    assert files
    warcio = Path(sys.executable).with_name("warcio")
    for path in files:
        check = subprocess.run([str(warcio), "check", str(path)], capture_output=True,
                               text=True)
        assert check.returncode == 0, f"{path.name}: {check.stdout}{check.stderr}"


def test_every_kind_of_fetch_has_its_records(crawl) -> None:
    base, site = crawl["base"], crawl["site"]
    kinds = {c.ref.rec_type for c in iter_captures(crawl["warc"], rec_types=ALL_TYPES)}
    assert {"warcinfo", "request", "response"} <= kinds
    responses = _raw_responses(crawl["warc"])
    for path in ("/robots.txt", "/sitemap_index.xml", "/feed.xml", "/actualites/", "/"):
        assert base + path in responses, f"no response record for {path}"
    assert responses[base + "/ancien/"].status == 301
    assert responses[base + "/introuvable/"].status == 404
    assert site.article_urls(base) <= set(responses)
    requests = {c.url: c for c in iter_captures(crawl["warc"], rec_types=("request",))}
    # robots.txt twice, the same bytes: the spider's fetch and RobotsTxtMiddleware's.
    robots_records = [c.ref.rec_type for c in iter_captures(crawl["warc"], rec_types=ALL_TYPES)
                      if c.url == base + "/robots.txt" and c.ref.rec_type != "request"]
    assert sorted(robots_records) == ["response", "revisit"]
    robots = requests[base + "/robots.txt"]
    assert any(name == "User-Agent" and value.startswith("newscrawler/")
               for name, value in robots.headers)


def test_gzip_served_page_keeps_its_compressed_bytes(crawl) -> None:
    capture = _raw_responses(crawl["warc"])[crawl["base"] + crawl["site"].gzip_path]
    assert capture.header("Content-Encoding") == "gzip"
    assert capture.payload[:2] == b"\x1f\x8b"
    assert capture.body == crawl["plain"]


def test_wacz_validates_and_replays_in_pywb(crawl) -> None:
    base, site = crawl["base"], crawl["site"]
    responses = _raw_responses(crawl["warc"])
    articles = {base + a.path: a for a in site.articles}
    chosen = [responses[url] for url in articles]
    pages = [{"url": c.url, "ts": c.ref.date, "title": articles[c.url].title} for c in chosen]
    package = crawl["tmp"] / "demo.wacz"
    build_wacz(package, [c.ref for c in chosen], pages, crawl["warc"], title="Demo articles")
    check = wacz_validate(package)
    assert check.returncode == 0 and "Validation succeeded" in check.stdout, check.stdout

    replay_dir = crawl["tmp"] / "pywb"
    replay_dir.mkdir()
    with pywb(replay_dir, package) as collection:
        for url in (base + site.articles[0].path, base + site.gzip_path):
            article = articles[url]
            stamp = responses[url].ref.date.strftime("%Y%m%d%H%M%S")
            status, headers, body = fetch(f"{collection}{stamp}mp_/{url}")
            page = _decoded(headers, body)
            assert status == 200, page[:500]
            assert article.title in page and article.paragraphs[0][:60] in page
        # Raw mode: the stored bytes as the server sent them, Content-Encoding and all.
        stamp = responses[base + site.gzip_path].ref.date.strftime("%Y%m%d%H%M%S")
        status, headers, body = fetch(f"{collection}{stamp}id_/{base}{site.gzip_path}")
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        assert gzip.decompress(body) == crawl["plain"]


def _decoded(headers: dict[str, str], body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")
