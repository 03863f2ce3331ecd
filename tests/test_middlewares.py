"""SafeRequestMiddleware and CrawlDelayMiddleware, built with Scrapy's test crawler."""

from __future__ import annotations

import asyncio
import time

import pytest
from protego import Protego
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler

from newscrawler.middlewares import CrawlDelayMiddleware, SafeRequestMiddleware


class SiteSpider(Spider):
    name = "site"
    site_domains = ["127.0.0.1", "example.org"]


def _middleware(allow: str = "", domains: tuple[str, ...] = ("127.0.0.1", "example.org")
                ) -> SafeRequestMiddleware:
    crawler = get_crawler(SiteSpider, {"NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": allow})
    crawler.stats.open_spider()
    middleware = SafeRequestMiddleware.from_crawler(crawler)
    spider = SiteSpider()
    spider.site_domains = list(domains)
    middleware.spider_opened(spider)
    return middleware


def _run(mw: SafeRequestMiddleware, url: str, **meta) -> None:
    asyncio.run(mw.process_request(Request(url, meta=meta)))


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd"])
def test_non_http_refused(url):
    with pytest.raises(IgnoreRequest, match="scheme"):
        _run(_middleware("127.0.0.1"), url)


def test_private_address_refused_unless_allowlisted():
    with pytest.raises(IgnoreRequest, match="private_address"):
        _run(_middleware(), "http://127.0.0.1:8000/")
    _run(_middleware("127.0.0.1"), "http://127.0.0.1:8000/")


def test_offsite_refused_even_for_redirect_targets():
    mw = _middleware("127.0.0.1")
    with pytest.raises(IgnoreRequest, match="offsite"):
        _run(mw, "http://evil.example.net/", redirect_urls=["http://127.0.0.1/"])
    assert mw.stats.get_value("newscrawler/refused/offsite") == 1


def test_private_refused_on_an_allowed_domain_name():
    mw = _middleware(domains=("localhost",))
    with pytest.raises(IgnoreRequest, match="private_address"):
        _run(mw, "http://localhost:8000/")


def test_crawl_delay_from_robots_spaces_requests():
    crawler = get_crawler(Spider, {"USER_AGENT": "newscrawler/1", "ROBOTSTXT_OBEY": True})
    mw = CrawlDelayMiddleware.from_crawler(crawler)
    parser = ProtegoRobotParser.__new__(ProtegoRobotParser)
    parser.rp = Protego.parse("User-agent: *\nCrawl-delay: 0.3\n")
    mw.robots_parsed(parser, Request("http://site.example/a"))
    assert mw.delays == {"site.example": 0.3}

    async def three() -> float:
        start = time.monotonic()
        for path in ("a", "b", "c"):
            await mw.process_request(Request(f"http://site.example/{path}"))
        return time.monotonic() - start

    assert asyncio.run(three()) >= 0.55


def test_crawl_delay_is_off_when_robots_txt_is_not_obeyed():
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": False})
    with pytest.raises(NotConfigured, match="ROBOTSTXT_OBEY"):
        CrawlDelayMiddleware.from_crawler(crawler)


def _meta_refresh(body: bytes, encoding: str = "utf-8") -> object:
    from scrapy.http import HtmlResponse

    from newscrawler.middlewares import QuickMetaRefreshMiddleware
    crawler = get_crawler(Spider)
    mw = QuickMetaRefreshMiddleware.from_crawler(crawler)
    request = Request("http://site.example/old")
    response = HtmlResponse("http://site.example/old", body=body, encoding=encoding)
    return mw.process_response(request, response)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_meta_refresh_redirects_are_followed(encoding):
    page = ('<html><head><meta http-equiv="Refresh" content="0; url=/new"></head>'
            "<body>Moved</body></html>").encode(encoding)
    result = _meta_refresh(page, encoding)
    # (Scrapy's own check, which the UTF-16 page goes to, leaves the BOM in the query)
    assert isinstance(result, Request) and result.url.startswith("http://site.example/new")


def test_pages_without_a_refresh_tag_pass_through_untouched():
    page = (b"<html><head><title>Article</title><script>refresh()</script></head><body>"
            + b"<p>text</p>" * 5000 + b"</body>")
    response_or_request = _meta_refresh(page)
    assert not isinstance(response_or_request, Request)
    # a refresh tag after Scrapy's 4,096-character window is not followed by either
    late = b"<html><body>" + b"x" * 20000 + b'<meta http-equiv="refresh" content="0;url=/n">'
    assert not isinstance(_meta_refresh(late), Request)
