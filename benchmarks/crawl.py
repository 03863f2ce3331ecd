"""Run ``scrapy crawl news -a urls_file=...`` as cron would, then export the archive."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .corpus import ROOT
from .procs import Measured, run_measured

BIN = Path(sys.executable).parent
# Stated with every result: AutoThrottle off and 16 requests per domain, because the whole
# corpus is served by one local host; everything else (robots.txt, WARC, workers) is default.
BENCH_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
_STAT = re.compile(
    r"'((?:newscrawler/|item_|response_received|elapsed|log_count/ERROR)[^']*)': ([0-9.]+)")


@dataclass
class CrawlRun:
    measured: Measured
    db_url: str
    stats: dict[str, float]

    @property
    def crawl_seconds(self) -> float:
        """Scrapy's own elapsed time: the crawl without interpreter start-up."""
        return self.stats.get("elapsed_time_seconds", self.measured.seconds)

    @property
    def dropped(self) -> dict[str, int]:
        """Pages not stored, by reason (the crawl's ``newscrawler/dropped/<reason>`` stats)."""
        prefix = "newscrawler/dropped/"
        return {k.removeprefix(prefix): int(v) for k, v in self.stats.items()
                if k.startswith(prefix)}


def checkout_env(root: Path, env: dict[str, str]) -> dict[str, str]:
    """``env`` for running the project checkout at ``root`` with this venv: its code first on
    ``PYTHONPATH`` (this checkout's is found without it)."""
    if root == ROOT:
        return env
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(root),
                                                               env.get("PYTHONPATH")]))}


def write_urls_file(path: Path, urls: Sequence[str]) -> Path:
    path.write_text("".join(f"{url}\n" for url in urls), "utf-8")
    return path


def crawl_urls(urls: Sequence[str], workdir: Path, *, timeout: float,
               probe: Callable[[], int] | None = None, root: Path = ROOT) -> CrawlRun:
    """Crawl exactly ``urls`` into a fresh SQLite archive and WARC folder under ``workdir``,
    with the project checkout at ``root`` (another one runs with this venv, its own code
    first on the path)."""
    workdir.mkdir(parents=True, exist_ok=True)
    urls_file = write_urls_file(workdir / "urls.txt", urls)
    db_url = f"sqlite:///{workdir / 'archive.sqlite3'}"
    env = checkout_env(root, {
        **os.environ, "NEWSCRAWLER_DB": db_url, "NEWSCRAWLER_WARC_DIR": str(workdir / "warc"),
        "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "PYTHONUNBUFFERED": "1"})
    cmd = [str(BIN / "scrapy"), "crawl", "news", "-a", f"urls_file={urls_file}"]
    for name, value in BENCH_SETTINGS.items():
        cmd += ["-s", f"{name}={value}"]
    # From the project root, as cron runs it (scrapy.cfg selects the project settings).
    measured = run_measured(cmd, cwd=root, env=env, timeout=timeout, logdir=workdir, probe=probe)
    if measured.returncode != 0:
        raise RuntimeError(f"scrapy crawl news failed ({measured.returncode}):\n"
                           f"{measured.stderr[-3000:]}")
    stats = parse_stats(measured.stderr)
    if not any(k.startswith("newscrawler/stored/") for k in stats):
        raise RuntimeError(f"scrapy crawl news stored nothing; first error:\n"
                           f"{first_error(measured.stderr)}")
    return CrawlRun(measured, db_url, stats)


def parse_stats(log: str) -> dict[str, float]:
    """The counters of Scrapy's final stats dump that the bench reports."""
    tail = log[log.rfind("Dumping Scrapy stats"):]
    return {name: float(value) for name, value in _STAT.findall(tail)}


def first_error(log: str) -> str:
    start = log.find("] ERROR: ")
    return log[start:start + 3000] if start >= 0 else log[-3000:]


def export_rows(db_url: str) -> list[dict]:  # type: ignore[type-arg]
    """``newscrawler --db URL export --format jsonl``, parsed."""
    proc = subprocess.run([str(BIN / "newscrawler"), "--db", db_url, "export", "--format", "jsonl"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
