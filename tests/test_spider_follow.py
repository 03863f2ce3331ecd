"""NewsSpider.follow: the requests a page leads to, from the links its worker read.

The extract pipeline schedules them with the engine, past the spider middlewares, so
``follow`` itself must give them what those would: depth, breadth-first priority, Referer,
the URL length limit; and keep the spider's own rules (same site, depth limit, template
budget, nothing scheduled twice).
"""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from newscrawler import settings as project_settings
from newscrawler.plan import make_plan
from newscrawler.worker import PageLinks, process_page
from spiders.news import PRIORITY_DISCOVERY, NewsSpider

SITE = "https://news.example"


def _spider(depth_limit: int = 2, budget: int = 2) -> NewsSpider:
    settings = {k: getattr(project_settings, k) for k in ("DEPTH_PRIORITY", "URLLENGTH_LIMIT")}
    crawler = get_crawler(NewsSpider, settings)
    plan = make_plan({"url": f"{SITE}/"}, "unused.toml", depth_limit)
    spider = NewsSpider(plan, budget, known_urls={f"{SITE}/known.html"})
    spider._set_crawler(crawler)
    return spider


def test_links_become_requests_with_depth_priority_and_referer():
    spider = _spider()
    links = PageLinks("listing", [f"{SITE}/feed.xml", "https://other.example/feed.xml"],
                      [f"{SITE}/a.html", f"{SITE}/known.html", "https://other.example/b.html",
                       f"{SITE}/" + "x" * 3000, f"{SITE}/a.html?utm_source=rss"])
    requests = spider.follow(f"{SITE}/", 0, links)
    assert [r.url for r in requests] == [f"{SITE}/feed.xml", f"{SITE}/a.html"]
    feed, page = requests
    assert feed.callback == spider.parse_feed and page.callback == spider.parse_page
    assert feed.priority == PRIORITY_DISCOVERY - 1 and page.priority == -1
    assert all(r.meta["depth"] == 1 for r in requests)
    assert all(r.headers.get("Referer") == f"{SITE}/".encode() for r in requests)
    assert spider.follow(f"{SITE}/", 0, links) == []  # nothing is scheduled twice


def test_depth_limit_and_template_budget():
    spider = _spider(depth_limit=2, budget=2)
    deep = PageLinks("article", [], [f"{SITE}/deep.html"])
    assert spider.follow(f"{SITE}/p/1", 2, deep) == []  # at the depth limit: no page links
    for day in (1, 2):  # two listing pages of one URL shape use up its budget...
        spider.follow(f"{SITE}/calendar/2024/{day}/", 1, PageLinks("calendar", [], []))
    calendar = PageLinks("calendar", [], [f"{SITE}/calendar/2024/3/"])
    assert spider.follow(f"{SITE}/x.html", 1, calendar) == []  # ...so its pages are not followed


def test_a_worker_reads_a_listing_s_links_and_still_rejects_it():
    page = (b"<html><head><link rel='alternate' type='application/rss+xml' href='/rss'></head>"
            b"<body class='home'><a href='/2024/story.html'>Story</a></body></html>")
    result, _, _, links = process_page((page, f"{SITE}/", {}), {}, True)
    assert result.reason == "not_article"
    assert links == PageLinks("listing", [f"{SITE}/rss"], [f"{SITE}/2024/story.html"])
    assert process_page((page, f"{SITE}/", {}), {}, False)[3] is None
