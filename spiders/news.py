"""The ``news`` spider: discovers and fetches pages, awaits each page's analysis, and yields
the requests it leads to and the item for the archive.

One page, top to bottom (``parse_page``): a 304 to a re-check is recorded as such; a
response that cannot be an article (not 200, empty, not HTML, cut at a size or time limit)
is recorded as dropped with its reason; any other page is sent to the extraction workers
(``PageAnalyzer``), which parse it once and return one ``PageAnalysis``: its kind, the
article or why it is none, and in link-following modes its feeds and links. Those become
requests here, so Scrapy's spider middlewares give them depth, breadth-first priority,
Referer and the URL length limit; then the article goes to the pipelines as a ``PageItem``
(canonical URL, then the archive) with the ``CaptureRef`` of its WARC record, a
non-article as a ``FetchItem`` that records the fetch.

Discovery: robots.txt ``Sitemap:`` lines, sitemap indexes, (gzipped) sitemaps with their
Google News fields, RSS/Atom feeds and in-site links. Links are followed only in ``source``
and ``url`` modes, within the plan's domains, depth and allow/deny patterns, and within a
``ShapeBudget`` per URL shape (see ``newscrawler.discovery.budget``). The archive, asked in
batches, says which URLs are archived already: they are not fetched again unless due for a
re-check (``-a recheck``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawler.analysis.analyzer import AnalysisUnavailable, PageAnalyzer
from newscrawler.analysis.page import PageAnalysis
from newscrawler.archive.lookup import ArchiveLookup, DueArticle
from newscrawler.archive.reconnect import default_seconds
from newscrawler.capture.middleware import META_KEY
from newscrawler.discovery.budget import ShapeBudget, shape
from newscrawler.discovery.feeds import FeedError, looks_like_feed, parse_feed
from newscrawler.discovery.robots import sitemaps_from_robots
from newscrawler.discovery.sitemaps import SitemapError, parse_sitemap
from newscrawler.extensions import RECONNECTS
from newscrawler.items import FetchItem, PageItem
from newscrawler.plan import CrawlPlan, make_plan
from newscrawler.responses import (
    HTML_TYPES,
    DroppedResponse,
    headers_of,
    media_type,
    truncated,
    why_not_article,
)
from newscrawler.urls import canonicalize_url, has_tracking_params, same_site

logger = logging.getLogger(__name__)

# Scheduling order (higher first): discovery documents (robots.txt, sitemaps, feeds, start
# pages), then the article candidates they announce, then links followed from pages.
PRIORITY_CANDIDATE = 10
PRIORITY_DISCOVERY = 20
# Links read from one page: a hostile page can carry 50,000.
MAX_LINKS_PER_PAGE = 1000
SHAPE = "newscrawler_shape"  # request meta: the URL shape a followed link was budgeted under


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, plan: CrawlPlan, analyzer: PageAnalyzer, lookup: ArchiveLookup,
                 budget: ShapeBudget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan
        self.site_domains = plan.domains
        self.analyzer = analyzer
        self.lookup = lookup
        self.budget = budget
        self._scheduled: set[str] = set()
        self._workers_failed = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        settings = crawler.settings
        plan = make_plan(kwargs, settings.get("NEWSCRAWLER_SOURCES"),
                         settings.getint("NEWSCRAWLER_DEPTH_LIMIT"),
                         settings.get("NEWSCRAWLER_ALLOW_PRIVATE_HOSTS"))
        lookup = ArchiveLookup.open(
            settings.get("NEWSCRAWLER_DB"),
            settings.getfloat("NEWSCRAWLER_DB_RETRY_SECONDS", default_seconds()),
            on_reconnect=lambda: crawler.stats.inc_value(RECONNECTS))
        budget = ShapeBudget(settings.getint("NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE"))
        spider: NewsSpider = super().from_crawler(
            crawler, plan=plan, analyzer=PageAnalyzer.from_crawler(crawler), lookup=lookup,
            budget=budget)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        async for due in self._due_articles():
            yield self._recheck_request(due)
        given = {canonicalize_url(url): url for url in self.plan.pages}
        for url in await self._unknown(given):
            yield self._page_request(given[url], force_article=True)
        for url in self.plan.sitemaps:
            yield self._discovery(url, self.parse_sitemap)
        for url in self.plan.feeds:
            yield self._discovery(url, self.parse_feed)
        for url in self.plan.start_urls:
            robots = urljoin(url, "/robots.txt")
            if robots not in self._scheduled:
                self._scheduled.add(robots)
                meta = {"dont_obey_robotstxt": True, "handle_httpstatus_all": True}
                yield self._discovery(robots, self.parse_robots, meta=meta)
            self._scheduled.add(canonicalize_url(url))
            yield self._discovery(url, self.parse_page)

    # --- discovery documents ------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[Any]:
        yield self._fetch(response, "robots")
        sitemaps = sitemaps_from_robots(response.body) if response.status == 200 else []
        for url in sitemaps or [urljoin(response.url, "/sitemap.xml")]:
            yield self._discovery(url, self.parse_sitemap)

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Any]:
        if truncated(response):
            yield self._dropped(response, "truncated")
            return
        try:
            sitemap = parse_sitemap(response.body, max_size=self._max_size())
        except SitemapError as exc:
            logger.warning("Skipped sitemap %s: %s", response.url, exc)
            yield self._dropped(response, "bad_sitemap")
            return
        yield self._fetch(response, "sitemap")
        if sitemap.kind == "sitemapindex":
            for entry in sitemap.entries:
                yield self._discovery(entry.url, self.parse_sitemap)
            return
        for request in await self._candidates([(e.url, dict(e.news)) for e in sitemap.entries]):
            yield request

    async def parse_feed(self, response: Response) -> AsyncIterator[Any]:
        if truncated(response):
            yield self._dropped(response, "truncated")
            return
        try:
            entries = parse_feed(response.body, base_url=response.url)
        except FeedError as exc:
            logger.warning("Skipped feed %s: %s", response.url, exc)
            yield self._dropped(response, "bad_feed")
            return
        yield self._fetch(response, "feed")
        candidates = []
        for entry in entries:
            hints = {"title": entry.title, "published_at": entry.published_at,
                     "authors": entry.authors, "language": entry.language}
            candidates.append((entry.url, {k: v for k, v in hints.items() if v}))
        for request in await self._candidates(candidates):
            yield request

    # --- pages ---------------------------------------------------------------------------
    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        if response.status == 304:
            yield self._fetch(response, "not_modified")
            return
        content_type = media_type(response)
        if looks_like_feed(response.body[:2048], content_type):
            self._settle(response.meta, article=False)
            async for output in self.parse_feed(response):
                yield output
            return
        problem = why_not_article(response, content_type)
        if problem:
            self._settle(response.meta, article=False)
            yield self._dropped(response, problem)
            return
        analysis = await self._analyse(response, content_type)
        self._settle(response.meta, article=analysis.article is not None)
        if analysis.article is not None:
            for reason in analysis.article.discarded_dates:  # declared, but not believed
                self.crawler.stats.inc_value(f"newscrawler/dates/{reason}")
        for request in await self._follow(response, analysis):
            yield request
        if analysis.rejection is not None:
            yield self._dropped(response, analysis.rejection.reason)
            return
        yield PageItem(url=response.url, request_url=response.request.url, status=response.status,
                       headers=headers_of(response), source=self.plan.source, fetched_at=_now(),
                       analysis=analysis, capture=response.meta.get(META_KEY))

    async def _analyse(self, response: Response, content_type: str) -> PageAnalysis:
        meta = response.meta
        try:
            return await self.analyzer.analyse(
                response.body, response.url, headers_of(response),
                follow=self.plan.follows_links and content_type in ("", *HTML_TYPES),
                force_article=meta.get("force_article", False), hints=meta.get("hints") or {})
        except AnalysisUnavailable as exc:
            # Every page in flight fails the same way: say it once.
            if not self._workers_failed:
                self._workers_failed = True
                logger.error("Extraction workers cannot start, stopping the crawl: %s", exc)
            raise CloseSpider("extraction_workers_failed") from exc

    async def _follow(self, response: Response, analysis: PageAnalysis) -> list[scrapy.Request]:
        """The requests a page leads to: links its shape budget now lets out, the page's
        feeds, and its links while within the depth limit."""
        requests = [self._link_request(url) for url in self.budget.release()]
        for url in analysis.feeds:
            if same_site(url, self.site_domains) and url not in self._scheduled:
                self._scheduled.add(url)
                requests.append(self._discovery(url, self.parse_feed))
        if response.meta.get("depth", 0) >= self.plan.depth_limit:
            return requests
        links = analysis.links
        if len(links) > MAX_LINKS_PER_PAGE:
            self._count("page_link_limit", len(links) - MAX_LINKS_PER_PAGE)
            links = links[:MAX_LINKS_PER_PAGE]
        links = [u for u in links if same_site(u, self.site_domains)]
        self._count_tracking(links)
        wanted = [url for url in dict.fromkeys(canonicalize_url(u) for u in links)
                  if url not in self._scheduled and self.plan.url_allowed(url)]
        for url in await self._unknown(wanted):
            if self.budget.offer(url):
                requests.append(self._link_request(url))
        return requests

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """A request that got no usable response: counted, and recorded as a fetch if one
        was made (refusals never were: their middlewares count them). A transport failure
        (a dropped connection, a time-out) gets one line naming it, after Scrapy's retries."""
        request = failure.request  # type: ignore[attr-defined]
        self._settle(request.meta, article=False)
        yield from (self._link_request(url) for url in self.budget.release())
        exc = failure.value
        if isinstance(exc, DroppedResponse):  # a downloader middleware said and counted why
            response = exc.response
            yield self._fetch(response, f"dropped:{exc.reason}")
        elif isinstance(exc, HttpError):
            response = exc.response
            self.crawler.stats.inc_value(f"newscrawler/errors/http_{response.status}")
            yield FetchItem(response.url, response.status, "error:status", self.plan.source,
                            _now())
        elif not isinstance(exc, IgnoreRequest):
            name = type(exc).__name__
            self.crawler.stats.inc_value(f"newscrawler/errors/{name}")
            logger.warning("Failed %s: %s", request.url, _describe(exc))
            yield FetchItem(request.url, 0, f"error:{name}"[:64], self.plan.source, _now())

    # --- requests ------------------------------------------------------------------------
    async def _candidates(self, entries: list[tuple[str, dict[str, Any]]]
                          ) -> list[scrapy.Request]:
        """Requests for the article pages a sitemap or feed announces, not yet archived."""
        hints: dict[str, dict[str, Any]] = {}
        if self.plan.mode == "source":
            entries = [(url, fields) for url, fields in entries
                       if same_site(url, self.site_domains)]
        self._count_tracking([url for url, _ in entries])
        for url, fields in entries:
            canonical = canonicalize_url(url)
            if canonical not in self._scheduled and self.plan.url_allowed(canonical):
                hints.setdefault(canonical, fields)
        return [self._page_request(url, hints=hints[url]) for url in await self._unknown(hints)]

    async def _unknown(self, urls: Any) -> list[str]:
        """The URLs (canonicalised) neither scheduled in this run nor archived; now scheduled."""
        wanted = [u for u in dict.fromkeys(canonicalize_url(u) for u in urls)
                  if u not in self._scheduled]
        if not wanted:
            return []
        known = await self.lookup.known_async(wanted)
        self._scheduled.update(wanted)
        return [url for url in wanted if url not in known]

    def _discovery(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(url, callback, errback=self.on_error, priority=PRIORITY_DISCOVERY,
                              **kwargs)

    def _link_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, self.parse_page, errback=self.on_error,
                              meta={SHAPE: shape(url)})

    def _page_request(self, url: str, *, force_article: bool = False,
                      hints: dict[str, Any] | None = None) -> scrapy.Request:
        meta: dict[str, Any] = {"force_article": force_article, "hints": hints or {}}
        if self.plan.mode in ("feed", "sitemap", "urls_file"):
            # Feeds and sitemaps may list pages on other hosts (CDNs, feed proxies).
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            meta["newscrawler_domains"] = [*self.site_domains, host]
        return scrapy.Request(url, self.parse_page, errback=self.on_error,
                              priority=PRIORITY_CANDIDATE, meta=meta)

    def _recheck_request(self, due: DueArticle) -> scrapy.Request:
        """A conditional GET of an archived article: a 304 costs no extraction."""
        headers = {}
        if due.etag:
            headers["If-None-Match"] = due.etag
        if due.last_modified:
            headers["If-Modified-Since"] = due.last_modified
        self._scheduled.update((due.canonical_url, canonicalize_url(due.url)))
        # In a shared frontier (-a run=ID) every worker lists the due articles: the seen-set
        # lets one of them fetch each.
        return scrapy.Request(due.url, self.parse_page, errback=self.on_error, headers=headers,
                              dont_filter=self.plan.run is None, priority=PRIORITY_CANDIDATE,
                              meta={"handle_httpstatus_list": [304], "recheck": True,
                                    "force_article": self.plan.mode == "urls_file"})

    async def _due_articles(self) -> AsyncIterator[DueArticle]:
        """Archived articles to fetch again, by ``-a recheck``, streamed from the archive:
        this source's, or in ``urls_file`` mode those of the listed pages."""
        plan = self.plan
        if plan.recheck == "none":
            return
        due_at = None if plan.recheck == "all" else _now()
        urls = [canonicalize_url(u) for u in plan.pages] if plan.mode == "urls_file" else None
        pages = self.lookup.article_pages(plan.source or None, due_at=due_at, urls=urls)
        while (page := await self.lookup.next_page(pages)) is not None:
            for due in page:
                yield due

    # --- budget and bookkeeping ------------------------------------------------------------
    def _settle(self, meta: dict[str, Any], *, article: bool) -> None:
        """A followed link was answered: count it against its shape."""
        if SHAPE in meta:
            self.budget.settle(meta[SHAPE], article=article)

    def _request_dropped(self, request: scrapy.Request) -> None:
        """A followed link the scheduler filtered as a duplicate frees its shape's slot."""
        if SHAPE in request.meta:
            self.budget.settle(request.meta[SHAPE], article=None)

    def closed(self, reason: str) -> None:
        self._count("template_budget", self.budget.dropped)
        self.lookup.close()

    def _fetch(self, response: Response, outcome: str) -> FetchItem:
        return FetchItem(response.url, response.status, outcome, self.plan.source, _now())

    def _dropped(self, response: Response, reason: str) -> FetchItem:
        self.crawler.stats.inc_value(f"newscrawler/dropped/{reason}")
        return self._fetch(response, f"dropped:{reason}")

    def _count_tracking(self, urls: list[str]) -> None:
        """Links that carry tracking or session parameters: each is requested (if at all)
        under its canonical URL, so twenty shared variants of a story cost one fetch."""
        self._count("tracking_links", sum(map(has_tracking_params, urls)))

    def _max_size(self) -> int:
        return self.crawler.settings.getint("DOWNLOAD_MAXSIZE")

    def _count(self, key: str, count: int = 1) -> None:
        if count:
            self.crawler.stats.inc_value(f"newscrawler/discovery/{key}", count)


# Exceptions whose message is empty or says too little to act on.
_MEANING = {
    "ResponseDataLossError": "the connection ended before the body did (a short body under "
                             "its Content-Length, or broken chunked encoding)",
}


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = _MEANING.get(name) or str(exc) or repr(exc)
    return f"{name}: {text}"


def _now() -> datetime:
    return datetime.now(UTC)
