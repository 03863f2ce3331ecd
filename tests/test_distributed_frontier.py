"""The shared frontier against a real Redis: the scheduler's queue, seen-set and leases,
recovery from dead workers, the end of a run, the per-host request slot.

Each test works on a run id of its own; every key it made is deleted afterwards.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime

from redis import Redis
from scrapy import Request
from scrapy.utils.test import get_crawler

from newscrawler.archive.engine import open_archive
from newscrawler.archive.lookup import DueArticle
from newscrawler.archive.runs import this_host
from newscrawler.distributed.coordinator import RunCoordinator
from newscrawler.distributed.keys import RunKeys, Worker, host_slot_key
from newscrawler.distributed.scheduler import LEASE, RunScheduler
from newscrawler.distributed.scripts import Scripts
from spiders.news import NewsSpider
from tests.conftest import REDIS_URL
from tests.settings import project_settings

SITE = "https://news.example"


def spider(tmp_path, run: str, worker: str = "1") -> NewsSpider:
    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    open_archive(db).dispose()  # as the crawl command does before the spider opens it
    crawler = get_crawler(NewsSpider, project_settings(
        NEWSCRAWLER_DB=db, NEWSCRAWLER_EXTRACT_WORKERS=0, NEWSCRAWLER_REDIS_URL=REDIS_URL))
    crawler.stats.open_spider()
    news = NewsSpider.from_crawler(crawler, url=f"{SITE}/", run=run, worker=worker)
    crawler.spider = news
    return news


def scheduler_for(news: NewsSpider) -> RunScheduler:
    scheduler = RunScheduler.from_crawler(news.crawler)
    scheduler.open(news)
    return scheduler


def test_requests_round_trip_in_order_each_popped_with_a_lease(tmp_path, redis, run_id):
    news = spider(tmp_path, run_id)
    scheduler = scheduler_for(news)
    due = DueArticle(7, f"{SITE}/old.html", f"{SITE}/old.html", '"e1"', None)
    requests = [
        news._link_request(f"{SITE}/a.html"),  # priority 0
        news._page_request(f"{SITE}/b.html", hints={
            "title": "B", "published_at": datetime(2024, 5, 1, tzinfo=UTC)}),  # 10
        news._discovery(f"{SITE}/sitemap.xml", news.parse_sitemap),  # 20
        news._link_request(f"{SITE}/c.html"),  # 0, after a.html
        news._recheck_request(due),  # 10, after b.html
    ]
    assert [scheduler.enqueue_request(r) for r in requests] == [True] * 5
    # Seen before, by this worker or another one of the run: not queued again.
    other = spider(tmp_path, run_id, "2")
    assert not scheduler_for(other).enqueue_request(other._link_request(f"{SITE}/a.html"))
    assert not scheduler.enqueue_request(news._recheck_request(due))  # one worker fetches it
    assert news.crawler.stats.get_value("dupefilter/filtered") == 1
    assert other.crawler.stats.get_value("dupefilter/filtered") == 1
    popped = [scheduler.next_request() for _ in range(6)]
    assert popped[-1] is None
    assert [r.url for r in popped[:5]] == [f"{SITE}/sitemap.xml", f"{SITE}/b.html",
                                           f"{SITE}/old.html", f"{SITE}/a.html",
                                           f"{SITE}/c.html"]
    assert popped[1].meta["hints"]["published_at"] == datetime(2024, 5, 1, tzinfo=UTC)
    assert popped[2].headers["If-None-Match"] == b'"e1"' and popped[2].callback == news.parse_page
    assert popped[0].callback == news.parse_sitemap and popped[0].errback == news.on_error
    leases = redis.hgetall(RunKeys(run_id).leases)
    owner = Worker.this("1").owner.encode()
    assert sorted(int(k) for k in leases) == sorted(r.meta[LEASE] for r in popped[:5])
    assert all(value.split(b"\n", 1)[0] == owner for value in leases.values())


def test_fingerprints_are_scrapys(tmp_path, redis, run_id):
    news = spider(tmp_path, run_id)
    scheduler = scheduler_for(news)
    request = Request(f"{SITE}/x.html?b=2&a=1")
    scheduler.enqueue_request(request)
    fingerprint = news.crawler.request_fingerprinter.fingerprint(request)
    assert redis.smembers(RunKeys(run_id).seen) == {fingerprint}


def _coordinator(news: NewsSpider, worker: str = "1") -> RunCoordinator:
    coordinator = RunCoordinator.from_crawler(news.crawler)
    coordinator.keys, coordinator.worker = RunKeys(news.plan.run), Worker.this(worker)
    return coordinator


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_leases_of_dead_workers_go_back_to_the_queue(tmp_path, redis, run_id):
    keys = RunKeys(run_id)
    news = spider(tmp_path, run_id)
    scheduler = scheduler_for(news)
    for name in ("a", "b", "c", "d"):
        scheduler.enqueue_request(news._link_request(f"{SITE}/{name}.html"))
    scripts = Scripts(redis)
    alive_elsewhere, killed_elsewhere = "otherhost/1/123", "otherhost/2/456"
    killed_here = f"{this_host()}/3/{_dead_pid()}"
    redis.set(keys.alive(alive_elsewhere), 1, ex=60)
    redis.set(keys.alive(killed_here), 1, ex=60)  # its heartbeat has not expired yet
    for owner in (alive_elsewhere, killed_elsewhere, killed_here):
        redis.hset(keys.workers, owner, owner.rsplit("/", 1)[0])
    scores = {}
    for owner in (alive_elsewhere, killed_elsewhere, killed_here):
        lease, data = scripts.pop(keys=[keys.queue, keys.leases, keys.serial], args=[owner])
        scores[data] = owner
    assert redis.zcard(keys.queue) == 1 and redis.hlen(keys.leases) == 3
    coordinator = _coordinator(news)
    assert coordinator._recover(set()) == 2
    assert redis.hlen(keys.leases) == 1 and redis.zcard(keys.queue) == 3
    assert {o.decode() for o in redis.hkeys(keys.workers)} == {alive_elsewhere}
    # Back in their place: a.html, b.html, c.html were popped, d.html was not.
    order = [r.url.rsplit("/", 1)[1] for r in iter(scheduler.next_request, None)]
    held = [d for d, o in scores.items() if o == alive_elsewhere]
    assert len(order) == 3 and held[0] not in order
    assert order == sorted(order)


def test_the_last_worker_of_a_done_run_removes_its_keys(tmp_path, redis, run_id):
    keys = RunKeys(run_id)
    news = spider(tmp_path, run_id)
    scheduler = scheduler_for(news)
    first, second = _coordinator(news, "1"), _coordinator(news, "2")
    second.worker = Worker(this_host(), "2", os.getppid())  # another live process
    for coordinator in (first, second):
        redis.hset(keys.workers, coordinator.worker.owner, coordinator.worker.name)
        redis.set(keys.alive(coordinator.worker.owner), 1, ex=60)
    scheduler.enqueue_request(news._link_request(f"{SITE}/a.html"))
    request = scheduler.next_request()
    assert request is not None and redis.hlen(keys.leases) == 1
    second.spider_closed(news, "finished")  # leaves; the first worker still holds a lease
    assert redis.exists(keys.seen) and redis.hlen(keys.workers) == 1
    first.spider_closed(news, "shutdown")  # stopped mid-run: its lease is handed back
    assert redis.zcard(keys.queue) == 1 and redis.exists(keys.seen)
    scheduler.next_request()
    redis.hdel(keys.leases, *redis.hkeys(keys.leases))  # done with it
    redis.hset(keys.workers, first.worker.owner, first.worker.name)
    first.spider_closed(news, "finished")
    assert list(redis.scan_iter(f"newscrawler:run:{run_id}:*")) == []


def test_a_host_slot_is_shared_by_every_client(redis):
    netloc = f"slot-test-{secrets.token_hex(4)}.example:80"
    clients = [Scripts(Redis.from_url(REDIS_URL)) for _ in range(3)]
    try:
        started = time.monotonic()
        waits = [clients[n % 3].next_slot(keys=[host_slot_key(netloc)], args=[200])
                 for n in range(6)]
        elapsed_ms = (time.monotonic() - started) * 1000
    finally:
        redis.delete(host_slot_key(netloc))
    expected = [200 * n for n in range(6)]
    assert all(abs(w - e) <= elapsed_ms + 5 for w, e in zip(waits, expected, strict=True)), waits
    assert waits == sorted(waits) and waits[-1] - waits[0] >= 1000 - elapsed_ms - 5
