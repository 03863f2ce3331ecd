"""``RunCoordinator``: one worker's part in a distributed run, beside the scheduler.

- **Joining**: when the spider opens, the worker registers (``workers``), says it is still
  reading its start requests (``seeding``) and starts its heartbeat (``alive:OWNER``,
  expiring after ``HEARTBEAT_TTL``), all before it pops its first request.
- **Leases**: every ``TICK`` seconds, the leases this worker holds on requests the engine is
  done with are settled (deleted). The engine is done with a request once neither the
  downloader nor the scraper holds it: by then its items went through the pipelines (the
  store pipeline answers once their batch is committed) and the requests its callback
  yielded are queued. A lease must be missed by two ticks in a row (a response passes from
  the downloader to the scraper between two reactor turns).
- **Recovery**: on every tick, the leases of dead workers (no heartbeat, or a pid gone from
  this host) go back to the queue: a worker killed with SIGKILL loses nothing, its pages are
  fetched by the others (again, if it had fetched them: the archive keeps one article).
- **Idle workers** stay open (``DontCloseSpider``; Scrapy asks again every 5 s) until the
  run is done: nothing queued, nothing leased, no worker still seeding. An idle engine holds
  no request, so its worker's leases are all settled first. A run seen done stays done:
  requests are queued only by a worker still seeding or holding the lease of the response
  they come from (settled after they are queued), and popped with a lease in one step.
- **Leaving**: a closing worker hands its own remaining leases back, leaves, and the last
  worker of a done run deletes its keys. Keys of a run nobody works on expire after
  ``RUN_TTL``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from newscrawler.archive.runs import pid_alive, this_host
from newscrawler.distributed.connection import redis_client
from newscrawler.distributed.keys import RunKeys, Worker, parse_owner
from newscrawler.distributed.scheduler import LEASE
from newscrawler.distributed.scripts import Scripts

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

TICK = 2.0
HEARTBEAT_TTL = 15
RUN_TTL = 7 * 24 * 3600
REQUEUED = "newscrawler/distributed/requeued"


class RunCoordinator:
    """Heartbeat, leases, recovery and the end of the run, for one worker."""

    def __init__(self, crawler: Crawler, server: Redis) -> None:
        self.crawler = crawler
        self.server = server
        self.scripts = Scripts(server)
        self.keys: RunKeys | None = None
        self.worker: Worker | None = None
        self._missed: set[int] = set()  # leases the engine did not hold at the last tick
        self._seeding = True
        self._loop = task.LoopingCall(self._tick_logged)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunCoordinator:
        url = crawler.settings.get("NEWSCRAWLER_REDIS_URL")
        if not url:
            raise NotConfigured("NEWSCRAWLER_REDIS_URL is not set: no distributed run")
        coordinator = cls(crawler, redis_client(url))
        crawler.signals.connect(coordinator.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(coordinator.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(coordinator.spider_closed, signal=signals.spider_closed)
        return coordinator

    def spider_opened(self, spider: Spider) -> None:
        plan = spider.plan  # type: ignore[attr-defined]
        self.keys, self.worker = RunKeys(plan.run), Worker.this(plan.worker)
        owner = self.worker.owner
        with self.server.pipeline() as pipe:
            pipe.hset(self.keys.workers, owner, self.worker.name)
            pipe.sadd(self.keys.seeding, owner)
            pipe.set(self.keys.alive(owner), 1, ex=HEARTBEAT_TTL)
            pipe.execute()
        logger.info("Run %s: worker %s joined", plan.run, self.worker.name)
        self._loop.start(TICK, now=False)

    def tick(self, *, idle: bool = False) -> None:
        """Heartbeat; settle the leases the engine is done with (all of them when the
        engine is idle); recover dead workers'."""
        assert self.keys is not None and self.worker is not None
        owner = self.worker.owner
        with self.server.pipeline() as pipe:
            pipe.set(self.keys.alive(owner), 1, ex=HEARTBEAT_TTL)
            for key in self.keys.all():
                pipe.expire(key, RUN_TTL)
            pipe.hgetall(self.keys.leases)
            leases = pipe.execute()[-1]
        mine = {int(lease) for lease, value in leases.items()
                if value.split(b"\n", 1)[0].decode() == owner}
        done = mine if idle else mine - self._held()
        settle = done if idle else done & self._missed
        self._missed = done - settle
        if settle:
            self.scripts.settle(keys=[self.keys.leases], args=[owner, *sorted(settle)])
        self._recover({value.split(b"\n", 1)[0].decode() for value in leases.values()})

    def _tick_logged(self) -> None:
        """``tick`` on the timer: Redis out of reach for a moment must not stop the timer."""
        try:
            self.tick()
        except RedisError as exc:
            logger.warning("Run %s: Redis did not answer (%s); trying again in %.0f s",
                           self.keys.run if self.keys else "?", exc, TICK)

    def _held(self) -> set[int]:
        """The leases of the requests the engine is downloading or scraping."""
        engine = self.crawler.engine
        assert engine is not None
        slot = engine.scraper.slot
        requests = [*engine.downloader.active, *(slot.active if slot else ())]
        return {r.meta[LEASE] for r in requests if LEASE in r.meta}

    def _recover(self, owners: set[str], *, leaving: bool = False) -> int:
        """Queue the leased requests of dead workers again; return how many."""
        assert self.keys is not None and self.worker is not None
        owners |= {o.decode() for o in self.server.hkeys(self.keys.workers)}
        verdicts = []
        for owner in owners:  # on this host a pid tells at once; elsewhere the heartbeat
            host, pid = parse_owner(owner)
            if owner == self.worker.owner:
                verdicts.append(("-" if leaving else "+") + owner)
            elif host == this_host():
                verdicts.append(("+" if pid_alive(pid) else "-") + owner)
        queued = int(self.scripts.requeue(
            keys=[self.keys.leases, self.keys.queue, self.keys.workers, self.keys.seeding],
            args=[self.keys.alive_prefix, *verdicts]))
        if queued and not leaving:
            logger.warning("Run %s: %d requests leased by dead workers are queued again",
                           self.keys.run, queued)
            self.crawler.stats.inc_value(REQUEUED, queued)  # type: ignore[union-attr]
        return queued

    def spider_idle(self, spider: Spider) -> None:
        """Keep an idle worker open until the run is done."""
        assert self.keys is not None and self.worker is not None
        if self._seeding:  # idle at last: every start request of this worker is queued
            self._seeding = False
            self.server.srem(self.keys.seeding, self.worker.owner)
        self.tick(idle=True)
        with self.server.pipeline() as pipe:
            pipe.zcard(self.keys.queue).hlen(self.keys.leases).scard(self.keys.seeding)
            if any(pipe.execute()):  # queued, leased, seeding
                raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.keys is None or self.worker is None:
            return
        if self._loop.running:
            self._loop.stop()
        handed_back = self._recover(set(), leaving=True)
        keys = [self.keys.workers, self.keys.seeding, self.keys.queue, self.keys.leases,
                self.keys.seen, self.keys.serial]
        finished = self.scripts.leave(keys=keys, args=[self.worker.owner])
        self.server.delete(self.keys.alive(self.worker.owner))
        if handed_back:
            logger.info("Run %s: %d unfinished requests handed back to the queue",
                        self.keys.run, handed_back)
        if finished:
            logger.info("Run %s is done: its keys are removed", self.keys.run)
