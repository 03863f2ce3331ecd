"""Bodies cut at the size or time limit: kept, captured with ``WARC-Truncated``, never stored.

Unit tests drive ``TruncationMiddleware``'s signal handlers; the end-to-end test crawls a
server that drips a page, sends bodies larger than ``DOWNLOAD_MAXSIZE`` (announced or not)
and a decompression bomb.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, text

from newscrawler.capture.reader import iter_captures
from newscrawler.capture.truncation import TRUNCATED, TruncationMiddleware
from tests.crawling import run_crawl


class NewsSpider(Spider):
    name = "news"


def test_a_body_past_the_size_limit_is_stopped_not_failed() -> None:
    mw = TruncationMiddleware(max_size=1000, time_limit=25)
    request = Request("https://ex.com/a")
    mw.process_request(request)
    mw.headers_received({}, -1, request)
    mw.bytes_received(b"x" * 1000, request)  # at the limit: still whole
    with pytest.raises(StopDownload) as stop:
        mw.bytes_received(b"x", request)
    assert stop.value.fail is False and request.meta[TRUNCATED] == "length"
    small = Request("https://ex.com/b", meta={"download_maxsize": 10})
    mw.headers_received({}, 5, small)
    with pytest.raises(StopDownload):
        mw.bytes_received(b"x" * 11, small)  # the request's own limit wins


def test_a_slow_body_is_stopped_at_the_time_limit() -> None:
    mw = TruncationMiddleware(max_size=0, time_limit=0.2)
    request = Request("https://ex.com/a", meta={"download_latency": 0.1})
    mw.headers_received({}, -1, request)
    mw.bytes_received(b"<html>", request)
    time.sleep(0.15)  # 0.25 s since the request was sent, headers included
    with pytest.raises(StopDownload):
        mw.bytes_received(b"<p>", request)
    assert request.meta[TRUNCATED] == "time"
    retry = request.replace(dont_filter=True)
    mw.process_request(retry)  # a retry starts its own clock
    assert TRUNCATED not in retry.meta


def test_an_announced_large_body_is_read_to_the_limit_then_given_its_limit_back() -> None:
    mw = TruncationMiddleware(max_size=1000, time_limit=25)
    request = Request("https://ex.com/a")
    mw.headers_received({}, 10**9, request)
    assert request.meta["download_maxsize"] == 0  # Scrapy would refuse it before any byte
    with pytest.raises(StopDownload):
        mw.bytes_received(b"x" * 1001, request)
    response = Response(request.url, body=b"x" * 1001, request=request)
    assert mw.process_response(request, response) is response
    assert "download_maxsize" not in request.meta  # decompression is held to the limit
    own = Request("https://ex.com/b", meta={"download_maxsize": 500})
    mw.headers_received({}, 10**9, own)
    mw.process_exception(own, TimeoutError())
    assert own.meta["download_maxsize"] == 500


def test_settings(tmp_path) -> None:
    crawler = get_crawler(NewsSpider, {"DOWNLOAD_MAXSIZE": 1234,
                                       "NEWSCRAWLER_DOWNLOAD_TIME_LIMIT": 7.5})
    mw = TruncationMiddleware.from_crawler(crawler)
    assert (mw.max_size, mw.time_limit) == (1234, 7.5)
    with pytest.raises(NotConfigured):
        TruncationMiddleware(1234, 0)


# --- end to end -----------------------------------------------------------------------------
LIMIT = 300_000
PAGE = ("<html lang='en'><head><title>A whole page</title></head><body><article><h1>A whole "
        "page</h1>" + "<p>Enough words in this paragraph to make an article of it.</p>" * 60
        + "</article></body></html>").encode()
BOMB = gzip.compress(b"\0" * (20 * LIMIT))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            self._send(b"User-agent: *\nAllow: /\n", "text/plain")
        elif self.path == "/ok.html":
            self._send(PAGE)
        elif self.path == "/drip.html":
            self._send(PAGE, chunk=200, pause=0.2)  # ~20 s for the page
        elif self.path == "/huge.html":
            self._send(PAGE * (10 * LIMIT // len(PAGE)), chunk=2**16)
        elif self.path == "/huge-unannounced.html":
            self._send(PAGE * (10 * LIMIT // len(PAGE)), chunk=2**16, length=False)
        elif self.path == "/bomb.html":
            self._send(BOMB, encoding="gzip")
        else:
            self.send_error(404)

    def _send(self, body: bytes, ctype: str = "text/html; charset=utf-8", *, chunk: int = 0,
              pause: float = 0.0, length: bool = True, encoding: str = "") -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.close_connection = True  # the body ends when the connection does
        self.end_headers()
        try:
            for start in range(0, len(body), chunk or len(body)):
                self.wfile.write(body[start:start + (chunk or len(body))])
                self.wfile.flush()
                time.sleep(pause)
        except OSError:  # the crawler hung up at its limit
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("truncation")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    paths = ["/ok.html", "/drip.html", "/huge.html", "/huge-unannounced.html", "/bomb.html"]
    urls = tmp / "urls.txt"
    urls.write_text("".join(f"{base}{p}\n" for p in paths))
    db = f"sqlite:///{tmp / 'a.sqlite3'}"
    try:
        result = run_crawl([f"urls_file={urls}"], db, tmp / "warc", settings={
            "DOWNLOAD_MAXSIZE": str(LIMIT), "NEWSCRAWLER_DOWNLOAD_TIME_LIMIT": "2",
            "RETRY_ENABLED": "False"})
    finally:
        server.shutdown()
    assert result.returncode == 0, result.log[-3000:]
    engine = create_engine(db)
    with engine.connect() as conn:
        fetches = dict(conn.execute(text("SELECT url, outcome FROM fetches")).all())
        articles = conn.scalars(text("SELECT url FROM articles")).all()
        rows = dict(conn.execute(text("SELECT url, truncated FROM captures "
                                      "WHERE rec_type = 'response' AND whole = 0")).all())
    engine.dispose()
    records = {c.url: c for c in iter_captures(tmp / "warc")}
    return {"base": base, "log": result.log, "fetches": fetches, "articles": articles,
            "rows": rows, "records": records, "warc": tmp / "warc"}


@pytest.mark.e2e
def test_cut_bodies_are_captured_as_truncated_and_dropped(crawl) -> None:
    base, records = crawl["base"], crawl["records"]
    reasons = {path: records[base + path].warc_headers.get("WARC-Truncated")
               for path in ("/ok.html", "/drip.html", "/huge.html", "/huge-unannounced.html")}
    assert reasons == {"/ok.html": None, "/drip.html": "time", "/huge.html": "length",
                       "/huge-unannounced.html": "length"}
    drip = records[base + "/drip.html"].payload
    assert 0 < len(drip) < len(PAGE) and PAGE.startswith(drip)
    for path in ("/huge.html", "/huge-unannounced.html"):
        assert LIMIT < len(records[base + path].payload) <= LIMIT + 2**17
    assert crawl["articles"] == [base + "/ok.html"]  # a partial page is never an article
    assert {url: outcome for url, outcome in crawl["fetches"].items() if "ok" not in url} == {
        **{base + p: "dropped:truncated" for p in ("/drip.html", "/huge.html",
                                                   "/huge-unannounced.html")},
        base + "/bomb.html": "dropped:decompression_limit"}
    assert crawl["rows"] == {base + "/drip.html": "time", base + "/huge.html": "length",
                             base + "/huge-unannounced.html": "length"}
    assert "'newscrawler/dropped/truncated': 3" in crawl["log"]


@pytest.mark.e2e
def test_a_decompression_bomb_is_cut_off_but_its_record_is_whole(crawl) -> None:
    bomb = crawl["records"][crawl["base"] + "/bomb.html"]
    assert bomb.payload == BOMB and "WARC-Truncated" not in bomb.warc_headers
    assert "exceeded DOWNLOAD_MAXSIZE" in crawl["log"]
    assert crawl["base"] + "/bomb.html" not in crawl["articles"]


@pytest.mark.e2e
def test_every_file_passes_warcio_check(crawl) -> None:
    warcio = Path(sys.executable).with_name("warcio")
    for path in sorted(crawl["warc"].glob("*.warc.gz")):
        check = subprocess.run([str(warcio), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
