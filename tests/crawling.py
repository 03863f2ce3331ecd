"""Helpers for end-to-end tests: run ``scrapy crawl news`` in a subprocess, read the archive."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


@dataclass
class CrawlResult:
    returncode: int
    log: str
    peak_rss_mib: float  # the whole process tree (the crawl and its extraction workers)
    peak_pss_mib: float  # the same, shared pages counted once


def _tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                todo += map(int, Path(f"/proc/{pid}/task/{tid}/children").read_text().split())
        except OSError:
            continue
    return pids


def _memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MiB, from /proc; zeros once it has exited."""
    try:
        rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        pss = next(int(line.split()[1]) * 1024 for line in
                   Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                   if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0.0, 0.0
    return rss / 2**20, pss / 2**20


def _sample_peaks(proc: subprocess.Popen[str], peaks: list[float]) -> None:
    """Until ``proc`` ends: the peak summed RSS and PSS of its process tree, every 0.2 s."""
    while proc.poll() is None:
        sizes = [_memory_mib(pid) for pid in _tree(proc.pid)]
        peaks[0] = max(peaks[0], sum(r for r, _ in sizes))
        peaks[1] = max(peaks[1], sum(p for _, p in sizes))
        time.sleep(0.2)


def run_crawl(args: list[str], db_url: str, warc_dir: Path, *, timeout: float = 240,
              settings: dict[str, str] | None = None, allow_private: str = "127.0.0.1",
              launcher: list[str] | None = None, env: dict[str, str] | None = None
              ) -> CrawlResult:
    """``scrapy crawl news -a ...`` from the project root, as cron would run it.

    ``launcher`` replaces the ``scrapy`` command (e.g. ``python -m tests.sites.rebinding``);
    ``env``: more environment variables.
    """
    env = {**os.environ, "NEWSCRAWLER_DB": db_url, "NEWSCRAWLER_WARC_DIR": str(warc_dir),
           "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": allow_private, **(env or {})}
    cmd = [*(launcher or [SCRAPY]), "crawl", "news"]
    for arg in args:
        cmd += ["-a", arg]
    for name, value in (settings or {}).items():
        cmd += ["-s", f"{name}={value}"]
    peaks = [0.0, 0.0]
    with subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as proc:
        sampler = threading.Thread(target=_sample_peaks, args=(proc, peaks), daemon=True)
        sampler.start()
        try:
            log, _ = proc.communicate(timeout=timeout)
        finally:
            proc.kill()
            sampler.join()
    return CrawlResult(proc.returncode, log, peaks[0], peaks[1])


def start_crawl(args: list[str], db_url: str, warc_dir: Path, log_path: Path,
                settings: dict[str, str] | None = None, env: dict[str, str] | None = None
                ) -> subprocess.Popen[bytes]:
    """Start a crawl in its own process group (so a test can SIGKILL it with its workers)."""
    env = {**os.environ, "NEWSCRAWLER_DB": db_url, "NEWSCRAWLER_WARC_DIR": str(warc_dir),
           "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1", **(env or {})}
    cmd = [SCRAPY, "crawl", "news"]
    for arg in args:
        cmd += ["-a", arg]
    for name, value in (settings or {}).items():
        cmd += ["-s", f"{name}={value}"]
    log = log_path.open("ab")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def archive_counts(db_url: str) -> dict[str, int]:
    """Articles, distinct canonical URLs and versions, read straight from the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT count(*), count(DISTINCT canonical_url), "
            "(SELECT count(*) FROM article_versions) FROM articles")).one()
    engine.dispose()
    return {"articles": row[0], "distinct": row[1], "versions": row[2]}


def final_stats(log: str) -> dict[str, int]:
    """The integer counters of Scrapy's final stats dump in a crawl's log."""
    dump = log[log.rfind("Dumping Scrapy stats:"):]
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+),?$", dump, re.M)}


def count_rows(db_url: str, sql: str) -> int:
    """``SELECT count(*) ...`` on an archive; 0 while the crawl is still creating it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def crawl_runs(db_url: str) -> list[dict]:
    """The archive's ``crawl_runs`` rows, oldest first."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM crawl_runs ORDER BY id")).mappings().all()
    engine.dispose()
    return [dict(r) for r in rows]


class HeapProbe:
    """A Scrapy extension for tests: logs, as the spider closes, how many objects the crawl
    process has frozen out of the garbage collector's sight and its youngest threshold."""

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206 (Scrapy's signature)
        import gc
        import logging

        from scrapy import signals

        def report() -> None:
            logging.getLogger(__name__).info("heap probe: frozen=%d young_threshold=%d",
                                             gc.get_freeze_count(), gc.get_threshold()[0])

        crawler.signals.connect(report, signal=signals.spider_closed, weak=False)
        return cls()
