"""Network-level faults in real crawls: broken transfers, compression bombs, redirects that go
nowhere, and robots.txt files that misbehave (RFC 9309 as implemented).

Three ``scrapy crawl news`` runs against the fault server (tests/sites/faults.py), each
mixing the faults with a good article: every fault ends with a log line, a counter and a
fetch row, the crawl goes on and stores the good article, and nothing partial is stored.
Small limits keep it quick: a 3 s download timeout, a 2 s download time limit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, text

from newscrawler.capture.reader import Capture, iter_captures
from newscrawler.middlewares import SafeRequestMiddleware
from newscrawler.robotstxt import ROBOTS_FETCH, RobotsTxtMiddleware
from tests.crawling import final_stats, run_crawl
from tests.sites import payloads
from tests.sites.faults import ARTICLE, FaultServer

SETTINGS = {"NEWSCRAWLER_EXTRACT_WORKERS": "0", "DOWNLOAD_TIMEOUT": "3",
            "NEWSCRAWLER_DOWNLOAD_TIME_LIMIT": "2", "AUTOTHROTTLE_ENABLED": "False",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
TRANSPORT = ["/transport/drop-mid-body", "/transport/length-longer", "/transport/length-shorter",
             "/transport/chunked-broken", "/transport/never-answer", "/transport/drip"]
BOMBS = ["gzip", "deflate", "br", "zstd"]
REDIRECTS = ["/redirect/loop", "/redirect/ping", "/redirect/meta-refresh-loop",
             "/redirect/chain/30"]
ROBOTS_SITES = ["robots-500", "robots-403", "robots-404", "robots-timeout", "robots-garbage",
                "robots-5mb", "robots-redirect"]
DATALOSS = "ResponseDataLossError: the connection ended before the body did"


@dataclass
class Crawl:
    log: str
    returncode: int
    stats: dict[str, int]
    fetches: dict[str, str]  # url -> outcome, from the archive
    articles: list[str]
    captures: dict[str, Capture]  # url -> its last response record
    seen: list[tuple[str, str, str]]  # (site, path, Host header) as the server saw them

    def paths(self, site: str = "main") -> list[str]:
        return [path for seen_site, path, _ in self.seen if seen_site == site]


def _crawl(server: FaultServer, tmp: Path, args: list[str], **kwargs: Any) -> Crawl:
    # Built once per process: the server then answers at once, within the time limit.
    for make in payloads.BOMBS.values():
        make()
    payloads.sitemap_bomb()
    before = len(server.seen())
    db = f"sqlite:///{tmp / 'archive.sqlite3'}"
    result = run_crawl(args, db, tmp / "warc", settings=SETTINGS, timeout=120, **kwargs)
    engine = create_engine(db)
    with engine.connect() as conn:
        fetches = dict(conn.execute(text("SELECT url, outcome FROM fetches")).all())
        articles = list(conn.scalars(text("SELECT url FROM articles")))
    engine.dispose()
    captures = {c.url: c for c in iter_captures(tmp / "warc")}
    seen = [(s.site, s.target, s.host) for s in server.seen()[before:]]
    return Crawl(result.log, result.returncode, final_stats(result.log), fetches, articles,
                 captures, seen)


@pytest.fixture(scope="module")
def crawl(fault_server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """Transport faults, bombs and redirects, beside one good article."""
    tmp = tmp_path_factory.mktemp("transport")
    paths = ["/article/plain", *TRANSPORT, *(f"/bomb/{c}" for c in BOMBS), *REDIRECTS]
    urls = tmp / "urls.txt"
    urls.write_text("".join(f"{fault_server.url(p)}\n" for p in paths))
    return _crawl(fault_server, tmp, [f"urls_file={urls}"])


@pytest.fixture(scope="module")
def robots(fault_server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """An allowed and a forbidden page on each robots.txt site (one port each)."""
    tmp = tmp_path_factory.mktemp("robots")
    urls = tmp / "urls.txt"
    urls.write_text("".join(f"{fault_server.url(p, site)}\n" for site in ["main", *ROBOTS_SITES]
                            for p in ("/article/plain", "/forbidden/page")))
    # localhost: where robots-redirect sends its robots.txt ("another host").
    return _crawl(fault_server, tmp, [f"urls_file={urls}"], allow_private="127.0.0.1,localhost")


@pytest.fixture(scope="module")
def sitemaps(fault_server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    tmp = tmp_path_factory.mktemp("sitemaps")
    bomb, plain = fault_server.url("/sitemap/bomb.xml.gz"), fault_server.url("/sitemap/plain.xml")
    return _crawl(fault_server, tmp, [f"sitemap={bomb},{plain}"])


def assert_retried_then_failed(crawl: Crawl, fault_server: FaultServer, path: str,
                               error: str, message: str) -> str:
    """``path`` was fetched twice (RETRY_TIMES = 1), then recorded as ``error:ERROR`` with one
    ``Failed URL: ...`` line; returns its URL."""
    url = fault_server.url(path)
    assert crawl.paths().count(path) == 2
    assert crawl.fetches[url] == f"error:{error}"
    assert f"Failed {url}: {message.format(url=url)}" in crawl.log
    return url


@pytest.mark.e2e
def test_the_crawl_goes_on_and_stores_only_the_good_article(crawl, fault_server):
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.articles == [fault_server.url("/article/plain")]
    assert "Traceback" not in crawl.log
    # every fetch has its row: the good article's, and each fault's with why it ended there
    # (a redirect's under the URL it was given up at)
    assert {url.removeprefix(fault_server.base): outcome
            for url, outcome in crawl.fetches.items()} == {
        "/article/plain": "new",
        "/transport/drop-mid-body": "error:ResponseDataLossError",
        "/transport/length-longer": "error:ResponseDataLossError",
        "/transport/length-shorter": "dropped:no_content",
        "/transport/chunked-broken": "error:ResponseDataLossError",
        "/transport/never-answer": "error:DownloadTimeoutError",
        "/transport/drip": "dropped:truncated",
        **{f"/bomb/{coding}": "dropped:decompression_limit" for coding in BOMBS},
        "/redirect/loop": "dropped:redirect_loop",
        "/redirect/pong": "dropped:redirect_loop",
        "/redirect/meta-refresh-loop": "dropped:redirect_loop",
        "/redirect/chain/25": "dropped:redirect_limit",
    }


@pytest.mark.e2e
def test_a_connection_dropped_mid_body_is_retried_then_recorded_as_an_error(crawl, fault_server):
    for path in ("/transport/drop-mid-body", "/transport/length-longer"):
        url = assert_retried_then_failed(crawl, fault_server, path, "ResponseDataLossError",
                                         DATALOSS)
        assert url not in crawl.captures  # Scrapy keeps nothing of a failed body
    assert crawl.stats["newscrawler/errors/ResponseDataLossError"] == 3  # with chunked-broken


@pytest.mark.e2e
def test_broken_chunked_encoding_is_a_data_loss(crawl, fault_server):
    assert_retried_then_failed(crawl, fault_server, "/transport/chunked-broken",
                               "ResponseDataLossError", DATALOSS)
    # A body of unknown length no longer trips the truncation check (it logged a traceback).
    assert "Error caught on signal handler" not in crawl.log


@pytest.mark.e2e
def test_a_content_length_shorter_than_the_body_is_read_as_announced(crawl, fault_server):
    url = fault_server.url("/transport/length-shorter")
    record = crawl.captures[url]
    assert record.payload == ARTICLE.encode()[:100] and "WARC-Truncated" not in record.warc_headers
    assert crawl.fetches[url] == "dropped:no_content"  # 100 bytes of <head>: no article
    assert crawl.stats["newscrawler/dropped/no_content"] == 1


@pytest.mark.e2e
def test_a_server_that_never_answers_times_out(crawl, fault_server):
    assert_retried_then_failed(crawl, fault_server, "/transport/never-answer",
                               "DownloadTimeoutError",
                               "DownloadTimeoutError: Getting {url} took longer than 3.0")
    assert crawl.stats["newscrawler/errors/DownloadTimeoutError"] == 1


@pytest.mark.e2e
def test_a_body_dripped_a_byte_a_second_is_cut_at_the_time_limit(crawl, fault_server):
    url = fault_server.url("/transport/drip")
    record = crawl.captures[url]
    assert record.warc_headers["WARC-Truncated"] == "time"
    assert 0 < len(record.payload) < 60 and ARTICLE.encode().startswith(record.payload)
    assert crawl.fetches[url] == "dropped:truncated"
    assert crawl.stats["newscrawler/dropped/truncated"] == 1


@pytest.mark.e2e
def test_compression_bombs_are_cut_off_and_never_stored(crawl, fault_server):
    for coding in BOMBS:
        url = fault_server.url(f"/bomb/{coding}")
        assert crawl.fetches[url] == "dropped:decompression_limit"
        assert (f"Ignored response <200 {url}> because its body" in crawl.log
                and "exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression" in crawl.log)
        record = crawl.captures[url]  # the raw response, compressed and whole
        assert record.payload == payloads.BOMBS[coding]()
        assert "WARC-Truncated" not in record.warc_headers
    assert crawl.stats["newscrawler/dropped/decompression_limit"] == len(BOMBS)


@pytest.mark.e2e
def test_redirect_loops_stop_at_the_first_repeat(crawl, fault_server):
    for path in ("/redirect/loop", "/redirect/ping", "/redirect/pong",
                 "/redirect/meta-refresh-loop"):
        assert crawl.paths().count(path) == 1, path
    for path, back, kind in [("/redirect/loop", "/redirect/loop", "redirect"),
                             ("/redirect/pong", "/redirect/ping", "redirect"),
                             ("/redirect/meta-refresh-loop", "/redirect/meta-refresh-loop",
                              "meta refresh")]:
        url = fault_server.url(path)
        assert crawl.fetches[url] == "dropped:redirect_loop"
        assert f"Gave up {url}: {kind} loop back to {fault_server.url(back)}" in crawl.log
    assert crawl.stats["newscrawler/dropped/redirect_loop"] == 3


@pytest.mark.e2e
def test_a_chain_of_30_redirects_is_given_up_past_redirect_max_times(crawl, fault_server):
    chain = [p for p in crawl.paths() if p.startswith("/redirect/chain/")]
    assert chain == [f"/redirect/chain/{n}" for n in range(30, 24, -1)]  # 5 redirects followed
    assert crawl.paths().count("/article/plain") == 1  # the end of the chain never reached
    last = fault_server.url("/redirect/chain/25")
    assert crawl.fetches[last] == "dropped:redirect_limit"
    assert (f"Gave up {last}: more than 5 redirects (REDIRECT_MAX_TIMES) from "
            f"{fault_server.url('/redirect/chain/30')}") in crawl.log
    assert crawl.stats["newscrawler/dropped/redirect_limit"] == 1


@pytest.mark.e2e
def test_a_bomb_inside_a_gzipped_sitemap_in_a_crawl(sitemaps, fault_server):
    assert sitemaps.returncode == 0, sitemaps.log[-3000:]
    bomb = fault_server.url("/sitemap/bomb.xml.gz")
    assert (f"Skipped sitemap {bomb}: gzipped sitemap inflates beyond 16777216 bytes"
            in sitemaps.log)
    assert sitemaps.fetches[bomb] == "dropped:bad_sitemap"
    assert sitemaps.stats["newscrawler/dropped/bad_sitemap"] == 1
    assert sitemaps.captures[bomb].payload == payloads.sitemap_bomb()
    assert sitemaps.articles == [fault_server.url("/article/plain")]  # from the good sitemap


def _pages(robots: Crawl, site: str) -> list[str]:
    return sorted(p for p in robots.paths(site) if p != "/robots.txt")


@pytest.mark.e2e
def test_robots_txt_answering_5xx_or_never_disallows_the_whole_site(robots, fault_server):
    assert robots.returncode == 0, robots.log[-3000:]
    for site, why in [("robots-500", "HTTP 500"),
                      ("robots-timeout", "DownloadTimeoutError: Getting")]:
        assert robots.paths(site) == ["/robots.txt"] * 2  # retried once, then no page
        netloc = fault_server.url("", site).removeprefix("http://")
        assert f"robots.txt of {netloc} is unreachable ({why}" in robots.log
        assert "the site is disallowed for this crawl (RFC 9309)" in robots.log
    assert robots.stats["newscrawler/robots/unreachable"] == 2
    assert "Error downloading" not in robots.log and "Traceback" not in robots.log


@pytest.mark.e2e
def test_robots_txt_answering_4xx_allows_everything(robots, fault_server):
    for site, status in [("robots-403", 403), ("robots-404", 404)]:
        assert _pages(robots, site) == ["/article/plain", "/forbidden/page"]
        netloc = fault_server.url("", site).removeprefix("http://")
        assert f"robots.txt of {netloc} is unavailable (HTTP {status})" in robots.log
    assert robots.stats["newscrawler/robots/unavailable"] == 2


@pytest.mark.e2e
def test_garbage_robots_txt_is_read_leniently(robots, fault_server):
    # Protego reads "User-agent *" and "Disalow /" among the noise: nothing is allowed.
    assert _pages(robots, "robots-garbage") == []
    netloc = fault_server.url("", "robots-garbage").removeprefix("http://")
    assert f"robots.txt of {netloc} disallows / to newscrawler/" in robots.log


@pytest.mark.e2e
def test_a_5mb_robots_txt_is_read_to_its_first_500_kib(robots, fault_server):
    # Its last line, "Disallow: /", lies past the parsing limit.
    assert _pages(robots, "robots-5mb") == ["/article/plain", "/forbidden/page"]
    netloc = fault_server.url("", "robots-5mb").removeprefix("http://")
    assert f"robots.txt of {netloc} is 5242887 bytes: only its first" in robots.log
    assert robots.stats["newscrawler/robots/oversized"] == 1


@pytest.mark.e2e
def test_a_robots_txt_redirected_to_another_host_is_followed(robots, fault_server):
    # robots-redirect's robots.txt is the main site's, on localhost: /forbidden/ is refused.
    assert ("main", "/robots.txt", f"localhost:{fault_server.port}") in robots.seen
    assert _pages(robots, "robots-redirect") == ["/article/plain"]
    assert _pages(robots, "main") == ["/article/plain"]
    # the main site, robots-500, robots-timeout, robots-garbage twice; robots-redirect once
    assert robots.stats["newscrawler/robots/forbidden"] == 8


# --- the robots.txt middleware and the offsite exemption, without a crawl ------------------

class _Engine:
    """Scrapy's engine as the middleware sees it: the robots.txt download, answered here."""

    def __init__(self, answer: Response | Exception) -> None:
        self.answer = answer
        self.requests: list[Request] = []

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _rules_after(answer: Response | Exception) -> tuple[Any, dict[str, Any], _Engine]:
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True, "USER_AGENT": "newscrawler/test"})
    crawler.stats.open_spider()
    engine = _Engine(answer)
    crawler.engine = engine  # type: ignore[assignment]
    middleware = RobotsTxtMiddleware.from_crawler(crawler)
    rules = asyncio.run(middleware.rules_for(Request("https://news.example/a")))
    return rules, crawler.stats.get_stats(), engine


