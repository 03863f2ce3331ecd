"""The ``news`` spider: discovers and fetches pages; extraction happens in the pipelines.

Discovery: robots.txt ``Sitemap:`` lines, sitemap indexes, (gzipped) sitemaps with their
Google News fields, RSS/Atom feeds and in-site links. Links are followed only in ``source``
and ``url`` modes, within the plan's domains, depth and allow/deny patterns; non-article
pages are followed for discovery, but at most NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE of them per
URL shape, which bounds endless calendars and query-string permutations.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore, DueArticle
from newscrawler.discovery.feeds import FeedError, looks_like_feed, parse_feed
from newscrawler.discovery.robots import sitemaps_from_robots
from newscrawler.discovery.sitemaps import SitemapError, parse_sitemap
from newscrawler.items import NotModifiedItem, PageItem
from newscrawler.plan import CrawlPlan, make_plan
from newscrawler.urls import canonicalize_url, same_site, url_template

if TYPE_CHECKING:
    from newscrawler.worker import PageLinks

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
# Scheduling order (higher first): discovery documents (robots.txt, sitemaps, feeds, start
# pages), then the article candidates they announce, then links followed from pages.
PRIORITY_CANDIDATE = 10
PRIORITY_DISCOVERY = 20


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, plan: CrawlPlan, max_per_template: int, known_urls: set[str],
                 recheck: list[DueArticle] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan
        self.site_domains = plan.domains
        self.max_per_template = max_per_template
        self.known_urls = known_urls
        self.recheck = recheck or []
        self._scheduled: set[str] = set()
        self._non_articles: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        settings = crawler.settings
        plan = make_plan(kwargs, settings.get("NEWSCRAWLER_SOURCES"),
                         settings.getint("NEWSCRAWLER_DEPTH_LIMIT"))
        store = ArchiveStore(open_archive(settings.get("NEWSCRAWLER_DB")))
        try:
            known = store.known_urls()
            recheck = _articles_to_recheck(store, plan)
        finally:
            store.engine.dispose()
        spider = cls(plan, settings.getint("NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE"), known, recheck)
        spider._set_crawler(crawler)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        plan = self.plan
        for due in self.recheck:
            yield self._recheck_request(due)
        for url in plan.pages:
            canonical = canonicalize_url(url)
            if canonical not in self._scheduled and canonical not in self.known_urls:
                self._scheduled.add(canonical)
                yield self._page_request(url, force_article=True)
        for url in plan.sitemaps:
            yield scrapy.Request(url, self.parse_sitemap, priority=PRIORITY_DISCOVERY)
        for url in plan.feeds:
            yield scrapy.Request(url, self.parse_feed, priority=PRIORITY_DISCOVERY)
        for url in plan.start_urls:
            robots = urljoin(url, "/robots.txt")
            if robots not in self._scheduled:
                self._scheduled.add(robots)
                meta = {"dont_obey_robotstxt": True, "handle_httpstatus_all": True}
                yield scrapy.Request(robots, self.parse_robots, priority=PRIORITY_DISCOVERY,
                                     meta=meta)
            self._scheduled.add(canonicalize_url(url))
            yield scrapy.Request(url, self.parse_page, priority=PRIORITY_DISCOVERY)

    # --- discovery documents ------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = sitemaps_from_robots(response.body) if response.status == 200 else []
        if not sitemaps:
            sitemaps = [urljoin(response.url, "/sitemap.xml")]
        for url in sitemaps:
            yield scrapy.Request(url, self.parse_sitemap, priority=PRIORITY_DISCOVERY)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = parse_sitemap(response.body, max_size=self._max_size())
        except SitemapError as exc:
            self._count("bad_sitemap")
            logger.warning("Skipped sitemap %s: %s", response.url, exc)
            return
        for entry in sitemap.entries:
            if sitemap.kind == "sitemapindex":
                yield scrapy.Request(entry.url, self.parse_sitemap, priority=PRIORITY_DISCOVERY)
            else:
                yield from self._candidate(entry.url, dict(entry.news))

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            entries = parse_feed(response.body, base_url=response.url)
        except FeedError as exc:
            self._count("bad_feed")
            logger.warning("Skipped feed %s: %s", response.url, exc)
            return
        for entry in entries:
            hints = {"title": entry.title, "published_at": entry.published_at,
                     "authors": entry.authors, "language": entry.language}
            yield from self._candidate(entry.url, {k: v for k, v in hints.items() if v})

    # --- pages ---------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            yield NotModifiedItem(response.url, self.plan.source, datetime.now(UTC).isoformat())
            return
        content_type = response.headers.get(b"Content-Type", b"") or b""
        if looks_like_feed(response.body[:2048], content_type.decode("latin-1")):
            yield from self.parse_feed(response)
            return
        meta = response.meta
        item = self._item(response, meta.get("force_article", False), meta.get("hints") or {})
        if self.plan.follows_links and _is_htmlish(content_type):
            # The extraction worker reads the page's links from its own parse of the page
            # and the extract pipeline hands them to ``follow``: the page is parsed once.
            item.follow, item.depth = True, meta.get("depth", 0)
        yield item

    def follow(self, page_url: str, depth: int, links: PageLinks) -> list[scrapy.Request]:
        """The requests a page at ``depth`` leads to, from what its worker read in it.

        Called by the extract pipeline, which schedules them with the engine: bypassing the
        spider middlewares, so what they do for a callback's requests is done here (depth
        and breadth-first priority, Referer, URL length limit).
        """
        if links.kind != "article":
            self._non_articles[_template(page_url)] += 1
        requests = []
        for url in links.feeds:
            if same_site(url, self.site_domains) and url not in self._scheduled:
                self._scheduled.add(url)
                requests.append(scrapy.Request(url, self.parse_feed, priority=PRIORITY_DISCOVERY))
        if depth < self.plan.depth_limit:
            for url in links.pages:
                request = self._discovery_request(url)
                if request is not None:
                    requests.append(request)
        max_length, depth_priority = self._follow_limits
        followed = []
        for request in requests:
            if max_length and len(request.url) > max_length:
                continue
            request.meta["depth"] = depth + 1
            request.priority -= (depth + 1) * depth_priority
            request.headers.setdefault("Referer", page_url)
            followed.append(request)
        return followed

    @cached_property
    def _follow_limits(self) -> tuple[int, int]:
        """URLLENGTH_LIMIT and DEPTH_PRIORITY, as the spider middlewares read them."""
        settings = self.crawler.settings
        return settings.getint("URLLENGTH_LIMIT"), settings.getint("DEPTH_PRIORITY")

    def _discovery_request(self, url: str) -> scrapy.Request | None:
        if not same_site(url, self.site_domains) or not self.plan.url_allowed(url):
            return None
        canonical = canonicalize_url(url)
        if canonical in self._scheduled or canonical in self.known_urls:
            return None
        if self._non_articles[_template(canonical)] >= self.max_per_template:
            self._count("template_budget")
            return None
        self._scheduled.add(canonical)
        return scrapy.Request(canonical, self.parse_page)

    def _candidate(self, url: str, hints: dict[str, Any]) -> Iterable[scrapy.Request]:
        if not same_site(url, self.site_domains) and self.plan.mode == "source":
            return []
        canonical = canonicalize_url(url)
        if canonical in self._scheduled or canonical in self.known_urls:
            return []
        if not self.plan.url_allowed(canonical):
            return []
        self._scheduled.add(canonical)
        return [self._page_request(canonical, hints=hints)]

    def _page_request(self, url: str, *, force_article: bool = False,
                      hints: dict[str, Any] | None = None) -> scrapy.Request:
        meta = {"force_article": force_article, "hints": hints or {}}
        if self.plan.mode in ("feed", "sitemap", "urls_file"):
            # Feeds and sitemaps may list pages on other hosts (CDNs, feed proxies).
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            meta["newscrawler_domains"] = [*self.site_domains, host]
        return scrapy.Request(url, self.parse_page, priority=PRIORITY_CANDIDATE, meta=meta)

    def _recheck_request(self, due: DueArticle) -> scrapy.Request:
        """A conditional GET of an archived article: a 304 costs no extraction."""
        headers = {}
        if due.etag:
            headers["If-None-Match"] = due.etag
        if due.last_modified:
            headers["If-Modified-Since"] = due.last_modified
        self._scheduled.add(due.canonical_url)
        self._scheduled.add(canonicalize_url(due.url))
        return scrapy.Request(due.url, self.parse_page, headers=headers, dont_filter=True,
                              priority=PRIORITY_CANDIDATE,
                              meta={"handle_httpstatus_list": [304], "recheck": True,
                                    "force_article": self.plan.mode == "urls_file"})

    def _item(self, response: Response, force_article: bool, hints: dict[str, Any]) -> PageItem:
        return PageItem(
            url=response.url,
            body=response.body,
            headers=_headers(response),
            status=response.status,
            source=self.plan.source,
            request_url=response.request.url if response.request else response.url,
            force_article=force_article,
            hints=hints,
            fetched_at=datetime.now(UTC).isoformat(),
        )

    def _max_size(self) -> int:
        return self.crawler.settings.getint("DOWNLOAD_MAXSIZE")

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"newscrawler/discovery/{key}")


def _template(url: str) -> str:
    """The URL's shape on its host: trap budgets are counted per site and shape."""
    return f"{urlsplit(url).hostname}{url_template(url)}"


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()}


def _is_htmlish(content_type: bytes) -> bool:
    ct = content_type.lower()
    return not ct or any(t in ct for t in HTML_TYPES)


def _articles_to_recheck(store: ArchiveStore, plan: CrawlPlan) -> list[DueArticle]:
    """Archived articles of this source to fetch again, by ``-a recheck``."""
    if plan.recheck == "none":
        return []
    source = plan.source or None
    if plan.recheck == "all":
        due = store.all_articles(source)
    else:
        due = store.due_articles(datetime.now(UTC), source)
    if plan.mode == "urls_file":
        wanted = {canonicalize_url(u) for u in plan.pages}
        due = [d for d in due if d.canonical_url in wanted or canonicalize_url(d.url) in wanted]
    return due
