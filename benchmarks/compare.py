"""``make bench-compare ARGS="--against DIR"``: this checkout's crawl speed against another
checkout's, in runs alternated within one session.

    python -m benchmarks.compare --against DIR [--rounds 10] [--pages 1000] [--baselines]

This machine's speed moves by up to 3x between sessions and by a fifth within minutes, so
two versions of the crawler are compared only in runs made side by side. Each round runs
every checkout once, in an order that flips from round to round: by default
``scrapy crawl news`` alone over the throughput bench's unique copies (pages/s, the CPU
seconds of the process tree and of the crawl process); with ``--baselines``, the whole
throughput part of ``make bench`` (``python -m benchmarks --only throughput``: the crawl and
both baselines, so each run gives the goal ratios ours/(a) and ours/(b)). Prints every run,
then per checkout the medians and, against this checkout, the ratio of each round's pair.
Results go to ``benchmarks/results/compare.json``.

The other checkout is typically a ``git worktree add /tmp/old REV``. It runs with this
checkout's venv, its own code first on ``PYTHONPATH``; its dependencies must be installed
here (a newer venv holds an older checkout's, as the constraints only grow).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .corpus import DEFAULT_EVAL_DIR, ROOT, copy_path, eval_dir_error, load_pages
from .crawl import checkout_env, crawl_urls
from .serve import base_url, serving
from .throughput import TIMEOUT, copies_resolver

RESULTS = ROOT / "benchmarks" / "results" / "compare.json"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, action="append", required=True,
                        help="another checkout of the project (repeatable)")
    parser.add_argument("--rounds", type=int, default=10, help="runs of each checkout (10)")
    parser.add_argument("--pages", type=int, default=1000, help="unique copies crawled (1000)")
    parser.add_argument("--baselines", action="store_true",
                        help="run the bench's whole throughput part, baselines included")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR,
                        help="the shared evaluation pages (default: ../shared/eval)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    return parser.parse_args(argv)


def crawl_run(root: Path, urls: list[str], served: Any, workdir: Path) -> dict[str, Any]:
    """One ``scrapy crawl news`` of ``urls`` with the checkout at ``root``."""
    before = served()
    crawl = crawl_urls(urls, workdir, timeout=TIMEOUT, root=root)
    cpu_tree, cpu_main = crawl.measured.cpu
    seconds = crawl.measured.seconds
    return {"pages_per_s": round((served() - before) / seconds, 2), "seconds": round(seconds, 2),
            "cpu_s": round(cpu_tree, 1), "main_cpu_s": round(cpu_main, 1),
            "stored": int(crawl.stats.get("newscrawler/stored/new", 0))}


def throughput_run(root: Path, eval_dir: Path, workdir: Path) -> dict[str, Any]:
    """The bench's throughput part as the checkout at ``root`` runs it."""
    workdir.mkdir(parents=True, exist_ok=True)
    output = workdir / "throughput.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "throughput",
                           "--eval-dir", str(eval_dir), "--output", str(output)],
                          cwd=root, env=checkout_env(root, dict(os.environ)),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the throughput bench of {root} failed:\n{done.stderr[-3000:]}")
    part = json.loads(output.read_text("utf-8"))["parts"]["throughput"]
    ours = part["rows"][0]
    return {"pages_per_s": ours["pages_per_s"], "cpu_s": ours["cpu_s"],
            "main_cpu_s": ours["main_cpu_s"], "ratio_ours_to_a": part["ratio_ours_to_a"],
            "ratio_ours_to_b": part["ratio_ours_to_b"]}


def summary(roots: list[Path], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per checkout; per other checkout, this one's figure over its, round by round."""
    by_root = {str(root): [run for run in runs if run["root"] == str(root)] for root in roots}
    figures = [key for key in ("pages_per_s", "ratio_ours_to_a", "ratio_ours_to_b", "cpu_s",
                               "main_cpu_s") if key in runs[0]]
    medians = {root: {key: statistics.median(run[key] for run in mine) for key in figures}
               for root, mine in by_root.items()}
    ours = by_root[str(roots[0])]
    pairs = {}
    for root in roots[1:]:
        ratios = [mine["pages_per_s"] / theirs["pages_per_s"]
                  for mine, theirs in zip(ours, by_root[str(root)], strict=True)]
        pairs[str(root)] = {"pages_per_s_ratios": [round(r, 3) for r in ratios],
                            "mean": round(statistics.mean(ratios), 3),
                            "median": round(statistics.median(ratios), 3)}
    return {"medians": medians, "this_over_other": pairs}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    roots = [ROOT, *(path.resolve() for path in args.against)]
    if len(set(roots)) < len(roots):
        print("Error: give each checkout once, and not this one", file=sys.stderr)
        return 2
    for root in roots[1:]:
        if not (root / "scrapy.cfg").is_file() or not (root / "newscrawler").is_dir():
            print(f"Error: {root} is not a checkout of the project (no scrapy.cfg)",
                  file=sys.stderr)
            return 2
    if error := eval_dir_error(args.eval_dir):
        print(error, file=sys.stderr)
        return 2
    runs: list[dict[str, Any]] = []
    pages = load_pages(args.eval_dir)
    with tempfile.TemporaryDirectory(prefix="newscrawler-compare-") as tmp, \
            serving(copies_resolver(pages, args.pages)) as server:
        urls = [base_url(server) + copy_path(n) for n in range(args.pages)]
        for number in range(args.rounds):
            for turn, root in enumerate(roots if number % 2 == 0 else roots[::-1]):
                workdir = Path(tmp) / f"{number}-{turn}"
                run = (throughput_run(root, args.eval_dir, workdir)
                       if args.baselines else
                       crawl_run(root, urls, lambda: server.pages_served, workdir))
                runs.append({"round": number, "root": str(root), **run})
                print(json.dumps(runs[-1]), flush=True)
    result = {"mode": "throughput part" if args.baselines else "crawl",
              "pages": args.pages, "runs": runs, **summary(roots, runs)}
    for root, medians in result["medians"].items():
        print(f"{root}: medians {medians}")
    for root, pair in result["this_over_other"].items():
        print(f"this checkout over {root}, pages/s round by round: "
              f"{pair['pages_per_s_ratios']} (mean {pair['mean']}, median {pair['median']})")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
