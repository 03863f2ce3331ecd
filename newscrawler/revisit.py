"""When to fetch an archived article again: the NewsDiffs-style revisit schedule.

Young or recently edited articles change often (corrections, updates, new headlines), old
and stable ones rarely do. An article's "age" counts from its last change, so an edit makes
it young again. Pure: no I/O, no clock; the caller passes ``now``.

Example::

    policy = RevisitPolicy.from_config({"steps": [["6h", "30m"], ["2d", "6h"]], "after": "14d"})
    next_check(first_seen_at, last_changed_at, now, policy)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["DEFAULT_POLICY", "RevisitPolicy", "format_duration", "next_check", "parse_duration"]

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION_HELP = "a duration such as 15m, 3h, 7d or 2w (s, m, h, d, w)"


def parse_duration(value: str) -> timedelta:
    """``"15m"`` -> 15 minutes; ``ValueError`` naming the expected form otherwise."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not {DURATION_HELP}: {value!r}")
    amount = int(match.group(1))
    if amount == 0:
        raise ValueError(f"duration must be positive: {value!r}")
    return timedelta(**{_UNITS[match.group(2)]: amount})


def format_duration(value: timedelta) -> str:
    """The shortest exact ``parse_duration`` spelling: ``timedelta(hours=3)`` -> ``3h``."""
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class RevisitPolicy:
    """Steps of (max_age, interval), max_age increasing; ``after`` once older than the last."""

    steps: tuple[tuple[timedelta, timedelta], ...]
    after: timedelta

    def __post_init__(self) -> None:
        ages = [age for age, _ in self.steps]
        if any(b <= a for a, b in zip(ages, ages[1:], strict=False)):
            raise ValueError("recheck steps: max_age must increase from one step to the next")
        intervals = [interval for _, interval in self.steps] + [self.after]
        if any(interval <= timedelta(0) for interval in intervals):
            raise ValueError("recheck intervals must be positive")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RevisitPolicy:
        """From a ``[sources.X.recheck]`` table: ``steps = [[max_age, interval], ...]``, ``after``.

        Missing keys keep the default policy's value.
        """
        unknown = set(config) - {"steps", "after"}
        if unknown:
            raise ValueError(f"unknown recheck key(s) {sorted(unknown)} (known: steps, after)")
        steps = DEFAULT_POLICY.steps
        if "steps" in config:
            steps = tuple(_step(step) for step in _sequence(config["steps"]))
            if not steps:
                raise ValueError("recheck steps is empty: give at least one [max_age, interval]")
        after = parse_duration(config["after"]) if "after" in config else DEFAULT_POLICY.after
        return cls(steps, after)

    def interval(self, age: timedelta) -> timedelta:
        """How long to wait before the next check of an article unchanged for ``age``."""
        for max_age, interval in self.steps:
            if age < max_age:
                return interval
        return self.after

    def to_config(self) -> dict[str, Any]:
        """The ``[sources.X.recheck]`` table that gives this policy."""
        steps = [[format_duration(a), format_duration(i)] for a, i in self.steps]
        return {"steps": steps, "after": format_duration(self.after)}


def _sequence(value: Any) -> Sequence[Any]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(
            'recheck steps must be a list of [max_age, interval], e.g. [["3h", "15m"]]')
    return value


def _step(step: Any) -> tuple[timedelta, timedelta]:
    if isinstance(step, str) or not isinstance(step, Sequence) or len(step) != 2:
        raise ValueError(f'recheck step must be [max_age, interval] like ["3h", "15m"]: {step!r}')
    return parse_duration(step[0]), parse_duration(step[1])


def _hours(n: int) -> timedelta:
    return timedelta(hours=n)


DEFAULT_POLICY = RevisitPolicy(
    steps=(
        (_hours(3), timedelta(minutes=15)),
        (_hours(24), _hours(1)),
        (_hours(72), _hours(4)),
        (timedelta(days=7), timedelta(days=1)),
        (timedelta(days=30), timedelta(days=7)),
    ),
    after=timedelta(days=30),
)


def next_check(
    first_seen_at: datetime, last_changed_at: datetime | None, now: datetime,
    policy: RevisitPolicy = DEFAULT_POLICY,
) -> datetime:
    """When to fetch again: ``now`` plus the interval for the time since the last change."""
    changed = max(first_seen_at, last_changed_at or first_seen_at)
    age = max(now - changed, timedelta(0))
    return now + policy.interval(age)
