"""Baseline (a): one core, ``trafilatura.extract(body, url=url, with_metadata=True)`` in a loop.

Run as ``python -m benchmarks.plain_loop EVAL_DIR COUNT``: builds the same unique copies the
bench server serves, holds them in memory, times only the loop and prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import trafilatura

from .corpus import copy_path, load_pages, unique_copy


def main(eval_dir: Path, count: int) -> dict[str, float]:
    pages = load_pages(eval_dir)
    bodies = [(f"http://127.0.0.1{copy_path(n)}", unique_copy(pages, n)) for n in range(count)]
    extracted = 0
    started = time.perf_counter()
    for url, body in bodies:
        extracted += trafilatura.extract(body, url=url, with_metadata=True) is not None
    return {"pages": count, "extracted": extracted, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]))))
