"""Article records written as JSON lines, CSV or Parquet, streamed, to a file or a stream.

Parquet has typed columns: timestamps are ``timestamp[us, tz=UTC]``, ``authors`` a
``list<string>``, ids and offsets integers, so pandas, DuckDB or R read the file with the
right types and no parsing. Records arrive as an iterator and leave in row groups of
``ROW_GROUP`` records: the archive is never held in memory whole.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TextIO

__all__ = ["FORMATS", "ROW_GROUP", "csv_value", "parquet_schema", "write", "write_csv",
           "write_jsonl", "write_parquet"]

FORMATS = ("jsonl", "csv", "parquet")

ROW_GROUP = 2_000
_TIMESTAMPS = ("published_at", "modified_at", "first_seen_at", "last_seen_at")


def parquet_schema() -> Any:
    """The Arrow schema of an article record (fields in the record's order)."""
    import pyarrow as pa

    when = pa.timestamp("us", tz="UTC")
    types = {"id": pa.int64(), "authors": pa.list_(pa.string()), "version": pa.int32(),
             "warc_offset": pa.int64(), **dict.fromkeys(_TIMESTAMPS, when)}
    from newscrawler.archive.query import RECORD_FIELDS

    return pa.schema([(name, types.get(name, pa.string())) for name in RECORD_FIELDS])


def _typed(record: dict[str, Any]) -> dict[str, Any]:
    row = dict(record)
    for name in _TIMESTAMPS:
        if row[name] is not None:
            row[name] = datetime.fromisoformat(row[name])
    return row


def write_parquet(records: Iterable[dict[str, Any]], sink: str | IO[bytes]) -> int:
    """Write ``records`` to ``sink`` (a path or a binary stream); return how many."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    count = 0
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(_typed(record))
            if len(batch) == ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    """One JSON object a line, non-ASCII kept readable; returns the row count."""
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_value(value: Any) -> Any:
    """A CSV cell: lists joined with "; ", None empty."""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else value


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO, fields: Sequence[str]) -> int:
    """CSV with a header; lists joined with "; "; returns the row count."""
    writer = csv.DictWriter(stream, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: csv_value(value) for key, value in row.items()})
        count += 1
    return count


def write(records: Iterable[dict[str, Any]], path: str | Path, fmt: str) -> int:
    """Article records into the file ``path``, which appears complete or not at all."""
    from newscrawler.archive.query import RECORD_FIELDS

    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        if fmt == "parquet":
            count = write_parquet(records, str(partial))
        else:
            with partial.open("w", encoding="utf-8", newline="") as handle:
                count = write_csv(records, handle, RECORD_FIELDS) if fmt == "csv" \
                    else write_jsonl(records, handle)
        os.replace(partial, target)
        return count
    finally:
        partial.unlink(missing_ok=True)
