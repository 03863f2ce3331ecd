"""A crawl's cost does not grow with the archive (``make bench-startup``).

The same small crawl (``scrapy crawl news -a url=...`` of a 5-page site: a home page and
four articles, robots.txt, the default ``recheck=due``) runs against a small archive and
against one holding ``--articles`` (default 1,000,000) archived articles, a quarter of them
the crawled site's own, none due (see ``archive_fill``), on SQLite and on PostgreSQL. Runs
alternate small, big, small, big; each backend's figures are medians over ``--repeat`` runs
of each: wall time of the
``scrapy`` process (start-up included) and peak RSS and PSS of its process tree (the
crawl and its extraction workers), sampled every 0.2 s. Between runs the crawl's own rows are
deleted, so every run fetches and stores the same four articles.

Goal: with the big archive, at most 30 MiB more peak RSS and 1 s more wall time.

    .venv/bin/python -m benchmarks.startup [--articles N] [--repeat N] [--backend sqlite]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

from newscrawler.archive.engine import open_archive

from .archive_fill import fill, pg_database
from .corpus import ROOT
from .procs import Measured, run_measured
from .serve import base_url, serving

GOAL_MIB, GOAL_SECONDS = 30.0, 1.0
SMALL = 1_000
PARAGRAPH = ("The council met on Tuesday to discuss the budget of the coming year, and the "
             "members agreed on a plan for the schools, the roads and the library. ")


def _article(number: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH * 2} Item {number}.{n}.</p>" for n in range(6))
    return (f"<html lang='en'><head><title>Article {number}</title><meta property='og:type' "
            f"content='article'></head><body><article><h1>Article {number}</h1>{body}"
            "</article></body></html>").encode()


def _page(path: str) -> bytes | None:
    if path == "/":
        links = "".join(f"<li><a href='/news/{n}.html'>Article {n}</a></li>" for n in range(4))
        return f"<html><body><h1>Home</h1><ul>{links}</ul></body></html>".encode()
    for number in range(4):
        if path == f"/news/{number}.html":
            return _article(number)
    return None


def crawl(db_url: str, site: str, workdir: Path) -> Measured:
    env = {**os.environ, "NEWSCRAWLER_DB": db_url, "NEWSCRAWLER_WARC_DIR": str(workdir / "warc"),
           "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}
    cmd = [str(Path(sys.executable).with_name("scrapy")), "crawl", "news", "-a", f"url={site}/"]
    workdir.mkdir(parents=True, exist_ok=True)
    measured = run_measured(cmd, cwd=ROOT, env=env, timeout=300, logdir=workdir)
    stored = "'newscrawler/stored/new': 4," in measured.stderr
    if measured.returncode != 0 or not stored:
        raise RuntimeError(f"the crawl failed or did not store 4 articles "
                           f"({measured.returncode}):\n{measured.stderr[-3000:]}")
    return measured


def forget_crawl(db_url: str) -> None:
    """Delete what a crawl of 127.0.0.1 stored: the next run does the same work again."""
    engine = open_archive(db_url)
    with engine.begin() as connection:
        source = "(SELECT id FROM sources WHERE name = '127.0.0.1')"
        connection.execute(text(f"DELETE FROM articles WHERE source_id = {source}"))
        connection.execute(text("DELETE FROM fetches WHERE url LIKE 'http://127.0.0.1:%'"))
        connection.execute(text("DELETE FROM crawl_runs WHERE sources = '127.0.0.1'"))
    engine.dispose()


@contextlib.contextmanager
def archives(backend: str, articles: int) -> Iterator[dict[str, str]]:
    """{"small": url, "big": url}: two filled archives of ``backend``, removed on exit."""
    with contextlib.ExitStack() as stack:
        urls = {}
        for size, count in (("small", SMALL), ("big", articles)):
            if backend == "sqlite":
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="nc-startup-"))
                urls[size] = f"sqlite:///{tmp}/archive.sqlite3"
            else:
                urls[size] = stack.enter_context(pg_database())
            started = time.monotonic()
            engine = open_archive(urls[size])
            fill(engine, count, own="127.0.0.1")
            engine.dispose()
            print(f"  {backend}: {count:,} archived articles in "
                  f"{time.monotonic() - started:.0f} s", flush=True)
        yield urls


def measure(backend: str, articles: int, repeat: int, workdir: Path) -> dict[str, float]:
    runs: dict[str, list[Measured]] = {"small": [], "big": []}
    with archives(backend, articles) as urls, serving(_page) as server:
        for number in range(repeat):
            for size in ("small", "big"):
                runs[size].append(crawl(urls[size], base_url(server),
                                        workdir / f"{backend}-{size}-{number}"))
                forget_crawl(urls[size])
    figures = {}
    for size, measured in runs.items():
        figures[f"{size}_seconds"] = statistics.median(m.seconds for m in measured)
        figures[f"{size}_rss_mib"] = statistics.median(m.peak_mib for m in measured)
        figures[f"{size}_pss_mib"] = statistics.median(m.peak_pss_mib for m in measured)
    return figures


def report(backend: str, articles: int, f: dict[str, float]) -> bool:
    more_s, more_rss = f["big_seconds"] - f["small_seconds"], f["big_rss_mib"] - f["small_rss_mib"]
    met = more_s <= GOAL_SECONDS and more_rss <= GOAL_MIB
    print(f"{backend:<10} {'archive':<18} {'wall s':>7} {'peak RSS MiB':>13} {'peak PSS MiB':>13}")
    print(f"{'':<10} {f'{SMALL:,} articles':<18} {f['small_seconds']:>7.2f} "
          f"{f['small_rss_mib']:>13.1f} {f['small_pss_mib']:>13.1f}")
    print(f"{'':<10} {f'{articles:,} articles':<18} {f['big_seconds']:>7.2f} "
          f"{f['big_rss_mib']:>13.1f} {f['big_pss_mib']:>13.1f}")
    print(f"{'':<10} {'difference':<18} {more_s:>+7.2f} {more_rss:>+13.1f} "
          f"{f['big_pss_mib'] - f['small_pss_mib']:>+13.1f}   goal <= +{GOAL_SECONDS:.0f} s, "
          f"<= +{GOAL_MIB:.0f} MiB: {'met' if met else 'NOT met'}")
    return met


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    args = parser.parse_args(argv)
    met = True
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="nc-startup-logs-") as tmp:
        for backend in args.backend or ["sqlite", "postgresql"]:
            figures = measure(backend, args.articles, args.repeat, Path(tmp))
            met = report(backend, args.articles, figures) and met
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
