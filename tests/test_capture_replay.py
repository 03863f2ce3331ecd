"""End to end: a crawl of the demo site captured raw, recorded in the archive, packaged as
WACZ by ``newscrawler export --format wacz``, replayed in pywb.

The crawl runs as cron runs it (``scrapy crawl news``); one article is served
gzip-compressed, and its record must keep the compressed bytes and still replay.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult

import pytest
from sqlalchemy import create_engine, text

from newscrawler.api import Archive
from newscrawler.archive.captures import ArchiveCaptures
from newscrawler.capture.reader import Capture, iter_captures, read_capture, read_record_at
from newscrawler.demo import SiteServer
from newscrawler.demo.friendly import DemoSite
from newscrawler.demo.site import Response, redirect
from tests.crawling import ROOT, archive_counts, run_crawl
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
    return {"tmp": tmp, "warc": tmp / "warc", "site": site, "base": base, "plain": plain,
            "db": db}


def _newscrawler(crawl: dict[str, Any], *args: str) -> subprocess.CompletedProcess[bytes]:
    exe = Path(sys.executable).with_name("newscrawler")
    env = {**os.environ, "NEWSCRAWLER_WARC_DIR": str(crawl["warc"])}
    return subprocess.run([str(exe), "--db", crawl["db"], *args], capture_output=True,
                          env=env, cwd=ROOT, timeout=300)


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
    assert {"warcinfo", "request", "response", "metadata"} <= kinds
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
    shown = _newscrawler(crawl, "show", crawl["base"] + crawl["site"].gzip_path, "--raw")
    assert shown.returncode == 0 and shown.stdout == crawl["plain"], shown.stderr


def test_every_article_points_at_its_response_and_metadata(crawl) -> None:
    captures = ArchiveCaptures(create_engine(crawl["db"]))
    metadata = {c.warc_headers["WARC-Refers-To"]: c for c in
                iter_captures(crawl["warc"], rec_types=("metadata",))}
    records = list(Archive(crawl["db"]).records())
    for record in records:
        capture = read_capture(crawl["warc"], record["warc_file"], record["warc_offset"],
                               locate=captures.locate)
        assert (capture.url, capture.status) == (record["url"], 200)
        assert record["title"] in capture.body.decode("utf-8")
        fields = metadata[capture.ref.record_id].payload.decode("utf-8")
        assert f"title: {record['title']}" in fields
        assert f"canonical-url: {record['canonical_url']}" in fields
        assert f"content-hash: {record['content_hash']}" in fields
        assert f"extractor: {record['extractor']}" in fields
    captures.engine.dispose()


def test_every_fetch_has_a_row_that_reads_back(crawl) -> None:
    engine = create_engine(crawl["db"])
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT url, rec_type, record_id, warc_file, warc_offset, "
                                 "warc_length, run_id FROM captures")).all()
    engine.dispose()
    written = [c for c in iter_captures(crawl["warc"], rec_types=ALL_TYPES)
               if c.ref.rec_type in ("response", "revisit", "metadata")]
    assert sorted(r.record_id for r in rows) == sorted(c.ref.record_id for c in written)
    for row in rows:
        record = read_record_at(crawl["warc"], row.warc_file, row.warc_offset, row.warc_length)
        assert (record.ref.record_id, record.ref.rec_type, record.url) == (
            row.record_id, row.rec_type, row.url)
    assert {r.run_id for r in rows} == {1}
    info = next(iter_captures(crawl["warc"], rec_types=("warcinfo",)))
    assert b"isPartOf: newscrawler run 1" in info.payload


def test_wacz_validates_and_replays_in_pywb(crawl) -> None:
    base, site = crawl["base"], crawl["site"]
    responses = _raw_responses(crawl["warc"])
    articles = {base + a.path: a for a in site.articles}
    package = crawl["tmp"] / "demo.wacz"
    exported = _newscrawler(crawl, "export", "--format", "wacz", "-o", str(package))
    assert exported.returncode == 0, exported.stderr
    check = wacz_validate(package)
    assert check.returncode == 0 and "Validation succeeded" in check.stdout, check.stdout
    with zipfile.ZipFile(package) as wacz:
        lines = wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]
    pages = {json.loads(line)["url"]: json.loads(line)["title"] for line in lines}
    assert pages == {url: article.title for url, article in articles.items()}

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
        # The links of a replayed article lead somewhere: the run's other captures came too.
        for path in ("/", "/actualites/", "/feed.xml", "/robots.txt"):
            status, _, _ = fetch(f"{collection}{stamp}id_/{base}{path}")
            assert status == 200, path


def _decoded(headers: dict[str, str], body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")
