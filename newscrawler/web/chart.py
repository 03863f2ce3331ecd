"""Counts over time drawn as a line chart: the geometry an inline SVG template draws.

The chart is computed here and rendered by ``templates/_chart.html`` on the server, so the
page needs no JavaScript and works offline. Periods are evenly spaced (``Archive.stats``
lists every period, zeros included); a period without any article (no ratio) breaks its
line. Each point carries a tooltip (an SVG ``<title>``) while there are few enough of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from newscrawler.records import StatsRow

__all__ = ["METRICS", "Chart", "build"]

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 40
MAX_X_LABELS = 8
MAX_DOTS = 120  # points drawn (with tooltips) per series; beyond, only the line
COLOURS = 10  # series-0 .. series-9 in style.css
METRICS = {
    "total": "articles published",
    "matching": "matching articles",
    "ratio": "share of all articles (%)",
}


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    tip: str


@dataclass
class Series:
    name: str
    css: str
    segments: list[str] = field(default_factory=list)  # SVG polyline points
    dots: list[Dot] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    """What ``_chart.html`` draws: the plot box, the ticks, one polyline set per series."""

    title: str
    y_label: str
    x_label: str
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def _step(top: float, whole: bool) -> float:
    """A 1, 2 or 5 times a power of ten giving about five ticks up to ``top``."""
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return max(step, 1) if whole else step


def _tick(value: float) -> str:
    """``12,000`` for a count, ``0.5`` for a share."""
    return f"{round(value):,}" if value == round(value) else f"{value:g}"


def _value(row: StatsRow, metric: str) -> float | None:
    if metric == "ratio":
        return None if row["ratio"] is None else 100 * row["ratio"]
    return float(row["matching"] if metric == "matching" else row["total"])


def _tip(row: StatsRow, name: str, metric: str) -> str:
    if metric == "ratio":
        share = f"{100 * row['ratio']:.2f}%" if row["ratio"] is not None else "-"
        counts = f"{share} ({row['matching']} of {row['total']})"
    else:
        counts = str(row["matching"] if metric == "matching" else row["total"])
    return f"{name}, {row['period']}: {counts}"


class _Scale:
    """Where a period (x) and a value (y) go in the plot box."""

    def __init__(self, periods: list[str], ceiling: float) -> None:
        self.index = {period: i for i, period in enumerate(periods)}
        self.span = max(1, len(periods) - 1)
        self.ceiling = ceiling

    def x(self, period: str) -> float:
        if len(self.index) == 1:
            return (LEFT + WIDTH - RIGHT) / 2
        return round(LEFT + (WIDTH - RIGHT - LEFT) * self.index[period] / self.span, 1)

    def y(self, value: float) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * value / self.ceiling, 1)


def _line(name: str, number: int, rows: list[StatsRow], metric: str, scale: _Scale) -> Series:
    """One source's polylines (broken where a period has no value) and tooltip dots."""
    line = Series(name, f"series-{number % COLOURS}")
    points: list[str] = []
    for row in rows:
        value = _value(row, metric)
        if value is None:
            line.segments += [" ".join(points)] if points else []
            points = []
            continue
        x, y = scale.x(row["period"]), scale.y(value)
        points.append(f"{x},{y}")
        if len(rows) <= MAX_DOTS:
            line.dots.append(Dot(x, y, _tip(row, name, metric)))
    line.segments += [" ".join(points)] if points else []
    return line


def build(rows: list[StatsRow], metric: str, by: str) -> Chart:
    """The chart of ``metric`` (``total``, ``matching`` or ``ratio``) per period, one line
    per source (or one for all sources)."""
    periods = sorted({row["period"] for row in rows})
    values = [v for row in rows if (v := _value(row, metric)) is not None]
    step = _step(max([*values, 1.0 if metric != "ratio" else 0.1]), whole=metric != "ratio")
    count = math.ceil(max([*values, step]) / step)
    scale = _Scale(periods, step * count)
    by_name: dict[str, list[StatsRow]] = {}
    for row in rows:
        by_name.setdefault(row["source"] or "all sources", []).append(row)
    stride = max(1, math.ceil(len(periods) / MAX_X_LABELS))
    width = 7 if by == "month" else 10  # YYYY-MM or YYYY-MM-DD
    return Chart(
        title=f"{METRICS[metric].capitalize()} per {by}",
        y_label=METRICS[metric], x_label=f"{by} (first day of each period, UTC)",
        x_ticks=[(scale.x(p), p[:width]) for p in periods[::stride]],
        y_ticks=[(scale.y(step * i), _tick(step * i)) for i in range(count + 1)],
        series=[_line(name, number, own, metric, scale)
                for number, (name, own) in enumerate(sorted(by_name.items()))],
    )