ROBOTS_BODY = b"User-agent: *\nDisallow: /private/\n"


@pytest.mark.parametrize(("status", "outcome"), [
    (200, "rules"), (401, "unavailable"), (404, "unavailable"), (410, "unavailable"),
    (429, "unreachable"), (500, "unreachable"), (503, "unreachable")])
def test_robots_status_decides_the_rules(status, outcome):
    url = "https://news.example/robots.txt"
    rules, stats, engine = _rules_after(TextResponse(url, status=status, body=ROBOTS_BODY))
    assert [r.url for r in engine.requests] == [url] and engine.requests[0].meta[ROBOTS_FETCH]
    if outcome == "rules":  # the body is read as rules only from a 2xx
        assert rules.allowed("https://news.example/a", "newscrawler/test")
        assert not rules.allowed("https://news.example/private/x", "newscrawler/test")
    elif outcome == "unavailable":
        assert rules is None  # no rules: everything allowed
        assert stats["newscrawler/robots/unavailable"] == 1
    else:
        assert not rules.allowed("https://news.example/a", "newscrawler/test")
        assert stats["newscrawler/robots/unreachable"] == 1


@pytest.mark.parametrize(("error", "allowed"), [
    (ConnectionRefusedError("refused"), False),  # unreachable: disallow all
    (IgnoreRequest("refused (offsite)"), True),  # a refused redirect: unavailable, allow all
])
def test_robots_download_failures(error, allowed):
    rules, stats, _ = _rules_after(error)
    assert (rules is None) is allowed
    key = "unavailable" if allowed else "unreachable"
    assert stats[f"newscrawler/robots/{key}"] == 1


def _safe_middleware() -> SafeRequestMiddleware:
    crawler = get_crawler(Spider, {"NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": ""})
    crawler.stats.open_spider()
    middleware = SafeRequestMiddleware.from_crawler(crawler)
    middleware.domains = ["news.example"]
    return middleware


def test_a_robots_txt_fetch_may_leave_the_site_but_not_for_a_private_address():
    middleware = _safe_middleware()
    elsewhere = "http://93.184.215.14/robots.txt"  # a public address, no lookup needed
    asyncio.run(middleware.process_request(Request(elsewhere, meta={ROBOTS_FETCH: True})))
    with pytest.raises(IgnoreRequest, match="offsite"):  # any other request is refused
        asyncio.run(middleware.process_request(Request(elsewhere)))
    with pytest.raises(IgnoreRequest, match="private_address"):
        asyncio.run(middleware.process_request(
            Request("http://10.0.0.1/robots.txt", meta={ROBOTS_FETCH: True})))
