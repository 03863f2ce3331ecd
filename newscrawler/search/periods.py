"""Counts per period made into a regular time series: every period from the first to the
last one with articles, for every source, zero-filled, with the ratio matching / total."""

from __future__ import annotations

from datetime import date, timedelta

from newscrawler.records import StatsRow

__all__ = ["fill", "following"]


def following(day: date, by: str) -> date:
    """The first day of the period after the one starting on ``day``."""
    if by == "day":
        return day + timedelta(days=1)
    if by == "week":
        return day + timedelta(days=7)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def fill(counts: dict[tuple[str, str | None], list[int]], by: str) -> list[StatsRow]:
    """Rows for every (period, source) between the first and last period counted."""
    if not counts:
        return []
    periods = sorted({date.fromisoformat(period) for period, _ in counts})
    sources = sorted({source for _, source in counts}, key=lambda name: name or "")
    rows: list[StatsRow] = []
    day = periods[0]
    while day <= periods[-1]:
        label = day.isoformat()
        for source in sources:
            matching, total = counts.get((label, source), (0, 0))
            rows.append(StatsRow(period=label, source=source, matching=matching, total=total,
                                 ratio=round(matching / total, 6) if total else None))
        day = following(day, by)
    return rows
