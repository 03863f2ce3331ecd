"""``RobotsTxtMiddleware``: robots.txt read as RFC 9309 says, where Scrapy's reading differs.

Scrapy parses whatever answer a robots.txt fetch gets: a 500 or 403 error page is read as
rules (none, so everything is allowed), and a robots.txt that cannot be fetched at all (a
time-out, a refused connection) allows everything too, after an ERROR with a traceback.
RFC 9309 (section 2.3.1) says otherwise, and this middleware, in Scrapy's place, does:

- 2xx: the rules, parsed from the first ``MAX_ROBOTS_BYTES`` (500 KiB, the RFC's minimum
  parsing limit), cut at a line end; a longer file is counted as oversized.
- 3xx: redirects are followed (five, ``REDIRECT_MAX_TIMES``), to another host too: the
  request carries ``ROBOTS_FETCH`` so that ``SafeRequestMiddleware`` lets it leave the
  site (private addresses stay refused). A redirect refused, or one too many, leaves the
  robots.txt unavailable.
- 4xx ("unavailable"): no rules, everything allowed; 429 Too Many Requests excepted.
- 5xx, 429 and network errors ("unreachable"): everything disallowed, for this crawl.

Each outcome is counted under ``newscrawler/robots/``; every request refused by the rules
too (``newscrawler/robots/forbidden``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

__all__ = ["MAX_ROBOTS_BYTES", "ROBOTS_FETCH", "RobotsTxtMiddleware"]

logger = logging.getLogger(__name__)

ROBOTS_FETCH = "newscrawler_robots"  # request meta: this is the fetch of a robots.txt
MAX_ROBOTS_BYTES = 500 * 1024
DOWNLOAD_PRIORITY = 1000  # Scrapy's: robots.txt before the pages that wait for it


class DisallowAll:
    """The rules of an unreachable robots.txt: nothing may be fetched."""

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False

    def crawl_delay(self, user_agent: str | bytes) -> float | None:
        return None


Rules = Any  # a RobotParser, DisallowAll, or None (no rules: everything allowed)


class RobotsTxtMiddleware:
    """Fetch each site's robots.txt once per crawl and refuse the requests it forbids."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.user_agent: str = settings.get("ROBOTSTXT_USER_AGENT") or settings["USER_AGENT"]
        self.parser_class: type[RobotParser] = load_object(settings.get("ROBOTSTXT_PARSER"))
        self.rules: dict[str, Rules | Deferred[Rules]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        rules = await self.rules_for(request)
        if rules is not None and not rules.allowed(request.url, self.user_agent):
            logger.debug("Forbidden by robots.txt: %s", request)
            self.stats.inc_value("robotstxt/forbidden")
            self.stats.inc_value("newscrawler/robots/forbidden")
            raise IgnoreRequest("Forbidden by robots.txt")

    async def rules_for(self, request: Request) -> Rules:
        """The rules of the request's site (scheme, host and port), fetched on first need."""
        url = urlparse_cached(request)
        netloc = url.netloc
        known = self.rules.get(netloc)
        if isinstance(known, Deferred):
            return await maybe_deferred_to_future(known)
        if netloc in self.rules:
            return known
        waiting: Deferred[Rules] = Deferred()
        self.rules[netloc] = waiting
        robots = Request(f"{url.scheme}://{netloc}/robots.txt", callback=NO_CALLBACK,
                         priority=DOWNLOAD_PRIORITY,
                         meta={"dont_obey_robotstxt": True, ROBOTS_FETCH: True})
        engine = self.crawler.engine
        assert engine is not None
        try:
            response = await engine.download_async(robots)
        except IgnoreRequest as exc:
            rules = self._unavailable(netloc, f"not fetched ({exc})")
        except Exception as exc:  # any failure to fetch is "unreachable"
            rules = self._unreachable(netloc, f"{type(exc).__name__}: {exc}".rstrip(": "))
        else:
            rules = await self._read(response, netloc, request)
        self.stats.inc_value("robotstxt/request_count")
        self.rules[netloc] = rules
        waiting.callback(rules)
        return rules

    async def _read(self, response: Response, netloc: str, request: Request) -> Rules:
        status = response.status
        self.stats.inc_value(f"robotstxt/response_status_count/{status}")
        if status >= 500 or status == 429:
            return self._unreachable(netloc, f"HTTP {status}")
        if status >= 300:
            return self._unavailable(netloc, f"HTTP {status}")
        body = response.body
        if len(body) > MAX_ROBOTS_BYTES:
            body = body[:body.rfind(b"\n", 0, MAX_ROBOTS_BYTES) + 1]
            self.stats.inc_value("newscrawler/robots/oversized")
            logger.warning("robots.txt of %s is %d bytes: only its first %d bytes of rules "
                           "are read (RFC 9309 parsing limit)", netloc, len(response.body),
                           len(body))
        rules = build_from_crawler(self.parser_class, self.crawler, body)
        root = f"{urlparse_cached(request).scheme}://{netloc}/"
        if not rules.allowed(root, self.user_agent):  # said once, not for every page refused
            logger.info("robots.txt of %s disallows / to %s: the site is off limits, or most "
                        "of it", netloc, self.user_agent)
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=rules, request=request)
        return rules

    def _unreachable(self, netloc: str, why: str) -> DisallowAll:
        self.stats.inc_value("newscrawler/robots/unreachable")
        logger.warning("robots.txt of %s is unreachable (%s): the site is disallowed for "
                       "this crawl (RFC 9309)", netloc, why)
        return DisallowAll()

    def _unavailable(self, netloc: str, why: str) -> None:
        self.stats.inc_value("newscrawler/robots/unavailable")
        logger.info("robots.txt of %s is unavailable (%s): no rules, everything allowed "
                    "(RFC 9309)", netloc, why)
