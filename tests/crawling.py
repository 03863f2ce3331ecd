"""Helpers for end-to-end tests: run ``scrapy crawl news`` in a subprocess, read the archive."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


@dataclass
class CrawlResult:
    returncode: int
    log: str
    peak_rss_mib: float


def run_crawl(args: list[str], db_url: str, warc_dir: Path, *, timeout: float = 240,
              settings: dict[str, str] | None = None, allow_private: str = "127.0.0.1"
              ) -> CrawlResult:
    """``scrapy crawl news -a ...`` from the project root, as cron would run it."""
    env = {**os.environ, "NEWSCRAWLER_DB": db_url, "NEWSCRAWLER_WARC_DIR": str(warc_dir),
           "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": allow_private}
    cmd = [SCRAPY, "crawl", "news"]
    for arg in args:
        cmd += ["-a", arg]
    for name, value in (settings or {}).items():
        cmd += ["-s", f"{name}={value}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return CrawlResult(proc.returncode, proc.stdout + proc.stderr, max(peak, before) / 1024)


def start_crawl(args: list[str], db_url: str, warc_dir: Path, log_path: Path,
                settings: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a crawl in its own process group (so a test can SIGKILL it with its workers)."""
    env = {**os.environ, "NEWSCRAWLER_DB": db_url, "NEWSCRAWLER_WARC_DIR": str(warc_dir),
           "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}
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
