"""The revisit schedule: intervals by age since the last change, per-source policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newscrawler.revisit import (
    DEFAULT_POLICY,
    RevisitPolicy,
    format_duration,
    next_check,
    parse_duration,
)
from newscrawler.sources import SourcesError, load_sources

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def test_durations():
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration(" 3h") == timedelta(hours=3)
    assert parse_duration("7d") == timedelta(days=7) == parse_duration("1w")
    for bad in ("", "3", "h", "3x", "0h", "-1h", "1.5h"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert [format_duration(parse_duration(v)) for v in ("90m", "2w", "45s", "36h")] == \
        ["90m", "2w", "45s", "36h"]


@pytest.mark.parametrize(("age", "interval"), [
    (timedelta(0), timedelta(minutes=15)),
    (timedelta(hours=2, minutes=59), timedelta(minutes=15)),
    (timedelta(hours=3), timedelta(hours=1)),
    (timedelta(hours=30), timedelta(hours=4)),
    (timedelta(days=5), timedelta(days=1)),
    (timedelta(days=20), timedelta(days=7)),
    (timedelta(days=400), timedelta(days=30)),
])
def test_default_policy_by_age(age, interval):
    now = T0 + age
    assert next_check(T0, None, now) == now + interval


def test_age_counts_from_the_last_change():
    now = T0 + timedelta(days=10)
    edited = now - timedelta(hours=5)
    assert next_check(T0, edited, now) == now + timedelta(hours=1)
    assert next_check(T0, T0, now) == now + timedelta(days=7)
    # A clock skewed so the change looks in the future still gets the shortest interval.
    assert next_check(T0, now + timedelta(hours=1), now) == now + timedelta(minutes=15)


def test_policy_from_config():
    policy = RevisitPolicy.from_config({"steps": [["6h", "30m"], ["2d", "6h"]], "after": "14d"})
    assert policy.interval(timedelta(hours=1)) == timedelta(minutes=30)
    assert policy.interval(timedelta(days=1)) == timedelta(hours=6)
    assert policy.interval(timedelta(days=3)) == timedelta(days=14)
    assert RevisitPolicy.from_config({}) == DEFAULT_POLICY
    assert RevisitPolicy.from_config(DEFAULT_POLICY.to_config()) == DEFAULT_POLICY
    assert RevisitPolicy.from_config({"after": "60d"}).steps == DEFAULT_POLICY.steps


@pytest.mark.parametrize(("config", "message"), [
    ({"steps": [["1d", "1h"], ["3h", "15m"]]}, "must increase"),
    ({"steps": []}, "empty"),
    ({"steps": "3h"}, "list of"),
    ({"steps": [["3h"]]}, "[max_age, interval]"),
    ({"steps": [["3h", "soon"]]}, "not a duration"),
    ({"every": "1h"}, "unknown recheck key"),
])
def test_bad_policies(config, message):
    with pytest.raises(ValueError) as caught:
        RevisitPolicy.from_config(config)
    assert message in str(caught.value)


def test_sources_file_recheck(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("""
[sources.ok]
start_urls = ["https://ok.example/"]
[sources.ok.recheck]
steps = [["6h", "15m"], ["3d", "6h"]]
after = "60d"

[sources.plain]
start_urls = ["https://plain.example/"]
""", encoding="utf-8")
    sources = load_sources(path)
    assert sources["ok"].revisit_policy().interval(timedelta(days=1)) == timedelta(hours=6)
    assert sources["plain"].revisit_policy() == DEFAULT_POLICY

    path.write_text("""
[sources.bad]
start_urls = ["https://bad.example/"]
recheck = { steps = [["1d", "1h"], ["3h", "15m"]] }
""", encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    assert caught.value.problems == [
        f"{path}: [sources.bad] recheck: recheck steps: max_age must increase from one step "
        "to the next"
    ]
