"""``make bench-search``: full-text search latency on synthetic archives, beside LIKE scans.

    .venv/bin/python -m benchmarks.search [--sizes 100000,1000000] [--runs 7] [--dir DIR]

For each size, builds (or resumes, or reuses) an SQLite archive of synthetic French and
English articles (``search_corpus``, ``search_build``) under ``benchmarks/results/``, then
times typical queries through ``Archive.search`` (limit 10, snippets included, read-only
connection, one warm-up run then ``--runs`` timed runs each): p50 and p95 per query kind
and overall. In the same run, the same questions are asked with ``LIKE '%word%'`` on title
and text, once per kind: the 10 newest matches, and the count of all matches. Reports the
index's build time (the articles' inserts, triggers included), its size on disk, the insert
throughput of the crawl's store with and without the index, and the load average (the
machine may be shared). Results go to ``benchmarks/results/search.json``. Offline; the
product never reads it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from newscrawler.api import Archive

from .corpus import ROOT
from .search_build import build, insert_throughput
from .search_corpus import RATE, START, Corpus

RESULTS = ROOT / "benchmarks" / "results"
# (kind, query, filters, LIKE patterns that must match, LIKE patterns that must not)
QUERIES: list[tuple[str, str, dict[str, str], list[str], list[str]]] = [
    ("one word", "négociations", {}, ["négociation"], []),
    ("one word", "drought", {}, ["drought"], []),
    ("one word (common)", "gouvernement", {}, ["gouvernement"], []),
    ("one word (common)", "election", {}, ["election"], []),
    ("two words", "hôpital sécheresse", {}, ["hôpital", "sécheresse"], []),
    ("two words", "hospital negotiations", {}, ["hospital", "negotiation"], []),
    ("phrase", '"premier ministre"', {}, ["premier ministre"], []),
    ("phrase", "cessez-le-feu", {}, ["cessez-le-feu"], []),
    ("exclusion", "élections -gouvernement", {}, ["élection"], ["gouvernement"]),
    ("exclusion", "ceasefire -government", {}, ["ceasefire"], ["government"]),
    ("prefix", "négoc*", {}, ["négoc"], []),
    ("prefix", "ukrain*", {}, ["ukrain"], []),
    ("date filter", "élections", {"days": "30"}, ["élection"], []),
    ("date filter", "ceasefire OR cessez-le-feu", {"days": "90"}, ["ceasefire"], []),
]


def _dated(filters: dict[str, str], size: int) -> dict[str, str]:
    """``days``: that many days from the middle of the archive's time span."""
    if "days" not in filters:
        return filters
    since = START + timedelta(days=size / RATE / 2)
    until = since + timedelta(days=int(filters["days"]) - 1)
    return {"since": since.date().isoformat(), "until": until.date().isoformat()}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_queries(url: str, size: int, runs: int) -> dict[str, Any]:
    """Milliseconds per query through ``Archive.search`` (after one warm-up run)."""
    timings: dict[str, list[float]] = {}
    cpu: list[float] = []  # this process's CPU time: less skewed by other work than wall time
    hits: dict[str, int] = {}
    with Archive(url) as archive:
        for kind, query, undated, _, _ in QUERIES:
            filters = _dated(undated, size)
            archive.search(query, limit=10, **filters)
            for _ in range(runs):
                started, processor = time.perf_counter(), time.process_time()
                found = archive.search(query, limit=10, **filters)
                timings.setdefault(kind, []).append(1000 * (time.perf_counter() - started))
                cpu.append(1000 * (time.process_time() - processor))
            hits[query] = archive.count(query=query, **filters)
    every = [ms for values in timings.values() for ms in values]
    return {
        "per_kind": {kind: {"p50_ms": statistics.median(v), "p95_ms": _percentile(v, 0.95)}
                     for kind, v in timings.items()},
        "p50_ms": statistics.median(every), "p95_ms": _percentile(every, 0.95),
        "cpu_p50_ms": statistics.median(cpu), "cpu_p95_ms": _percentile(cpu, 0.95),
        "matches": hits, "last_page": len(found),
    }


