"""CaptureMiddleware: raw responses to WARC, revisits within and across runs (asked through
the archive), the records waiting for the store, its settings."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from newscrawler.archive.captures import ArchiveCaptures, capture_record
from newscrawler.archive.store import ArchiveStore
from newscrawler.capture.middleware import META_KEY, CaptureMiddleware
from newscrawler.capture.reader import iter_captures, read_capture
from newscrawler.capture.records import WarcInfo
from newscrawler.capture.truncation import TRUNCATED
from newscrawler.capture.writer import CaptureWriter

HTML = b"<html><title>Titre</title><p>" + b"Corps de l'article. " * 50 + b"</p></html>"
URL = "http://news.example/2024/article.html"


class NewsSpider(Spider):
    name = "news"


def _middleware(directory: Path, previous: ArchiveCaptures | None = None) -> CaptureMiddleware:
    return CaptureMiddleware(CaptureWriter(directory, WarcInfo("newscrawler/test", "h")),
                             previous)


def _fetch(mw: CaptureMiddleware, url: str = URL, body: bytes = HTML, status: int = 200,
           headers: dict | None = None, flags: list[str] | None = None,
           request: Request | None = None) -> tuple[Request, Response]:
    request = request or Request(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"},
                                 meta={"download_latency": 0.25})
    mw.process_request(request)
    response = HtmlResponse(url, status=status, headers=headers or {}, body=body,
                            request=request, flags=flags, protocol="HTTP/1.1",
                            ip_address=ipaddress.ip_address("192.0.2.9"))
    result = asyncio.run(mw.process_response(request, response))
    assert result is response
    return request, response


def test_raw_response_and_final_request_headers(tmp_path) -> None:
    mw = _middleware(tmp_path)
    compressed = gzip.compress(HTML)
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
               "Set-Cookie": ["a=1", "b=2"], "Content-Length": str(len(compressed))}
    request, response = _fetch(mw, body=compressed, headers=headers)
    mw.close()
    ref = request.meta[META_KEY]
    # HttpCompressionMiddleware replaces the response after us: the ref travels along.
    assert response.replace(body=HTML).meta[META_KEY] is ref
    capture = read_capture(tmp_path, ref.warc_file, ref.offset, ref.length)
    assert capture.payload == compressed and capture.body == HTML
    assert capture.header("Content-Encoding") == "gzip"
    assert [v for k, v in capture.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert capture.warc_headers["WARC-IP-Address"] == "192.0.2.9"
    assert capture.protocol == "HTTP/1.1"
    (req,) = iter_captures(tmp_path, rec_types=("request",))
    assert ("Accept-Encoding", "gzip, deflate, br, zstd") in req.headers
    assert req.headers[-1] == ("Host", "news.example")  # added last, as Twisted does


def test_identical_payload_within_a_run_is_a_revisit(tmp_path) -> None:
    mw = _middleware(tmp_path)
    first = _fetch(mw)[0].meta[META_KEY]
    again = _fetch(mw)[0].meta[META_KEY]
    changed = _fetch(mw, body=HTML + b"<p>mise a jour</p>")[0].meta[META_KEY]
    error = _fetch(mw, url=URL + "?x", body=b"oops", status=500)[0].meta[META_KEY]
    error_again = _fetch(mw, url=URL + "?x", body=b"oops", status=500)[0].meta[META_KEY]
    mw.close()
    assert (first.rec_type, again.rec_type, changed.rec_type) == (
        "response", "revisit", "response")
    assert again.refers_to == first and again.payload_digest == first.payload_digest
    assert (error.rec_type, error_again.rec_type) == ("response", "response")  # 2xx only
    capture = read_capture(tmp_path, again.warc_file, again.offset, again.length)
    assert capture.body == HTML and capture.original == first


def test_not_modified_refers_to_the_latest_capture(tmp_path) -> None:
    mw = _middleware(tmp_path)
    lone = _fetch(mw, url=URL + "?new", body=b"", status=304)[0].meta[META_KEY]
    lone_again = _fetch(mw, url=URL + "?new", body=b"", status=304)[0].meta[META_KEY]
    _fetch(mw)
    latest = _fetch(mw, body=HTML + b"v2")[0].meta[META_KEY]
    not_modified = _fetch(mw, body=b"", status=304, headers={"ETag": '"v2"'})[0].meta[META_KEY]
    mw.close()
    assert (lone.rec_type, lone.status) == ("response", 304)  # nothing to refer to
    assert lone_again.rec_type == "response"  # a 304 is no original for another
    assert not_modified.rec_type == "revisit" and not_modified.refers_to == latest
    capture = read_capture(tmp_path, not_modified.warc_file, not_modified.offset)
    assert capture.status == 304 and capture.body == HTML + b"v2"
    assert capture.warc_headers["WARC-Profile"].endswith("/revisit/server-not-modified")


def test_earlier_runs_are_asked_through_the_archive(tmp_path, engine) -> None:
    earlier = _middleware(tmp_path / "run1")
    original = _fetch(earlier)[0].meta[META_KEY]
    _fetch(earlier, url=URL + "?cut", body=HTML[:100], flags=["dataloss"])
    _fetch(earlier, url=URL + "?gone", status=404)
    earlier.close()
    written = earlier.pending()
    assert [r.rec_type for r in written] == ["response"] * 3 and earlier.pending() == []
    ArchiveStore(engine).store_many([capture_record(r) for r in written], None)

    mw = _middleware(tmp_path / "run2", ArchiveCaptures(engine))
    same = _fetch(mw)[0].meta[META_KEY]
    not_modified = _fetch(mw, body=b"", status=304)[0].meta[META_KEY]
    cut_again = _fetch(mw, url=URL + "?cut", body=HTML[:100])[0].meta[META_KEY]
    gone_again = _fetch(mw, url=URL + "?gone", body=b"", status=304)[0].meta[META_KEY]
    mw.close()
    assert same.rec_type == not_modified.rec_type == "revisit"
    assert same.refers_to == not_modified.refers_to == original  # the row, read back
    assert same.warc_file.startswith("newscrawler-") and not (tmp_path / "run2" /
                                                             original.warc_file).exists()
    # Neither a cut body nor an error page is an original a revisit may stand on.
    assert cut_again.rec_type == gone_again.rec_type == "response"
    assert ArchiveCaptures(engine).locate(original.record_id) == original.location


def test_truncated_bodies_are_marked_and_not_deduplicated(tmp_path) -> None:
    mw = _middleware(tmp_path)
    _fetch(mw)
    cut = _fetch(mw, body=HTML[:100], flags=["dataloss"])[0].meta[META_KEY]
    cut_again = _fetch(mw, body=HTML[:100], flags=["dataloss"])[0].meta[META_KEY]
    stopped = Request(URL + "?big", meta={TRUNCATED: "length"})
    too_long = _fetch(mw, url=stopped.url, flags=["download_stopped"],
                      request=stopped)[0].meta[META_KEY]
    mw.close()
    assert cut.rec_type == cut_again.rec_type == "response"
    assert mw.recent.latest(URL) != cut  # a cut body is no original for later fetches
    assert not cut.whole and cut.truncated == "disconnect" and too_long.truncated == "length"
    capture = read_capture(tmp_path, cut.warc_file, cut.offset)
    assert capture.warc_headers["WARC-Truncated"] == "disconnect"
    capture = read_capture(tmp_path, too_long.warc_file, too_long.offset)
    assert capture.warc_headers["WARC-Truncated"] == "length"


def test_only_network_responses_are_captured(tmp_path) -> None:
    mw = _middleware(tmp_path)
    request, _ = _fetch(mw, flags=["cached"])
    data = Request("data:text/plain,hello")
    asyncio.run(mw.process_response(data, Response("data:text/plain,hello", body=b"hello")))
    mw.close()
    assert META_KEY not in request.meta and META_KEY not in data.meta
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_a_redirected_request_does_not_keep_the_last_hop(tmp_path) -> None:
    mw = _middleware(tmp_path)
    request, _ = _fetch(mw, status=301, body=b"", headers={"Location": URL + "?2"})
    redirected = request.replace(url=URL + "?2")
    assert META_KEY in redirected.meta
    mw.process_request(redirected)
    assert META_KEY not in redirected.meta
    mw.close()


def test_from_crawler(tmp_path, sqlite_url) -> None:
    settings = {"NEWSCRAWLER_WARC_DIR": str(tmp_path), "NEWSCRAWLER_WARC_MAX_SIZE": "500MB",
                "NEWSCRAWLER_DB": sqlite_url,
                "NEWSCRAWLER_CONTACT_URL": "https://ops.example", "USER_AGENT": "ua/1",
                "ROBOTSTXT_OBEY": True}
    crawler = get_crawler(NewsSpider, settings)
    mw = CaptureMiddleware.from_crawler(crawler)
    info = mw.writer.info
    assert (info.operator, info.user_agent, info.robots) == ("https://ops.example", "ua/1", "obey")
    assert info.software.startswith("newscrawler/") and "warcio" in info.software
    assert info.is_part_of.startswith("newscrawler news ")
    assert mw.writer.max_size == 500 * 10**6 and mw.stats is crawler.stats
    assert isinstance(mw.previous, ArchiveCaptures)
    mw.part_of_run(7)  # the RunRecorder's run, once the spider opens
    assert mw.writer.info.is_part_of == "newscrawler run 7"
    mw.close()
    off = get_crawler(NewsSpider, {**settings, "NEWSCRAWLER_WARC_DIR": ""})
    with pytest.raises(NotConfigured):
        CaptureMiddleware.from_crawler(off)
