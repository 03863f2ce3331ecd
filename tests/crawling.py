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
