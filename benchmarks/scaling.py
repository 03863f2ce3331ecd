"""Figures for docs/scaling.md (``make bench-scaling``), all from one session.

- ``workers``: unique copies of the eval pages (as ``make bench`` serves them) crawled into a
  fresh PostgreSQL archive by ``scrapy crawl news -a urls_file=...``: one local worker, one
  worker of a distributed run, two workers of one run (each with its default extraction
  processes), alternating; articles per second over the wall time of the whole crawl
  (first start to last exit).
- ``writes``: articles per second through ``ArchiveStore.store_many`` (batches of 50, as the
  crawl's store pipeline writes them) into a fresh SQLite file and a fresh PostgreSQL
  database, the same extracted records in both (``store_path.records``).
- ``redis``: Redis memory per million URLs of a run's frontier: fingerprints in the seen-set,
  and requests waiting in the queue (the ``news`` spider's, pickled as the scheduler stores
  them), measured with ``INFO memory`` around 200,000 of each and scaled.

    .venv/bin/python -m benchmarks.scaling [--only workers|writes|redis] [--pages N]
        [--eval-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .archive_fill import pg_database
from .corpus import DEFAULT_EVAL_DIR, ROOT, copy_path, load_pages
from .crawl import BENCH_SETTINGS, BIN, write_urls_file
from .serve import base_url, serving
from .throughput import copies_resolver

REDIS_URL = "redis://127.0.0.1:6379/0"
BATCH = 50


def _crawl_all(urls_file: Path, db_url: str, workdir: Path, workers: int, run: str | None
               ) -> float:
    """Seconds from the first worker's start to the last one's exit."""
    env = {**os.environ, "NEWSCRAWLER_DB": db_url, "NEWSCRAWLER_WARC_DIR": str(workdir / "warc"),
           "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "NEWSCRAWLER_REDIS_URL": REDIS_URL}
    started = time.monotonic()
    procs = []
    for number in range(1, workers + 1):
        cmd = [str(BIN / "scrapy"), "crawl", "news", "-a", f"urls_file={urls_file}"]
        cmd += ["-a", f"run={run}", "-a", f"worker={number}"] if run else []
        for name, value in BENCH_SETTINGS.items():
            cmd += ["-s", f"{name}={value}"]
        log = (workdir / f"worker{number}.log").open("wb")
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log))
    codes = [proc.wait(timeout=1800) for proc in procs]
    if codes != [0] * workers:
        raise RuntimeError(f"workers exited {codes}; logs in {workdir}")
    return time.monotonic() - started


def workers(eval_dir: Path, pages: int, repeat: int, workdir: Path) -> dict[str, float]:
    from sqlalchemy import create_engine, text

    setups = {"1 worker, local frontier": (1, False), "1 worker, Redis frontier": (1, True),
              "2 workers, Redis frontier": (2, True)}
    rates: dict[str, list[float]] = {name: [] for name in setups}
    corpus = load_pages(eval_dir)
    with serving(copies_resolver(corpus, pages)) as server:
        urls_file = write_urls_file(workdir / "urls.txt", [
            base_url(server) + copy_path(n) for n in range(pages)])
        for attempt in range(repeat):
            for name, (count, shared) in setups.items():
                run = f"bench-{secrets.token_hex(4)}" if shared else None
                with pg_database() as db:
                    logs = workdir / f"{attempt}-{count}-{int(shared)}"
                    logs.mkdir()
                    seconds = _crawl_all(urls_file, db, logs, count, run)
                    engine = create_engine(db)
                    with engine.connect() as connection:
                        stored = connection.scalar(text("SELECT count(*) FROM articles"))
                    engine.dispose()
                rates[name].append(stored / seconds)
                print(f"  {name}: {stored} articles in {seconds:.1f} s", flush=True)
    return {name: statistics.median(values) for name, values in rates.items()}


def writes(eval_dir: Path, count: int) -> dict[str, float]:
    from newscrawler.archive.engine import open_archive
    from newscrawler.archive.store import ArchiveStore

    from .store_path import records

    batch = records(eval_dir, count)
    rates = {}
    with tempfile.TemporaryDirectory() as tmp, pg_database() as pg:
        for name, url in (("SQLite", f"sqlite:///{tmp}/a.sqlite3"), ("PostgreSQL", pg)):
            store = ArchiveStore(open_archive(url, pool_size=1))
            run_id = store.start_run({}, ["bench"])
            started = time.monotonic()
            for start in range(0, len(batch), BATCH):
                store.store_many(batch[start:start + BATCH], run_id)
            rates[name] = len(batch) / (time.monotonic() - started)
            store.engine.dispose()
    return rates


def redis_memory(count: int) -> dict[str, float]:
    """MiB per million: seen-set fingerprints, queued requests."""
    from redis import Redis
    from scrapy.utils.test import get_crawler

    from newscrawler.distributed.keys import RunKeys
    from newscrawler.distributed.scheduler import LeasedQueue
    from spiders.news import NewsSpider

    server = Redis.from_url(REDIS_URL)
    run = f"bench-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as tmp:
        crawler = get_crawler(NewsSpider, {"NEWSCRAWLER_DB": f"sqlite:///{tmp}/a.sqlite3",
                                           "NEWSCRAWLER_EXTRACT_WORKERS": 0})
        spider = NewsSpider.from_crawler(crawler, url="https://www.example-news.org/",
                                         run=run)
        queue = LeasedQueue(server, spider, RunKeys(run).queue)
        fingerprint = crawler.request_fingerprinter.fingerprint
        figures = {}
        try:
            for part in ("seen-set (fingerprints)", "queue (waiting requests)"):
                before = server.info("memory")["used_memory"]
                for start in range(0, count, 1000):
                    with server.pipeline(transaction=False) as pipe:
                        for n in range(start, start + 1000):
                            request = spider._page_request(
                                f"https://www.example-news.org/2024/06/{n:07d}/"
                                "a-headline-of-average-length-for-a-news-article.html")
                            if part.startswith("seen"):
                                pipe.sadd(RunKeys(run).seen, fingerprint(request))
                            else:
                                pipe.zadd(RunKeys(run).queue, {queue.encode(request): n})
                        pipe.execute()
                used = server.info("memory")["used_memory"] - before
                figures[part] = used / count * 1_000_000 / 2**20
        finally:
            server.delete(*RunKeys(run).all())
    return figures


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("workers", "writes", "redis"))
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR,
                        help="the shared evaluation pages (default: ../shared/eval)")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
          flush=True)
    if args.only in (None, "workers"):
        with tempfile.TemporaryDirectory(prefix="nc-scaling-") as tmp:
            rates = workers(args.eval_dir, args.pages, args.repeat, Path(tmp))
        base = rates["1 worker, local frontier"]
        for name, rate in rates.items():
            print(f"{name:<28} {rate:6.1f} articles/s  ({rate / base:.2f}x)")
    if args.only in (None, "writes"):
        rates = writes(args.eval_dir, args.pages)
        for name, rate in rates.items():
            print(f"store_many into {name:<11} {rate:7.1f} articles/s")
        print(f"PostgreSQL/SQLite: {rates['PostgreSQL'] / rates['SQLite']:.2f}")
    if args.only in (None, "redis"):
        for part, mib in redis_memory(200_000).items():
            print(f"Redis, {part:<26} {mib:7.1f} MiB per million URLs")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
