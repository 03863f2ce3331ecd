"""Downloader middlewares: refuse unsafe requests, honour robots.txt Crawl-delay.

``SafeRequestMiddleware`` sees every request, robots.txt fetches and redirects included
(a redirect is a new request that goes through the whole chain again), and refuses:
non-http(s) schemes, hosts outside the spider's allowed domains (``allowed_domains`` alone
lets a redirect from a start URL go to another host), and loopback/private addresses unless
listed in ``NEWSCRAWLER_ALLOW_PRIVATE_HOSTS``. That check resolves names before the fetch;
``ConnectGuardMiddleware`` reports what the resolver refused when the download connected
(``newscrawler.resolver``), which is what stops DNS rebinding.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest, NotConfigured
from twisted.internet.error import DNSLookupError

from newscrawler.netguard import host_allowed, parse_allowlist
from newscrawler.redirects import RedirectLimits
from newscrawler.resolver import installed_guard
from newscrawler.robotstxt import ROBOTS_FETCH
from newscrawler.urls import is_http_url, same_site

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

    from newscrawler.resolver import GuardedResolver

logger = logging.getLogger(__name__)


class SafeRequestMiddleware:
    """Refuse requests to other schemes, other sites and private addresses.

    The sites are the spider's ``site_domains`` (learnt when it opens), or a request's own
    ``newscrawler_domains`` meta (pages a feed lists on a CDN host, say).
    """

    def __init__(self, allowlist: frozenset[str], stats: StatsCollector) -> None:
        self.allowlist = allowlist
        self.stats = stats
        self.domains: list[str] = []
        self._verdicts: dict[str, tuple[bool, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafeRequestMiddleware:
        allow = parse_allowlist(crawler.settings.get("NEWSCRAWLER_ALLOW_PRIVATE_HOSTS"))
        assert crawler.stats is not None
        middleware = cls(allow, crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.domains = list(getattr(spider, "site_domains", None) or [])

    async def process_request(self, request: Request) -> None:
        if not is_http_url(request.url):
            self._refuse(request, "scheme", "not an http(s) URL")
        host = urlsplit(request.url).hostname or ""
        domains = request.meta.get("newscrawler_domains", self.domains)
        # RFC 9309: a robots.txt may redirect to another host (its private address is not).
        if domains and not same_site(request.url, domains) and not request.meta.get(ROBOTS_FETCH):
            self._refuse(request, "offsite", f"{host} is outside {sorted(domains)}")
        if host not in self._verdicts:
            # Name resolution blocks: off the event loop.
            self._verdicts[host] = await asyncio.to_thread(host_allowed, host, self.allowlist)
        ok, reason = self._verdicts[host]
        if not ok:
            self._refuse(request, "private_address", reason)

    def _refuse(self, request: Request, key: str, reason: str) -> None:
        self.stats.inc_value(f"newscrawler/refused/{key}")
        logger.warning("Refused %s: %s", request.url, reason)
        raise IgnoreRequest(f"refused ({key}): {reason}")


class ConnectGuardMiddleware:
    """Stop and count a download whose connection the connect-time address guard refused.

    ``GuardedResolver`` leaves a refused name without addresses, so the download fails as a
    lookup that found nothing. Ordered after RetryMiddleware (exceptions travel from the
    highest order down), this turns that failure into an ``IgnoreRequest``: not retried,
    counted as ``newscrawler/refused/private_address_at_connect``, logged once by the resolver.
    """

    STATS_KEY = "newscrawler/refused/private_address_at_connect"

    def __init__(self, stats: StatsCollector,
                 find_guard: Callable[[], GuardedResolver | None] = installed_guard) -> None:
        self.stats = stats
        # Looked up when needed: Scrapy installs the resolver after building middlewares.
        self.find_guard = find_guard

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConnectGuardMiddleware:
        assert crawler.stats is not None
        mw = cls(crawler.stats)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self) -> None:
        if self.find_guard() is None:
            logger.warning("The connect-time address guard is not installed "
                           "(TWISTED_DNS_RESOLVER is not newscrawler.resolver.GuardedResolver): "
                           "a host that resolves to a private address only when the download "
                           "connects (DNS rebinding) is not refused")

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, CannotResolveHostError | DNSLookupError):
            return
        guard = self.find_guard()
        reason = guard.refusal(urlsplit(request.url).hostname or "") if guard else None
        if reason is not None:
            self.stats.inc_value(self.STATS_KEY)
            raise IgnoreRequest(f"refused (private_address_at_connect): {reason}")


class CrawlDelayMiddleware:
    """Space requests to a host by its robots.txt ``Crawl-delay`` for our user agent.

    Scrapy parses robots.txt but ignores Crawl-delay; AutoThrottle may only slow down
    further. Delays are capped so that a hostile robots.txt cannot stall the crawl forever.
    """

    MAX_DELAY = 60.0

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}
        self._next_slot: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("robots.txt is not obeyed (ROBOTSTXT_OBEY), so neither is its "
                                "Crawl-delay")
        ua = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        mw = cls(ua)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        protego = getattr(robotparser, "rp", None)
        delay = protego.crawl_delay(self.user_agent) if protego is not None else None
        if delay:
            netloc = urlsplit(request.url).netloc
            self.delays[netloc] = min(float(delay), self.MAX_DELAY)
            logger.info("robots.txt of %s asks for Crawl-delay %.1fs", netloc, delay)

    async def process_request(self, request: Request) -> None:
        netloc = urlsplit(request.url).netloc
        delay = self.delays.get(netloc)
        if not delay or request.url.endswith("/robots.txt"):
            return
        now = time.monotonic()
        slot = max(now, self._next_slot.get(netloc, now))
        self._next_slot[netloc] = slot + delay
        if slot > now:
            await asyncio.sleep(slot - now)


class QuickMetaRefreshMiddleware(RedirectLimits, MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding every page to look for one, and
    with loops stopped (``RedirectLimits``).

    Scrapy reads the first 4,096 characters of ``response.text``, which decodes the whole
    body (a few hundred kilobytes on news pages) on the reactor thread. Those characters
    lie within the first ``_HEAD_BYTES`` bytes in any ASCII-compatible encoding (at most 4
    bytes a character), so a head with no ``<meta ...refresh`` in it has no refresh tag
    (scripts that merely say "refresh" are common). Text with NUL bytes there (UTF-16,
    UTF-32) is left to Scrapy's full check.
    """

    _HEAD_BYTES = 4 * 4096
    _META_REFRESH = re.compile(rb"<meta\s[^>]*refresh", re.IGNORECASE)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        head = response.body[:self._HEAD_BYTES]
        if b"\0" not in head and not self._META_REFRESH.search(head):
            return response
        return super().process_response(request, response)
