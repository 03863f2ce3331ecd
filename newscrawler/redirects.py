"""Redirects that go nowhere: loops and chains past ``REDIRECT_MAX_TIMES``, said and counted.

Scrapy ends both, silently: a chain past the limit is discarded with a DEBUG line, and a
loop ends only because the scheduler filters the repeated URL as a duplicate (not at all
for requests with ``dont_filter``, such as re-checks, which loop up to the limit). The
``RedirectLimits`` mixin, over Scrapy's HTTP and meta-refresh redirect middlewares, stops a
redirect back to a URL of its own chain at once, and says why a chain was given up: one
WARNING each, counted as ``newscrawler/dropped/redirect_loop`` and
``newscrawler/dropped/redirect_limit``, and a ``DroppedResponse`` the spider records.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import BaseRedirectMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.exceptions import IgnoreRequest

from newscrawler.responses import DroppedResponse
from newscrawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.http import Response

__all__ = ["RedirectLimits", "RedirectMiddleware"]

logger = logging.getLogger(__name__)


def _same_page(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return url


class RedirectLimits(BaseRedirectMiddleware):
    """Stops redirect loops and says when a chain passes ``REDIRECT_MAX_TIMES``."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:  # Scrapy's only reason: the limit
            raise self._drop("redirect_limit", response,
                             f"more than {self.max_redirect_times} redirects (REDIRECT_MAX_TIMES) "
                             f"from {chain[0]}") from exc
        if isinstance(result, Request) and _same_page(result.url) in map(_same_page, chain):
            meta_refresh = result.meta.get("redirect_reasons", [None])[-1] == "meta refresh"
            kind = "meta refresh" if meta_refresh else "redirect"
            raise self._drop("redirect_loop", response,
                             f"{kind} loop back to {result.url} after {len(chain)} fetches")
        return result

    def _drop(self, reason: str, response: Response, why: str) -> DroppedResponse:
        self.crawler.stats.inc_value(f"newscrawler/dropped/{reason}")  # type: ignore[union-attr]
        logger.warning("Gave up %s: %s", response.url, why)
        return DroppedResponse(reason, response, why)


class RedirectMiddleware(RedirectLimits, ScrapyRedirectMiddleware):
    """Scrapy's 3xx redirects, with loops stopped and the limit said."""
