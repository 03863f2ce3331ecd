"""scrapy-redis's scheduler, queue and duplicate filter on a run's keys, for Scrapy 2.19.

What scrapy-redis 0.9.1 does by itself, and what is changed here:

- Its duplicate filter fingerprints requests its own way; ``RunDupeFilter`` uses the
  crawler's request fingerprinter (``REQUEST_FINGERPRINTER_CLASS``), like Scrapy's own
  filter, and keeps the raw 20-byte fingerprints (half the memory of hex strings). Closing
  a worker never clears the shared seen-set.
- ``enqueue_request`` marks a request seen and queues it in two commands, so a worker killed
  between them loses the request for good; ``LeasedQueue.push_unseen`` does both in one
  script. Popping takes a *lease* in the same script (``scripts.POP``).
- Equal priorities pop in the order of their pickled bytes; here first in, first out.
- Stats were counted with ``inc_value(spider=...)`` and the resumed queue logged with
  ``Spider.log``, both deprecated in Scrapy 2.19; filtered requests were not counted under
  ``dupefilter/filtered``.

Requests are pickled with ``Request.to_dict``: callbacks and errbacks must be methods of
the spider and ``meta`` picklable, which the ``news`` spider's requests are.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from newscrawler.distributed.connection import redis_client
from newscrawler.distributed.keys import RunKeys, Worker
from newscrawler.distributed.scripts import Scripts

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.utils.request import RequestFingerprinterProtocol

__all__ = ["LEASE", "LeasedQueue", "RunDupeFilter", "RunScheduler"]

logger = logging.getLogger(__name__)

LEASE = "newscrawler_lease"  # request meta: the lease its worker holds on it


class RunDupeFilter(RFPDupeFilter):
    """The run's seen-set, keyed by Scrapy's request fingerprints."""

    def __init__(self, server: Redis, key: str, debug: bool = False,
                 fingerprinter: RequestFingerprinterProtocol | None = None) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_spider(cls, spider: Spider) -> RunDupeFilter:
        crawler = spider.crawler
        return cls(redis_client(crawler.settings.get("NEWSCRAWLER_REDIS_URL")),
                   RunKeys(spider.plan.run).seen,  # type: ignore[attr-defined]
                   crawler.settings.getbool("DUPEFILTER_DEBUG"), crawler.request_fingerprinter)

    def request_fingerprint(self, request: Request) -> bytes:  # type: ignore[override]
        assert self.fingerprinter is not None
        return self.fingerprinter.fingerprint(request)

    def close(self, reason: str = "") -> None:
        """The seen-set belongs to the run: the last worker to leave a done run deletes it."""


class LeasedQueue(PriorityQueue):
    """The run's queue: pushed only if unseen, popped with a lease on the request."""

    def __init__(self, server: Redis, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys = RunKeys(spider.plan.run)  # type: ignore[attr-defined]
        self.owner = Worker.this(spider.plan.worker).owner  # type: ignore[attr-defined]
        self.scripts = Scripts(server)

    def push(self, request: Request) -> None:
        self.push_unseen(request, b"", dont_filter=True)

    def push_unseen(self, request: Request, fingerprint: bytes, *, dont_filter: bool) -> bool:
        """Queue ``request`` unless its fingerprint was seen (both in one step)."""
        return bool(self.scripts.push(
            keys=[self.keys.seen, self.key, self.keys.serial],
            args=[fingerprint, self.encode(request), request.priority, int(dont_filter)]))

    def pop(self, timeout: int = 0) -> Request | None:
        """The next request, leased to this worker (``meta[LEASE]``) in the same step."""
        popped = self.scripts.pop(keys=[self.key, self.keys.leases, self.keys.serial],
                                  args=[self.owner])
        if not popped:
            return None
        lease, data = popped
        request = self.decode(data)
        request.meta[LEASE] = int(lease)
        return request

    def encode(self, request: Request) -> bytes:
        return bytes(self.serializer.dumps(request.to_dict(spider=self.spider)))

    def decode(self, data: bytes) -> Request:
        return request_from_dict(self.serializer.loads(data), spider=self.spider)


class RunScheduler(Scheduler):
    """scrapy-redis's scheduler on the keys of the spider's run (``-a run=ID``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunScheduler:
        keys = RunKeys(crawler.spider.plan.run)  # type: ignore[union-attr]
        scheduler = cls(redis_client(crawler.settings.get("NEWSCRAWLER_REDIS_URL")),
                        persist=True, queue_key=keys.queue,
                        queue_cls=f"{__name__}.LeasedQueue", dupefilter_key=keys.seen,
                        dupefilter_cls=f"{__name__}.RunDupeFilter")
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.queue_key, self.serializer)
        self.df = RunDupeFilter.from_spider(spider)
        if queued := len(self.queue):
            logger.info("Run %s: resuming, %d requests queued", self.queue.keys.run, queued)

    def enqueue_request(self, request: Request) -> bool:
        if not self.queue.push_unseen(request, self.df.request_fingerprint(request),
                                      dont_filter=request.dont_filter):
            self.df.log(request, self.spider)
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
