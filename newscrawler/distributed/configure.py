"""Switching a crawl to distributed mode: what the ``crawl`` command does with ``-a run=ID``.

With a run id and ``NEWSCRAWLER_REDIS_URL``, the crawl's scheduler and duplicate filter are
scrapy-redis's (``scheduler``), persistent (the queue and seen-set outlive any one worker;
the last worker of a done run removes them), with the run coordinator (``coordinator``) and
the shared per-host rate (``politeness``). Without a run id nothing changes, even with
Redis configured: the crawl keeps its own frontier in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from newscrawler.distributed.connection import redis_client
from newscrawler.distributed.keys import Worker
from newscrawler.redact import redact

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from newscrawler.plan import CrawlPlan

__all__ = ["DistributedError", "configure", "worker_lock_key"]

COMPONENTS = {
    "EXTENSIONS": {"newscrawler.distributed.coordinator.RunCoordinator": 10},
    # After robots.txt (100) and the per-process Crawl-delay (110), whose delays it reads.
    "DOWNLOADER_MIDDLEWARES": {
        "newscrawler.distributed.politeness.SharedPolitenessMiddleware": 115},
}


class DistributedError(ValueError):
    """Distributed mode cannot start; ``exit_code`` 2 for a configuration error, 1 for Redis
    out of reach."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def configure(settings: Settings, plan: CrawlPlan) -> None:
    """Give the crawl the run's shared frontier, or raise ``DistributedError``."""
    url = settings.get("NEWSCRAWLER_REDIS_URL")
    if not url:
        raise DistributedError(
            f"-a run={plan.run} needs Redis: set NEWSCRAWLER_REDIS_URL (e.g. "
            "redis://127.0.0.1:6379/0) so the run's workers share one frontier, or leave "
            "-a run= out for a local crawl", exit_code=2)
    try:
        redis_client(url).ping()
    except (RedisError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistributedError(f"cannot reach Redis at {redact(url)} (NEWSCRAWLER_REDIS_URL): "
                               f"{redact(detail)}", exit_code=1) from exc
    settings.set("SCHEDULER", "newscrawler.distributed.scheduler.RunScheduler", "cmdline")
    settings.set("SCHEDULER_PERSIST", True, "cmdline")
    settings.set("DUPEFILTER_CLASS", "newscrawler.distributed.scheduler.RunDupeFilter",
                 "cmdline")
    for name, components in COMPONENTS.items():
        settings.set(name, {**settings.getdict(name), **components}, "cmdline")


def worker_lock_key(plan: CrawlPlan) -> str:
    """What one worker locks: its run and its name on this host, so the workers of a run
    cooperate and the same worker started twice (cron overlapping) is refused."""
    return f"{plan.lock_key} run={plan.run} worker={Worker.this(plan.worker).name}"
