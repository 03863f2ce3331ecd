"""Part 3, memory: one long crawl of unique copies, RSS of the whole process tree over time.

Progress is the number of pages the bench server has answered, sampled with the RSS, so
"RSS at 10 %" is the first sample taken once a tenth of the pages had been fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .corpus import copy_path, load_pages
from .crawl import crawl_urls
from .procs import Sample
from .serve import base_url, serving
from .throughput import copies_resolver

MILESTONES = (0.1, 0.5, 1.0)
# Flat: the tree grows by less than this fraction of its size between 50 % and 100 %.
FLAT_GROWTH = 0.10
TIMELINE_POINTS = 40


def rss_at(samples: list[Sample], pages: int) -> Sample:
    """The first sample taken once ``pages`` pages had been served (the last one if never)."""
    return next((s for s in samples if s.progress >= pages), samples[-1])


def rate(start: Sample, end: Sample) -> float:
    """Pages/s between two samples: a falling rate means per-page cost grows with the archive."""
    seconds = end.seconds - start.seconds
    return round((end.progress - start.progress) / seconds, 1) if seconds > 0 else 0.0


def timeline(samples: list[Sample]) -> list[dict[str, float]]:
    step = max(1, len(samples) // TIMELINE_POINTS)
    return [{"s": round(s.seconds, 1), "pages": s.progress, "rss_mib": round(s.rss_mib),
             "pss_mib": round(s.pss_mib),
             "main_mib": round(s.main_mib)} for s in samples[::step]]


def run(eval_dir: Path, workdir: Path, count: int) -> dict[str, Any]:
    pages = load_pages(eval_dir)
    with serving(copies_resolver(pages, count)) as server:
        urls = [base_url(server) + copy_path(n) for n in range(count)]
        crawl = crawl_urls(urls, workdir / "memory", timeout=3600,
                           probe=lambda: server.pages_served)
    samples = crawl.measured.samples
    marks = {f"{int(f * 100)}%": rss_at(samples, int(f * count)) for f in MILESTONES}
    half, full = marks["50%"], marks["100%"]
    growth = full.rss_mib - half.rss_mib
    return {
        "pages": count,
        "seconds": round(crawl.measured.seconds, 1),
        "stored": int(crawl.stats.get("newscrawler/stored/new", 0)),
        "peak_rss_mib": round(crawl.measured.peak_mib),
        "peak_pss_mib": round(crawl.measured.peak_pss_mib),
        "pss_mib": {k: round(s.pss_mib) for k, s in marks.items()},
        "peak_by_process_mib": [round(m) for m in crawl.measured.peak_by_process()],
        "peak_main_mib": round(crawl.measured.peak_main_mib),
        "rss_mib": {k: round(s.rss_mib) for k, s in marks.items()},
        "main_mib": {k: round(s.main_mib) for k, s in marks.items()},
        "growth_50_to_100_mib": round(growth),
        "flat": growth <= FLAT_GROWTH * half.rss_mib,
        "pages_per_s": {"10-50%": rate(marks["10%"], half), "50-100%": rate(half, full)},
        "timeline": timeline(samples),
    }
