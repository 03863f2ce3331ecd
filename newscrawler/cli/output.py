"""Rendering records: JSON lines, CSV and plain-text tables, to stdout or a file."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO


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


def write_jsonl(rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    """One JSON object a line, non-ASCII kept readable; returns the row count."""
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else value


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO, fields: Sequence[str]) -> int:
    """CSV with a header; lists joined with "; "; returns the row count."""
    writer = csv.DictWriter(stream, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: _csv_value(value) for key, value in row.items()})
        count += 1
    return count


def write_table(rows: Sequence[dict[str, Any]], stream: TextIO, columns: Sequence[str],
                max_width: int = 60) -> None:
    """A left-aligned text table; long cells are cut with an ellipsis."""
    def cell(value: Any) -> str:
        text = " ".join(str(_csv_value(value)).split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(r[i]) for r in cells)]) for i, column in enumerate(columns)]
    for line in [list(columns), *cells]:
        stream.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
        stream.write("\n")
