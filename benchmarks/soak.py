"""``make soak``: a long local crawl with hostile pages mixed in; exact archive, flat memory.

``python -m benchmarks.soak [--pages N] [--workdir DIR]`` (``SOAK_PAGES`` sets the default
size, 10,000). The soak site (``benchmarks.soak_site``) serves N URLs on 127.0.0.1, about
1 % of them hostile. ``scrapy crawl news -a url=...`` runs against it as cron would, tuned
for speed on one local host (``SETTINGS``; robots.txt still obeyed), while the RSS of the
crawl process and of its extraction workers is sampled every second.

It fails (exit 1, one line per broken expectation) unless: the crawl exits 0; the archive
holds exactly the expected article URLs, each once and in one version; every hostile page
was asked for and robots.txt was obeyed; the crawl process grew by less than
``FLAT_GROWTH_MIB`` between 25 % and 100 % of the pages served; the tree stayed under
``PEAK_RSS_MIB``. ``tests/test_soak.py`` runs the same code at 500 pages.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import ROOT
from .crawl import BIN, parse_stats
from .procs import Sample, run_measured
from .soak_site import ARTICLE_KINDS, KINDS, SoakServer, SoakSite

DEFAULT_PAGES = 10_000
SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "64",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "64", "DOWNLOAD_DELAY": "0",
            "DOWNLOAD_TIMEOUT": "5", "ROBOTSTXT_OBEY": "True", "LOG_LEVEL": "INFO"}
# The crawl process (workers apart) may grow by this much between 25 % and 100 % of the run.
FLAT_GROWTH_MIB = 64.0
# The whole tree (crawl process and extraction workers, RSS summed) stays under this.
PEAK_RSS_MIB = 2048.0
MILESTONES = (0.25, 0.5, 1.0)


@dataclass
class SoakResult:
    pages: int
    hostile: Counter[str]
    expected: set[str]
    stored: list[str]
    versions: int
    returncode: int
    seconds: float
    samples: list[Sample]
    unanswered_hostile: list[str] = field(default_factory=list)
    robots_violations: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)
    served: int = 0

    def at(self, fraction: float) -> Sample:
        """The first sample taken once ``fraction`` of the requests had been answered."""
        wanted = fraction * self.served
        return next((s for s in self.samples if s.progress >= wanted), self.samples[-1])

    @property
    def growth_mib(self) -> float:
        """Growth of the crawl process alone between 25 % and 100 % of the run."""
        return self.at(1.0).main_mib - self.at(0.25).main_mib

    @property
    def peak_mib(self) -> float:
        return max((s.rss_mib for s in self.samples), default=0.0)

    @property
    def pages_per_s(self) -> float:
        return self.served / self.seconds if self.seconds else 0.0

    def slope_mib_per_1000(self) -> float:
        """Least-squares slope of the crawl process's RSS over the second half, per 1,000
        requests answered."""
        half = [s for s in self.samples if self.at(0.5).seconds <= s.seconds <= self.at(1).seconds]
        if len(half) < 2:
            return 0.0
        xs, ys = [s.progress for s in half], [s.main_mib for s in half]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        spread = sum((x - mx) ** 2 for x in xs)
        return 1000 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread \
            if spread else 0.0

    def failures(self) -> list[str]:
        """One line per expectation the run broke; empty when the soak passed."""
        problems = []
        if self.returncode != 0:
            problems.append(f"scrapy crawl news exited {self.returncode}")
        stored = set(self.stored)
        if missing := sorted(self.expected - stored):
            problems.append(f"{len(missing)} expected articles not archived, e.g. {missing[0]}")
        if extra := sorted(stored - self.expected):
            problems.append(f"{len(extra)} unexpected articles archived, e.g. {extra[0]}")
        if twice := [url for url, n in Counter(self.stored).items() if n > 1]:
            problems.append(f"{len(twice)} articles archived twice, e.g. {twice[0]}")
        if self.versions != len(self.stored):
            problems.append(f"{self.versions} versions for {len(self.stored)} articles")
        if self.unanswered_hostile:
            problems.append(f"hostile pages never requested: {self.unanswered_hostile[:3]}")
        if self.robots_violations:
            problems.append(f"robots.txt not obeyed: fetched {self.robots_violations[:3]}")
        if self.growth_mib >= FLAT_GROWTH_MIB:
            problems.append(f"crawl process grew {self.growth_mib:.0f} MiB between 25 % and "
                            f"100 % of the run (limit {FLAT_GROWTH_MIB:.0f})")
        if self.peak_mib >= PEAK_RSS_MIB:
            problems.append(f"peak RSS {self.peak_mib:.0f} MiB (limit {PEAK_RSS_MIB:.0f})")
        return problems


def run(pages: int, workdir: Path, *, timeout: float = 3600) -> SoakResult:
    """Serve the soak site, crawl it into a fresh archive under ``workdir``, measure it."""
    workdir.mkdir(parents=True, exist_ok=True)
    site = SoakSite(pages)
    db = workdir / "archive.sqlite3"
    with SoakServer(site) as server:
        env = {**os.environ, "NEWSCRAWLER_DB": f"sqlite:///{db}",
               "NEWSCRAWLER_WARC_DIR": str(workdir / "warc"),
               "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
        cmd = [str(BIN / "scrapy"), "crawl", "news", "-a", f"url={server.base_url}/"]
        for name, value in SETTINGS.items():
            cmd += ["-s", f"{name}={value}"]
        measured = run_measured(cmd, cwd=ROOT, env=env, timeout=timeout, logdir=workdir,
                                probe=lambda: server.served, interval=1.0)
        asked = {path.split("?", 1)[0] for path in server.paths}
        served = server.served
    stored, versions = _archived(db)
    return SoakResult(
        pages=pages, hostile=Counter(h.kind for h in site.hostile),
        expected=site.expected_articles(server.base_url), stored=stored, versions=versions,
        returncode=measured.returncode, seconds=measured.seconds, samples=measured.samples,
        unanswered_hostile=sorted(p for p in site.hostile_paths() if p not in asked),
        robots_violations=sorted(p for p in asked if p.startswith(site.forbidden_paths)),
        stats=parse_stats(measured.stderr), served=served)


def _archived(db: Path) -> tuple[list[str], int]:
    """Canonical URLs of the archived articles (repeats kept) and the number of versions."""
    if not db.exists():
        return [], 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        urls = [row[0] for row in conn.execute("SELECT canonical_url FROM articles")]
        versions = conn.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0]
    return urls, int(versions)


def report(result: SoakResult) -> str:
    hostile = sum(result.hostile.values())
    kept = sum(n for kind, n in result.hostile.items() if kind in ARTICLE_KINDS)
    dropped = {k.removeprefix("newscrawler/"): int(v) for k, v in result.stats.items()
               if k.startswith(("newscrawler/dropped/", "newscrawler/errors/"))}
    marks = {f: result.at(f) for f in MILESTONES}
    lines = [
        f"pages               {result.pages} ({hostile} hostile: "
        f"{len(result.hostile)} kinds x {min(result.hostile.values())}+; {kept} of them "
        f"articles to keep)",
        f"requests answered   {result.served}",
        f"articles            expected {len(result.expected)}, stored {len(result.stored)}, "
        f"versions {result.versions}",
        f"exit status         {result.returncode}",
        f"duration            {result.seconds:.0f} s, {result.pages_per_s:.1f} requests/s",
        f"peak RSS            {result.peak_mib:.0f} MiB (crawl process and workers)",
        "crawl process RSS   " + ", ".join(f"{int(f * 100)} %: {s.main_mib:.0f} MiB"
                                           for f, s in marks.items()),
        "tree RSS            " + ", ".join(f"{int(f * 100)} %: {s.rss_mib:.0f} MiB"
                                           for f, s in marks.items()),
        f"growth 25-100 %     {result.growth_mib:+.0f} MiB (crawl process; slope over the "
        f"second half {result.slope_mib_per_1000():+.1f} MiB per 1,000 requests)",
        f"dropped and errors  {dropped}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int,
                        default=int(os.environ.get("SOAK_PAGES", DEFAULT_PAGES)))
    parser.add_argument("--workdir", type=Path, help="keep the archive and log here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        workdir = args.workdir or Path(tmp)
        print(f"soak: {args.pages} pages, hostile kinds: {', '.join(KINDS)}", flush=True)
        result = run(args.pages, workdir)
        print(report(result))
        problems = result.failures()
        for problem in problems:
            print(f"FAILED: {problem}")
        if problems and result.returncode != 0:
            print(f"crawl log: {workdir / 'stderr.txt'} (kept with --workdir)")
    print("soak: " + ("failed" if problems else "passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
