"""Rendering records: JSON lines, CSV and plain-text tables, to stdout or a file."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from newscrawler.exports import csv_value, write_csv, write_jsonl

__all__ = ["open_output", "write_csv", "write_jsonl", "write_table"]


@contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """stdout for ``None``/``-``; else a file that appears complete or not at all."""
    if path in (None, "-"):
        yield sys.stdout
        return
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def write_table(rows: Sequence[dict[str, Any]], stream: TextIO, columns: Sequence[str],
                max_width: int = 60) -> None:
    """A left-aligned text table; long cells are cut with an ellipsis."""
    def cell(value: Any) -> str:
        text = " ".join(str(csv_value(value)).split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(r[i]) for r in cells)]) for i, column in enumerate(columns)]
    for line in [list(columns), *cells]:
        stream.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
        stream.write("\n")