def time_like(url: str, size: int) -> dict[str, dict[str, float]]:
    """Milliseconds of LIKE scans answering the first query of each kind, once: the 10
    newest matches (a scan that stops early when matches are common), and their count (a
    whole scan, what ranking or counting them needs)."""
    seen, result = set(), {}
    with Archive(url) as archive, archive.engine.connect() as connection:
        for kind, _, undated, wanted, unwanted in QUERIES:
            filters = _dated(undated, size)
            if kind in seen:
                continue
            seen.add(kind)
            where = [f"(title LIKE :w{i} OR text LIKE :w{i})" for i in range(len(wanted))]
            where += [f"NOT (title LIKE :u{i} OR text LIKE :u{i})" for i in range(len(unwanted))]
            when = "coalesce(published_at, first_seen_at)"
            if "since" in filters:
                where += [f"{when} >= :since", f"{when} < date(:until, '+1 day')"]
            params = {**{f"w{i}": f"%{w}%" for i, w in enumerate(wanted)},
                      **{f"u{i}": f"%{u}%" for i, u in enumerate(unwanted)}, **filters}
            started = time.perf_counter()
            connection.execute(text(f"SELECT id FROM articles WHERE {' AND '.join(where)} "
                                    f"ORDER BY {when} DESC LIMIT 10"), params).all()
            newest = 1000 * (time.perf_counter() - started)
            started = time.perf_counter()
            connection.execute(text(
                f"SELECT count(*) FROM articles WHERE {' AND '.join(where)}"), params).all()
            result[kind] = {"newest_ms": newest, "count_ms": 1000 * (time.perf_counter() - started)}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=RESULTS)
    parser.add_argument("--throughput", type=int, default=2000,
                        help="articles for the insert throughput test (0: skip)")
    parser.add_argument("--no-like", action="store_true", help="skip the LIKE scans")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    saved = args.dir / "search.json"
    # A partial rerun (one size, no throughput) keeps the other figures of the last run.
    report: dict[str, Any] = json.loads(saved.read_text()) if saved.exists() else {}
    corpus = Corpus()
    if args.throughput:
        report["insert"] = insert_throughput(corpus, args.throughput)
        _print_insert(report["insert"])
    for size in (int(s) for s in args.sizes.split(",")):
        path = args.dir / f"search-{size}.sqlite3"
        figures = build(path, size, corpus)
        url = f"sqlite:///{path}"
        figures["fts"] = time_queries(url, size, args.runs)
        if not args.no_like:
            figures["like"] = time_like(url, size)
        figures["load_average"] = os.getloadavg()
        report[str(size)] = figures
        _print_size(size, figures)
        saved.write_text(json.dumps(report, indent=2))


def _print_insert(insert: dict[str, dict[str, float]]) -> None:
    print("insert throughput, ArchiveStore.store_many (batches of 50), SQLite:")
    for label, figures in insert.items():
        print(f"  {label:18} {figures['articles_per_s']:8.0f} articles/s  "
              f"{figures['cpu_ms_per_article']:6.2f} CPU ms/article")


def _print_size(size: int, figures: dict[str, Any]) -> None:
    fts, like = figures["fts"], figures.get("like", {})
    print(f"\nload average {' '.join(f'{x:.1f}' for x in figures['load_average'])}")
    print(f"{size:,} articles: built in {figures['build_seconds']:.0f} s (inserts with the "
          f"index), file {figures['file_bytes'] / 2**30:.2f} GiB, index "
          f"{figures['index_bytes'] / 2**30:.2f} GiB")
    print(f"  {'query kind':20} {'FTS p50 ms':>10} {'FTS p95 ms':>10} {'LIKE 10 ms':>10} "
          f"{'LIKE all ms':>11}")
    for kind, values in fts["per_kind"].items():
        scan = f"{like[kind]['newest_ms']:10.0f} {like[kind]['count_ms']:11.0f}" \
            if kind in like else f"{'-':>10} {'-':>11}"
        print(f"  {kind:20} {values['p50_ms']:10.1f} {values['p95_ms']:10.1f} {scan}")
    print(f"  {'all queries':20} {fts['p50_ms']:10.1f} {fts['p95_ms']:10.1f}")
    if "cpu_p50_ms" in fts:
        print(f"  {'(CPU time)':20} {fts['cpu_p50_ms']:10.1f} {fts['cpu_p95_ms']:10.1f}")


if __name__ == "__main__":
    main()
