"""Article records written as Parquet: typed columns, streamed one row group at a time.

Timestamps are ``timestamp[us, tz=UTC]``, ``authors`` a ``list<string>``, ids and offsets
integers, so pandas, DuckDB or R read the file with the right types and no parsing. Records
arrive as an iterator and leave in row groups of ``ROW_GROUP`` records: the archive is never
held in memory whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

__all__ = ["ROW_GROUP", "parquet_schema", "write_parquet"]

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
