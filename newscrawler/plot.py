"""Counts over time drawn as a PNG: one line per source, dates readable, axes labelled.

matplotlib runs with its Agg backend (no display needed) and is imported only here, when a
plot is asked for.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newscrawler.records import StatsRow

__all__ = ["plot_stats"]


def plot_stats(rows: list[StatsRow], path: str | Path, query: str | None, by: str) -> None:
    """Draw the ratio (with a query) or the total (without) per period, a line per source."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    lines: dict[str, tuple[list[date], list[float]]] = {}
    for row in rows:
        value = row["ratio"] if query is not None else row["total"]
        if value is None:
            continue
        days, values = lines.setdefault(row["source"] or "all sources", ([], []))
        days.append(date.fromisoformat(row["period"]))
        values.append(100 * value if query is not None else value)
    figure, axes = plt.subplots(figsize=(10, 5.5), dpi=100, layout="constrained")
    try:
        for name, (days, values) in sorted(lines.items()):
            axes.plot(days, values, marker="o" if len(days) < 40 else None, markersize=3,
                      linewidth=1.6, label=name)
        locator = mdates.AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes.set_xlabel(f"{by} (first day of each period, UTC)")
        if query is not None:
            axes.set_ylabel("% of the articles published")
            axes.set_title(f"Articles matching \u201c{query}\u201d per {by}, "
                           "share of everything published")
        else:
            axes.set_ylabel("articles published")
            axes.set_title(f"Articles published per {by}")
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
        if lines:
            axes.legend(title="source", loc="best", fontsize="small")
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
