"""What ``Archive.search`` and ``Archive.stats`` return: typed rows, and lists of them that
become pandas data frames with the right column types.

A ``SearchHit`` is a frozen record with the article record's fields (INTERFACE.md, in that
order) plus ``score``, ``snippet`` and ``copies``; it is also a read-only mapping, so
``hit.title`` and ``hit["title"]`` both work and ``dict(hit)`` is the JSON-ready record.
pandas is optional: ``to_pandas`` says how to install it when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypedDict

from newscrawler.archive.query import RECORD_FIELDS

if TYPE_CHECKING:
    import pandas

__all__ = ["HIT_FIELDS", "STATS_FIELDS", "SearchHit", "SearchResults", "StatsRow", "StatsRows",
           "records_frame"]

HIT_FIELDS = (*RECORD_FIELDS, "score", "snippet", "copies")
STATS_FIELDS = ("period", "source", "matching", "total", "ratio")
TIMESTAMPS = ("published_at", "modified_at", "first_seen_at", "last_seen_at")
INTEGERS = {"id": "Int64", "version": "Int64", "warc_offset": "Int64", "copies": "Int64",
            "matching": "int64", "total": "int64"}


@dataclass(frozen=True)
class SearchHit(Mapping[str, Any]):
    """One search result: the article's record, its score, a marked snippet, its copies.

    ``score``: higher is better (bm25 on SQLite, ts_rank_cd on PostgreSQL: compare scores
    within one result list only). ``snippet``: a passage with matches between
    ``snippets.MARK_START`` and ``snippets.MARK_END`` (see ``newscrawler.search.snippets
    .render``). ``copies``: with ``collapse=True``, how many matching articles share this
    one's near-duplicate cluster (itself included); otherwise None.
    """

    id: int
    url: str
    canonical_url: str
    source: str | None
    sitename: str | None
    title: str
    authors: list[str]
    published_at: str | None
    modified_at: str | None
    language: str | None
    description: str | None
    text: str
    content_hash: str
    version: int
    first_seen_at: str
    last_seen_at: str
    cluster_id: str | None
    warc_file: str | None
    warc_offset: int | None
    extractor: str | None
    score: float
    snippet: str
    copies: int | None = None

    def __getitem__(self, key: str) -> Any:
        if key not in HIT_FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(HIT_FIELDS)

    def __len__(self) -> int:
        return len(HIT_FIELDS)


assert tuple(field.name for field in fields(SearchHit)) == HIT_FIELDS


class StatsRow(TypedDict):
    """Counts of one period (and source): ``ratio`` is matching / total, None when total is 0.

    ``period`` is the first day of the day, week (Monday) or month, ``YYYY-MM-DD`` in UTC;
    ``source`` is None when the row counts every selected source together.
    """

    period: str
    source: str | None
    matching: int
    total: int
    ratio: float | None


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "to_pandas() needs pandas, which is not installed: "
            ".venv/bin/pip install pandas") from None
    return pandas


def records_frame(rows: list[Mapping[str, Any]], columns: tuple[str, ...]) -> pandas.DataFrame:
    """A data frame of article records: UTC timestamps, nullable integers, text as str."""
    pd = _pandas()
    frame = pd.DataFrame([dict(row) for row in rows], columns=list(columns))
    for name in TIMESTAMPS:
        if name in frame:
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    for name, dtype in INTEGERS.items():
        if name in frame:
            frame[name] = frame[name].astype(dtype)
    if "score" in frame:
        frame["score"] = frame["score"].astype("float64")
    return frame


class SearchResults(list[SearchHit]):
    """The hits of one search, best first."""

    def to_pandas(self) -> pandas.DataFrame:
        """One row per hit, columns ``HIT_FIELDS``."""
        return records_frame(list(self), HIT_FIELDS)


class StatsRows(list[StatsRow]):
    """Counts over time, oldest period first (then by source)."""

    def to_pandas(self) -> pandas.DataFrame:
        """Columns ``STATS_FIELDS``; ``period`` as a date (datetime64), ``ratio`` a float."""
        pd = _pandas()
        frame = pd.DataFrame(list(self), columns=list(STATS_FIELDS))
        frame["period"] = pd.to_datetime(frame["period"], format="%Y-%m-%d")
        for name, dtype in INTEGERS.items():
            if name in frame:
                frame[name] = frame[name].astype(dtype)
        frame["ratio"] = frame["ratio"].astype("float64")
        return frame
