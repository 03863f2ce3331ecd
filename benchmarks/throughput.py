"""Part 2, throughput: the same unique copies of the eval pages through three systems.

ours: ``scrapy crawl news -a urls_file=...``, every default feature on (robots.txt, WARC,
extraction workers, a fresh archive); (a) a one-core trafilatura loop over bodies already in
memory; (b) the obvious Scrapy project (``baselines.py``). Pages/s is pages over the
process's wall time, start-up included; peak RSS is summed over each process tree.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from .corpus import Page, copy_number, copy_path, load_pages, unique_copy
from .crawl import BENCH_SETTINGS, BIN, crawl_urls, write_urls_file
from .procs import Measured, run_measured
from .serve import base_url, serving

TIMEOUT = 1800


def copies_resolver(pages: list[Page], count: int) -> Callable[[str], bytes | None]:
    """Serves ``/copy/<n>.html`` for n < count, each a unique copy."""
    def resolve(path: str) -> bytes | None:
        number = copy_number(path)
        if number is None or number >= count:
            return None
        return unique_copy(pages, number)
    return resolve


def row(system: str, pages: int, seconds: float, measured: Measured,
        **extra: Any) -> dict[str, Any]:
    cpu_tree, cpu_main = measured.cpu
    return {"system": system, "pages": pages, "seconds": round(seconds, 2),
            "cpu_s": round(cpu_tree, 1), "main_cpu_s": round(cpu_main, 1),
            "pages_per_s": round(pages / seconds, 1) if seconds else 0.0,
            "peak_rss_mib": round(measured.peak_mib),
            "peak_pss_mib": round(measured.peak_pss_mib),
            "peak_by_process_mib": [round(m) for m in measured.peak_by_process()],
            "peak_main_mib": round(measured.peak_main_mib),
            "processes": max((s.processes for s in measured.samples), default=1), **extra}


def run_ours(urls: list[str], workdir: Path, served: Callable[[], int]) -> dict[str, Any]:
    before = served()
    crawl = crawl_urls(urls, workdir / "ours", timeout=TIMEOUT)
    stored = int(crawl.stats.get("newscrawler/stored/new", 0))
    return row("newscrawler (scrapy crawl news)", served() - before, crawl.measured.seconds,
               crawl.measured, stored=stored, crawl_seconds=round(crawl.crawl_seconds, 2),
               errors=int(crawl.stats.get("log_count/ERROR", 0)),
               dropped=crawl.dropped)


def run_plain_scrapy(urls: list[str], workdir: Path, served: Callable[[], int]) -> dict[str, Any]:
    """Baseline (b), run outside the project so that only its own settings apply."""
    workdir.mkdir(parents=True, exist_ok=True)
    urls_file = write_urls_file(workdir / "urls.txt", urls)
    settings = {**BENCH_SETTINGS, "CONCURRENT_REQUESTS": "16", "ROBOTSTXT_OBEY": "True",
                "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": "False",
                "PLAIN_DB": str(workdir / "plain.sqlite3")}
    cmd = [str(BIN / "scrapy"), "runspider", str(Path(__file__).with_name("baselines.py")),
           "-a", f"urls_file={urls_file}"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    before = served()
    measured = run_measured(cmd, cwd=workdir, env=env, timeout=TIMEOUT, logdir=workdir)
    if measured.returncode != 0:
        raise RuntimeError(f"baseline (b) failed:\n{measured.stderr[-3000:]}")
    with closing(sqlite3.connect(workdir / "plain.sqlite3")) as conn:
        stored = conn.execute("SELECT count(*) FROM pages WHERE text IS NOT NULL").fetchone()[0]
    return row("(b) obvious Scrapy project", served() - before, measured.seconds, measured,
               stored=stored)


def run_loop(eval_dir: Path, count: int, workdir: Path) -> dict[str, Any]:
    """Baseline (a), in its own process so that its memory is measured alone."""
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.plain_loop", str(eval_dir), str(count)]
    measured = run_measured(cmd, cwd=Path(__file__).resolve().parents[1], env=dict(os.environ),
                            timeout=TIMEOUT, logdir=workdir)
    if measured.returncode != 0:
        raise RuntimeError(f"baseline (a) failed:\n{measured.stderr[-3000:]}")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    return row("(a) trafilatura loop, 1 core", count, result["seconds"], measured,
               extracted=result["extracted"])


def run(eval_dir: Path, workdir: Path, count: int) -> dict[str, Any]:
    pages = load_pages(eval_dir)
    with serving(copies_resolver(pages, count)) as server:
        urls = [base_url(server) + copy_path(n) for n in range(count)]
        def served() -> int:
            return server.pages_served
        ours = run_ours(urls, workdir, served)
        plain_scrapy = run_plain_scrapy(urls, workdir / "plain-scrapy", served)
    loop = run_loop(eval_dir, count, workdir / "loop")
    rate = ours["pages_per_s"]
    return {"pages": count, "settings": " ".join(f"{k}={v}" for k, v in BENCH_SETTINGS.items()),
            "rows": [ours, loop, plain_scrapy],
            "ratio_ours_to_a": round(rate / loop["pages_per_s"], 2),
            "ratio_ours_to_b": round(rate / plain_scrapy["pages_per_s"], 2)}
