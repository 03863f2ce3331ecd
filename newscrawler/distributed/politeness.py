"""``SharedPolitenessMiddleware``: one request rate per host for all the workers of a crawl.

Each Scrapy process spaces its own requests to a host (``DOWNLOAD_DELAY``, AutoThrottle,
robots.txt's Crawl-delay through ``CrawlDelayMiddleware``); N workers would hit the host N
times as often. Here every request first reserves the host's next slot in Redis (one atomic
script on the Redis server's clock, ``scripts.NEXT_SLOT``), each slot the host's delay after
the one before, and waits for it. The delay is the largest of ``DOWNLOAD_DELAY``, the
worker's current AutoThrottle delay for the host and its robots.txt Crawl-delay; with none
of them (AutoThrottle off, no delay) there is no rate to share and each worker keeps its
own concurrency limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from newscrawler.distributed.connection import redis_client
from newscrawler.distributed.keys import host_slot_key
from newscrawler.distributed.scripts import Scripts
from newscrawler.middlewares import CrawlDelayMiddleware

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request
    from scrapy.crawler import Crawler

Delay = Callable[["Request"], float]  # seconds between two requests to the request's host


class SharedPolitenessMiddleware:
    """Waits for the host's next shared request slot before a request goes out."""

    def __init__(self, server: Redis, delay: Delay) -> None:
        self.scripts = Scripts(server)
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        url = crawler.settings.get("NEWSCRAWLER_REDIS_URL")
        if not url:
            raise NotConfigured("NEWSCRAWLER_REDIS_URL is not set: no workers to share with")
        return cls(redis_client(url), _delay_of(crawler))

    async def process_request(self, request: Request) -> None:
        if request.url.endswith("/robots.txt"):  # read before any delay is known
            return
        delay_ms = round(self.delay(request) * 1000)
        if delay_ms <= 0:
            return
        netloc = urlsplit(request.url).netloc
        wait_ms = int(self.scripts.next_slot(keys=[host_slot_key(netloc)], args=[delay_ms]))
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000)


def _delay_of(crawler: Crawler) -> Delay:
    """The worker's delay for a host: DOWNLOAD_DELAY, AutoThrottle's, Crawl-delay's."""
    base = crawler.settings.getfloat("DOWNLOAD_DELAY")

    def delay(request: Request) -> float:
        engine = crawler.engine
        downloader = engine.downloader if engine is not None else None
        slot = downloader.slots.get(downloader.get_slot_key(request)) if downloader else None
        robots = crawler.get_downloader_middleware(CrawlDelayMiddleware)
        netloc = urlsplit(request.url).netloc
        crawl_delay = robots.delays.get(netloc, 0.0) if robots is not None else 0.0
        return max(base, slot.delay if slot is not None else 0.0, crawl_delay)

    return delay
