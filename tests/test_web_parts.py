"""The pure parts of ``serve``: the chart's geometry, readable diffs, download names,
query-string round trips and the link filter."""

from __future__ import annotations

import difflib

import pytest

from newscrawler.records import StatsRow
from newscrawler.web import chart
from newscrawler.web.diffview import readable
from newscrawler.web.downloads import filename
from newscrawler.web.params import SearchParams, StatsParams
from newscrawler.web.templates import marked, web_link


def row(period: str, matching: int, total: int, source: str | None = None) -> StatsRow:
    return StatsRow(period=period, source=source, matching=matching, total=total,
                    ratio=round(matching / total, 6) if total else None)


def test_chart_scales_ticks_and_breaks_lines_where_nothing_was_published():
    rows = [row("2024-06-03", 3, 10, "a"), row("2024-06-10", 0, 0, "a"),
            row("2024-06-17", 7, 14, "a"), row("2024-06-03", 1, 1, "b"),
            row("2024-06-10", 2, 4, "b"), row("2024-06-17", 0, 5, "b")]
    counts = chart.build(rows, "matching", "week")
    assert [label for _, label in counts.y_ticks] == ["0", "2", "4", "6", "8"]
    assert counts.y_ticks[0][1] == "0" and counts.y_ticks[0][0] == counts.bottom
    assert [label for _, label in counts.x_ticks] == ["2024-06-03", "2024-06-10", "2024-06-17"]
    assert counts.x_ticks[0][0] == counts.left and counts.x_ticks[-1][0] == counts.right
    assert [(s.name, s.css, len(s.segments)) for s in counts.series] == [
        ("a", "series-0", 1), ("b", "series-1", 1)]
    share = chart.build(rows, "ratio", "week")
    assert [len(s.segments) for s in share.series] == [2, 1]  # a: nothing published on 10th
    assert share.y_ticks[-1][1] == "100"
    assert share.series[0].dots[0].tip == "a, 2024-06-03: 30.00% (3 of 10)"


def test_chart_of_one_period_and_of_months():
    single = chart.build([row("2024-06-01", 0, 0)], "total", "day")
    assert single.series[0].dots[0].x == (single.left + single.right) / 2
    assert [label for _, label in single.y_ticks] == ["0", "1"]
    months = chart.build([row(f"2024-{m:02}-01", m, m) for m in range(1, 13)], "total", "month")
    assert len(months.x_ticks) <= chart.MAX_X_LABELS
    assert months.x_ticks[0][1] == "2024-01"
    many = chart.build([row("2024-06-01", 0, 1_234_567)], "total", "day")
    assert [label for _, label in many.y_ticks][-2:] == ["1,000,000", "1,500,000"]


def test_readable_diff_pairs_changed_lines_word_by_word():
    old = ["# Title", "", "one two three", "kept", "gone"]
    new = ["# Title!", "", "one 2 three", "kept", "added"]
    lines = readable("\n".join(difflib.unified_diff(old, new, "a", "b", lineterm="")))
    shown = [(line.kind, "".join(p.text for p in line.pieces),
              [p.text for p in line.pieces if p.changed]) for line in lines]
    assert shown == [
        ("removed", "# Title", []), ("added", "# Title!", ["!"]), ("same", "", []),
        ("removed", "one two three", ["two"]), ("added", "one 2 three", ["2"]),
        ("same", "kept", []), ("removed", "gone", ["gone"]), ("added", "added", ["added"]),
    ]


def test_readable_diff_shows_a_gap_where_lines_were_skipped():
    old = [f"line {n}" for n in range(20)]
    new = [*old[:15], "changed", *old[16:]]
    lines = readable("\n".join(difflib.unified_diff(old, new, lineterm="")))
    assert lines[0].kind == "gap" and [line.kind for line in lines].count("gap") == 1
    assert readable("") == []


@pytest.mark.parametrize("query, name", [
    ("cessez-le-feu", "newscrawler-search-cessez-le-feu.json"),
    ('"Élections" OR *', "newscrawler-search-elections-or.json"),
    ("東京", "newscrawler-search-query.json"),
    (None, "newscrawler-search-all.json"),
    ('a";\r\nX-Evil: 1', "newscrawler-search-a-x-evil-1.json"),
])
def test_download_names_are_plain_ascii(query, name):
    assert filename("search", query, "json") == name


def test_links_keep_the_search_and_drop_defaults():
    params = SearchParams.read({"q": "a b", "lang": "fr", "collapse": "on", "limit": "20"})
    assert params.link() == "q=a+b&lang=fr&collapse=1"
    assert params.link(offset=40) == "q=a+b&lang=fr&collapse=1&offset=40"
    assert SearchParams.read(dict(p.split("=") for p in params.link().split("&"))).collapse
    assert params.stats_link() == "q=a+b&lang=fr"
    stats = StatsParams.read({"q": "x", "by": "day", "by_source": "1"})
    assert stats.link() == "q=x&by=day&by_source=1" and stats.search_link() == "q=x"


def test_marks_become_html_after_escaping_and_only_web_addresses_are_links():
    assert marked("a <b> \x02x&y\x03 c") == "a &lt;b&gt; <mark>x&amp;y</mark> c"
    assert web_link("https://ex.com/a?b=1") == "https://ex.com/a?b=1"
    for hostile in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x",
                    "//evil.example", "", None, "http://[bad"):
        assert web_link(hostile) is None
