"""The README's capture figures, from benchmark crawls of unique copies of the eval pages.

Rounds in one session, so that the machine's load weighs on each part alike: a crawl with
capture on (every default, as ``make bench`` runs it), one with capture off
(``-s NEWSCRAWLER_WARC_DIR=``), then ``newscrawler reextract`` over the captured crawl.
Reports the disk cost per article (WARC files; the SQLite archive, and the part of it the
capture rows take), capture's share of the crawl's CPU (the process tree's CPU seconds,
on minus off, over on), and re-extraction pages per second against the crawl's (wall
time, and CPU seconds per page, which other work on the machine skews less); medians of
the rounds, and each round's ratio.

    .venv/bin/python -m benchmarks.capture_figures [--pages 1000] [--rounds 2] [--eval-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from .corpus import DEFAULT_EVAL_DIR, ROOT, copy_path, load_pages
from .crawl import BENCH_SETTINGS, BIN, parse_stats, write_urls_file
from .procs import Measured, run_measured
from .serve import base_url, serving
from .throughput import copies_resolver

TIMEOUT = 1800
KIB = 1024


def crawl(urls: list[str], workdir: Path, capture: bool) -> dict[str, Any]:
    """One ``scrapy crawl news -a urls_file=...`` into a fresh archive under ``workdir``."""
    workdir.mkdir(parents=True)
    db, warc = workdir / "archive.sqlite3", workdir / "warc"
    env = {**os.environ, "NEWSCRAWLER_DB": f"sqlite:///{db}", "PYTHONUNBUFFERED": "1",
           "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}
    cmd = [str(BIN / "scrapy"), "crawl", "news", "-a",
           f"urls_file={write_urls_file(workdir / 'urls.txt', urls)}"]
    # An empty environment variable means the default: off is an empty setting.
    settings = {**BENCH_SETTINGS, "NEWSCRAWLER_WARC_DIR": str(warc) if capture else ""}
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    measured = _checked(run_measured(cmd, cwd=ROOT, env=env, timeout=TIMEOUT, logdir=workdir))
    stats = parse_stats(measured.stderr)
    if ("newscrawler/capture/response" in stats) != capture:
        raise RuntimeError(f"capture {'on' if capture else 'off'} was not: {stats}")
    articles = int(stats.get("newscrawler/stored/new", 0))
    return {"seconds": measured.seconds, "cpu_s": measured.cpu[0], "articles": articles,
            "pages_per_s": len(urls) / measured.seconds, "db": db, "warc": warc,
            "db_bytes": _size(db.parent.glob("archive.sqlite3*")),
            "warc_bytes": _size(warc.glob("*.warc.gz"))}


def reextract(run: dict[str, Any], workdir: Path) -> dict[str, Any]:
    workdir.mkdir()
    env = {**os.environ, "NEWSCRAWLER_WARC_DIR": str(run["warc"])}
    cmd = [str(BIN / "newscrawler"), "--db", f"sqlite:///{run['db']}", "reextract"]
    measured = _checked(run_measured(cmd, cwd=ROOT, env=env, timeout=TIMEOUT, logdir=workdir))
    return {"seconds": measured.seconds, "cpu_s": measured.cpu[0],
            "pages_per_s": run["articles"] / measured.seconds,
            "summary": measured.stdout.strip()}


def _checked(measured: Measured) -> Measured:
    if measured.returncode != 0:
        raise RuntimeError(f"failed ({measured.returncode}):\n{measured.stderr[-3000:]}")
    return measured


def _size(paths: Any) -> int:
    return sum(path.stat().st_size for path in paths)


def figures(on: list[dict[str, Any]], off: list[dict[str, Any]],
            again: list[dict[str, Any]]) -> dict[str, Any]:
    """The README's figures: medians of the rounds, ratios within each round."""
    def median(runs: list[dict[str, Any]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    articles = median(on, "articles")
    cpu_on, cpu_off = median(on, "cpu_s"), median(off, "cpu_s")
    crawl_rate = median(on, "pages_per_s")
    rounds = list(zip(on, off, again, strict=True))
    return {
        "articles": articles,
        "warc_kib_per_article": round(median(on, "warc_bytes") / articles / KIB, 1),
        "db_kib_per_article": round(median(on, "db_bytes") / articles / KIB, 1),
        "db_kib_per_article_without_capture": round(median(off, "db_bytes") / articles / KIB, 1),
        "crawl_cpu_s": {"capture on": round(cpu_on, 1), "capture off": round(cpu_off, 1)},
        "capture_share_of_crawl_cpu": round((cpu_on - cpu_off) / cpu_on, 3),
        "capture_share_by_round": [round((a["cpu_s"] - b["cpu_s"]) / a["cpu_s"], 3)
                                   for a, b, _ in rounds],
        "crawl_pages_per_s": {"capture on": round(crawl_rate, 1),
                              "capture off": round(median(off, "pages_per_s"), 1)},
        "reextract_pages_per_s": round(median(again, "pages_per_s"), 1),
        "reextract_to_crawl_by_round": [round(r["pages_per_s"] / a["pages_per_s"], 2)
                                        for a, _, r in rounds],
        "cpu_ms_per_page": {"crawl": round(cpu_on / articles * 1000, 1),
                            "reextract": round(median(again, "cpu_s") / articles * 1000, 1)},
        "reextract_summary": again[-1]["summary"],
        "loadavg": os.getloadavg(),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capture_figures",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="unique pages per crawl")
    parser.add_argument("--rounds", type=int, default=3, help="crawls with and without capture")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    args = parser.parse_args(argv)
    pages = load_pages(args.eval_dir)
    on: list[dict[str, Any]] = []
    off: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="newscrawler-capture-") as tmp, \
            serving(copies_resolver(pages, args.pages)) as server:
        urls = [base_url(server) + copy_path(n) for n in range(args.pages)]
        for n in range(args.rounds):
            print(f"[capture] round {n + 1}/{args.rounds}", file=sys.stderr, flush=True)
            on.append(crawl(urls, Path(tmp) / f"on-{n}", capture=True))
            off.append(crawl(urls, Path(tmp) / f"off-{n}", capture=False))
            again.append(reextract(on[-1], Path(tmp) / f"reextract-{n}"))
    print(json.dumps(figures(on, off, again), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
