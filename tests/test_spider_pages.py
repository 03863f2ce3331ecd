"""NewsSpider.parse_page: one page in, its analysis awaited, follow-up requests and one item out.

Built with Scrapy's test crawler and an inline analyser (no worker processes), against a real
SQLite archive; the requests then go through Scrapy's spider middlewares in a real crawl (the
end-to-end tests), which give them depth, priority, Referer and the URL length limit.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore
from newscrawler.items import FetchItem, PageItem
from spiders.news import PRIORITY_DISCOVERY, SHAPE, NewsSpider
from tests.settings import project_settings
from tests.test_store import make_record

SITE = "https://news.example"
ARTICLE = ("<html lang='en'><head><title>Harbour bridge reopens</title>"
           "<link rel='alternate' type='application/rss+xml' href='/rss'></head><body>"
           "<article><h1>Harbour bridge reopens</h1>"
           + "".join(f"<p>Paragraph {n}: the harbour bridge reopened on Monday after months of "
                     "repairs, officials said. Traffic returned to normal by the evening.</p>"
                     for n in range(6))
           + "</article>{links}</body></html>")


def spider(tmp_path, depth_limit: int = 2, budget: int = 3, **args: str) -> NewsSpider:
    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    ArchiveStore(open_archive(db)).store(make_record(f"{SITE}/known.html"), None)
    crawler = get_crawler(NewsSpider, project_settings(
        NEWSCRAWLER_DB=db, NEWSCRAWLER_EXTRACT_WORKERS=0, NEWSCRAWLER_DEPTH_LIMIT=depth_limit,
        NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE=budget))
    crawler.stats.open_spider()
    return NewsSpider.from_crawler(crawler, **(args or {"url": f"{SITE}/"}))


def page(url: str, links: list[str] = (), depth: int = 0, body: str = ARTICLE,
         **meta: Any) -> HtmlResponse:
    anchors = "".join(f"<a href='{link}'>link</a>" for link in links)
    request = Request(url, meta={"depth": depth, **meta})
    return HtmlResponse(url, body=body.format(links=anchors).encode(), request=request,
                        headers={"Content-Type": "text/html; charset=utf-8"})


def outputs(spider: NewsSpider, response: HtmlResponse) -> list[Any]:
    async def collect() -> list[Any]:
        return [output async for output in spider.parse_page(response)]
    return asyncio.run(collect())


def test_an_article_yields_its_feed_its_new_links_and_its_item(tmp_path):
    news = spider(tmp_path)
    out = outputs(news, page(f"{SITE}/2024/bridge.html", [
        "/a.html", "/known.html", "https://other.example/b.html", "/a.html?utm_source=rss"]))
    requests = [o for o in out if isinstance(o, Request)]
    assert [r.url for r in requests] == [f"{SITE}/rss", f"{SITE}/a.html"]
    feed, link = requests
    assert feed.callback == news.parse_feed and feed.priority == PRIORITY_DISCOVERY
    assert link.callback == news.parse_page and link.errback == news.on_error
    assert link.meta[SHAPE] == "news.example/a.html"
    [item] = [o for o in out if isinstance(o, PageItem)]
    assert item.analysis.article.title == "Harbour bridge reopens"
    assert item.analysis.kind == "article" and item.analysis.content_hash
    # Nothing is scheduled twice, the archived URL (known.html) was never scheduled.
    again = outputs(news, page(f"{SITE}/2024/other.html", ["/a.html", "/known.html"]))
    assert not [o for o in again if isinstance(o, Request)]


def test_a_listing_is_recorded_as_dropped_after_its_links_are_followed(tmp_path):
    news = spider(tmp_path)
    listing = "<html><body class='home'>{links}</body></html>"
    out = outputs(news, page(f"{SITE}/", ["/2024/story.html"], body=listing))
    assert [o.url for o in out if isinstance(o, Request)] == [f"{SITE}/2024/story.html"]
    [fetch] = [o for o in out if isinstance(o, FetchItem)]
    assert fetch.outcome == "dropped:not_article" and fetch.status == 200
    assert news.crawler.stats.get_value("newscrawler/dropped/not_article") == 1


def test_no_page_links_at_the_depth_limit(tmp_path):
    news = spider(tmp_path, depth_limit=2)
    out = outputs(news, page(f"{SITE}/p/deep.html", ["/deeper.html"], depth=2))
    assert [o.url for o in out if isinstance(o, Request)] == [f"{SITE}/rss"]


def test_links_of_one_shape_wait_for_answers_and_stop_after_non_articles(tmp_path):
    news = spider(tmp_path, budget=3)
    listing = "<html><body class='home'>{links}</body></html>"
    links = [f"/x/{n}/" for n in range(10)]
    first = [o for o in outputs(news, page(f"{SITE}/", links, body=listing))
             if isinstance(o, Request)]
    assert [r.url for r in first] == [f"{SITE}/x/{n}/" for n in range(3)]  # the window
    # An article answer lets one waiting link out; non-article answers count against the
    # shape's budget, in-flight requests too, so three non-articles in all close it.
    released = []
    for request, body in zip(first, [ARTICLE, listing, listing], strict=True):
        answer = page(request.url, body=body, **{SHAPE: request.meta[SHAPE]})
        released += [o for o in outputs(news, answer) if isinstance(o, Request)
                     and SHAPE in o.meta]
    assert [r.url for r in released] == [f"{SITE}/x/3/"]
    assert not news.budget.closed("news.example/x/N/")
    outputs(news, page(released[0].url, body=listing, **{SHAPE: released[0].meta[SHAPE]}))
    assert news.budget.closed("news.example/x/N/")
    assert news.budget.release() == []


def test_links_of_a_shape_that_are_articles_keep_flowing(tmp_path):
    news = spider(tmp_path, budget=2)
    listing = "<html><body class='home'>{links}</body></html>"
    links = [f"/story/{n}.html" for n in range(6)]
    pending = [o for o in outputs(news, page(f"{SITE}/", links, body=listing))
               if isinstance(o, Request)]
    fetched = []
    while pending:
        request = pending.pop(0)
        fetched.append(request.url)
        out = outputs(news, page(request.url, **{SHAPE: request.meta[SHAPE]}))
        pending += [o for o in out if isinstance(o, Request) and SHAPE in o.meta]
    assert sorted(fetched) == sorted(f"{SITE}/story/{n}.html" for n in range(6))


@pytest.mark.parametrize(("status", "content_type", "reason"), [
    (404, "text/html", "status"), (200, "application/pdf", "not_html")])
def test_what_cannot_be_an_article_is_dropped_before_analysis(tmp_path, status, content_type,
                                                              reason):
    news = spider(tmp_path)
    response = HtmlResponse(f"{SITE}/doc", status=status, body=b"%PDF-1.4",
                            headers={"Content-Type": content_type}, request=Request(f"{SITE}/doc"))
    [fetch] = outputs(news, response)
    assert (fetch.outcome, fetch.status) == (f"dropped:{reason}", status)
