"""``make bench``: ``python -m benchmarks [--quick] [--only PART] [--eval-dir DIR]``.

Prints one table per part and writes every figure to benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import memory, quality, report, throughput
from .corpus import DEFAULT_EVAL_DIR, ROOT, eval_dir_error

PARTS = ("quality", "throughput", "memory")
SIZES = {"quick": {"throughput": 300, "memory": 1500},
         "full": {"throughput": 1000, "memory": 10000}}
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__,
        epilog="Example: python -m benchmarks --quick --only throughput")
    parser.add_argument("--quick", action="store_true",
                        help="small run: 300 pages for throughput, 1,500 for memory")
    parser.add_argument("--only", choices=PARTS, help="run one part only")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR,
                        help="the shared evaluation pages (default: ../shared/eval)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    return parser.parse_args(argv)


def run_part(name: str, eval_dir: Path, workdir: Path, sizes: dict[str, int]) -> dict[str, Any]:
    if name == "quality":
        return quality.run(eval_dir, workdir)
    if name == "throughput":
        return throughput.run(eval_dir, workdir / "throughput", sizes["throughput"])
    return memory.run(eval_dir, workdir, sizes["memory"])


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if error := eval_dir_error(args.eval_dir):
        print(error, file=sys.stderr)
        return 2
    mode = "quick" if args.quick else "full"
    results: dict[str, Any] = {
        "mode": mode, "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "loadavg_before": os.getloadavg()},
        "parts": {}}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-") as tmp:
        for name in [args.only] if args.only else PARTS:
            print(f"[bench] {name} ({mode}) ...", file=sys.stderr, flush=True)
            results["parts"][name] = run_part(name, args.eval_dir, Path(tmp), SIZES[mode])
    results["seconds"] = round(time.monotonic() - started, 1)
    # Other work on the machine skews the figures: the load average says how much there was.
    results["machine"]["loadavg_after"] = os.getloadavg()
    results["goals"] = report.goals(results)
    report.write_json(results, args.output)
    print(report.render(results))
    print(f"\n{mode} run, {results['seconds']} s; JSON: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
