"""Tests of date parsing and choosing: time and offset kept, nothing invented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newscrawler.extraction.dates import choose, parse_datetime, parse_htmldate

PLUS_ONE = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05T14:30:00+01:00", datetime(2024, 3, 5, 14, 30, tzinfo=PLUS_ONE)),
        ("2024-03-05T14:30:00+0100", datetime(2024, 3, 5, 14, 30, tzinfo=PLUS_ONE)),
        ("2024-03-05T13:30:00Z", datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ("2024-03-05T13:30:00.5Z", datetime(2024, 3, 5, 13, 30, 0, 500000, tzinfo=UTC)),
        ("2024-03-05T13:30:00.123456789Z", datetime(2024, 3, 5, 13, 30, 0, 123456, tzinfo=UTC)),
        (
            "2024-03-05 09:30:00 -04:00",
            datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=-4))),
        ),
        ("20240305T133000Z", datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 14:30:00 +0100", datetime(2024, 3, 5, 14, 30, tzinfo=PLUS_ONE)),
    ],
)
def test_parse_keeps_time_and_offset(text: str, expected: datetime) -> None:
    stamp = parse_datetime(text)
    assert stamp is not None and stamp.has_time and stamp.has_zone
    assert stamp.value == expected
    assert stamp.value.utcoffset() == expected.utcoffset()


def test_parse_date_only_and_zoneless() -> None:
    date_only = parse_datetime("2024-03-05")
    assert date_only is not None and not date_only.has_time and not date_only.has_zone
    zoneless = parse_datetime("2024-03-05T14:30")
    assert zoneless is not None and zoneless.has_time and not zoneless.has_zone


@pytest.mark.parametrize("text", ["", None, "yesterday", "2024-13-40", "2024-03-05T25:00:00"])
def test_parse_rejects_garbage(text: str | None) -> None:
    assert parse_datetime(text) is None


def test_htmldate_midnight_without_zone_is_a_date_only_value() -> None:
    stamp = parse_htmldate("2024-03-05T00:00:00")
    assert stamp is not None and not stamp.has_time
    assert parse_htmldate("2024-03-05T14:30:00+0100").has_time  # type: ignore[union-attr]


def _stamps(*texts: str) -> list:
    return [parse_datetime(t) for t in texts]


def test_choose_prefers_the_first_candidate() -> None:
    chosen = choose(_stamps("2024-03-05T14:30:00+01:00", "2024-03-04T10:00:00Z"))
    assert chosen == datetime(2024, 3, 5, 14, 30, tzinfo=PLUS_ONE)


def test_choose_refines_a_date_with_a_time_of_the_same_day_only() -> None:
    refined = choose(_stamps("2024-03-05", "2024-03-05T14:30:00+01:00"))
    assert refined is not None and refined.isoformat() == "2024-03-05T14:30:00+01:00"
    other_day = choose(_stamps("2024-03-05", "2024-03-09T14:30:00+01:00"))
    assert other_day == datetime(2024, 3, 5, tzinfo=UTC)


def test_choose_borrows_an_offset_for_a_zoneless_time() -> None:
    same_field = choose(_stamps("2024-03-05T14:30", "2024-03-05T14:30+01:00"))
    assert same_field is not None and same_field.isoformat() == "2024-03-05T14:30:00+01:00"
    other_field = choose(_stamps("2024-03-05T14:30"), _stamps("2024-04-01T08:00+02:00"))
    assert other_field is not None and other_field.isoformat() == "2024-03-05T14:30:00+02:00"
    alone = choose(_stamps("2024-03-05T14:30"))
    assert alone == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)


def test_choose_nothing() -> None:
    assert choose([]) is None
