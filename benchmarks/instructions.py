"""``make bench-instructions``: a worker's cost per page in CPU instructions, which do not
move with the machine's speed (wall-clock and CPU seconds here move by a third between
sessions and a fifth within minutes).

``python -m benchmarks.instructions [--pages N] [--against DIR] [--eval-dir DIR]`` runs the
extraction worker's function over the first N of the throughput bench's unique copies under
``valgrind --tool=callgrind``, once with N pages and once with none (start-up and warm-up
alone), and prints the difference per page. ``--against`` measures another checkout of the
project the same way (``git worktree add /tmp/old REV``), in the same run. Hash
randomisation is off, so a rerun of the same code gives the same count to within a few
hundred thousand instructions a page. Needs valgrind (Debian: ``apt-get install valgrind``);
about a minute and a half per checkout for 40 pages.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .corpus import DEFAULT_EVAL_DIR, ROOT, eval_dir_error, load_pages, unique_copy

_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40, help="bench copies to analyse (40)")
    parser.add_argument("--against", type=Path, action="append", default=[],
                        help="another checkout of the project to measure alike (repeatable)")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR,
                        help="the shared evaluation pages (default: ../shared/eval)")
    parser.add_argument("--child", nargs=2, metavar=("ROOT", "PAGES"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child(root: Path, pages: int, eval_dir: Path) -> None:
    """Under valgrind: warm a worker up as the pool does, then analyse ``pages`` copies."""
    sys.path.insert(0, str(root))  # its newscrawler, not this checkout's
    corpus = load_pages(eval_dir)  # read in both runs: only the pages' analysis differs
    bodies = [unique_copy(corpus, number) for number in range(pages)]
    if (root / "newscrawler" / "worker.py").is_file():
        # Checkouts before 2026-12 (a521b80): the worker's function had a module of its own.
        from newscrawler.worker import process_page, warm_up

        def analyse_page(body: bytes, url: str, headers: dict[str, str]) -> object:
            return process_page((body, url, headers), {})
    else:
        from newscrawler.analysis.page import analyse_page, warm_up
    warm_up()
    for number, body in enumerate(bodies):
        analyse_page(body, f"http://127.0.0.1/copy/{number}.html", {})


def instructions(root: Path, pages: int, eval_dir: Path) -> int:
    """Instructions of one run of ``child(root, pages)`` under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/callgrind.out",
               sys.executable, "-m", "benchmarks.instructions", "--eval-dir", str(eval_dir),
               "--child", str(root), str(pages)]
        # This checkout's benchmarks package runs the child; the child imports root's code.
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run of {root} failed ({done.returncode}):\n"
                           f"{done.stderr[-2000:]}")
    return int(found.group(1))


def per_page(root: Path, pages: int, eval_dir: Path) -> float:
    return (instructions(root, pages, eval_dir) - instructions(root, 0, eval_dir)) / pages


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.child:
        child(Path(args.child[0]), int(args.child[1]), args.eval_dir)
        return 0
    if shutil.which("valgrind") is None:
        print("Error: valgrind is not installed (Debian: apt-get install valgrind)",
              file=sys.stderr)
        return 2
    if error := eval_dir_error(args.eval_dir):
        print(error, file=sys.stderr)
        return 2
    if args.pages < 1:
        print("Error: --pages must be 1 or more", file=sys.stderr)
        return 2
    roots = [ROOT, *(path.resolve() for path in args.against)]
    results = {root: per_page(root, args.pages, args.eval_dir) for root in roots}
    print(f"Instructions per page in an extraction worker ({args.pages} bench copies, "
          "callgrind, start-up subtracted)")
    for root, count in results.items():
        ratio = count / results[ROOT]
        print(f"{str(root):<40} {count / 1e6:8.1f} M  {ratio:5.3f}x this checkout")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
