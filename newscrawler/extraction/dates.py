"""Parse publication dates robustly and choose among candidates without inventing precision.

Candidates come in priority order (JSON-LD, meta tags, ``<time>``, htmldate, hints).
Rules, so a stored datetime never claims more than the page said:

* the first candidate wins, except that a date-only value gives way to a later candidate
  carrying a time on the same calendar day;
* a date-only value that nothing better refines becomes 00:00 UTC;
* a time without a zone borrows the offset of another zoned candidate of the page (the
  same field first), else is assumed to be UTC; a wall-clock time that falls in a daylight
  saving gap is kept as written, as no named zone is ever applied;
* a value in seconds or milliseconds since the epoch (9-10 or 12-13 digits) is UTC;
* a value more than a day in the future, or before 1990 (the web's news is younger; CMS
  defaults such as 1970-01-01 are not), is not believed: ``plausible`` drops it, and the
  caller says so (``doubt``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_EPOCH = re.compile(r"^\s*(\d{9,10}|\d{12,13})(?:\.\d+)?\s*$")
# Dates outside these bounds are not believed (see the module docstring).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)  # clocks and zones wrong by a few hours are common

_ISO = re.compile(
    r"""^\s*(?P<y>\d{4})-?(?P<mo>\d{2})-?(?P<d>\d{2})
    (?:[T\s]+(?P<h>\d{1,2}):?(?P<mi>\d{2})(?::?(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?
    \s*(?P<z>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Stamp:
    """A parsed date value and how precise the source was."""

    value: datetime
    has_time: bool
    has_zone: bool


def parse_datetime(text: str | None) -> Stamp | None:
    """Parse ISO 8601 variants (``Z``, ``+01:00``, ``+0100``, fractions, date only) or RFC 2822."""
    if not text:
        return None
    epoch = _EPOCH.match(text)
    if epoch:
        return _from_epoch(int(epoch.group(1)))
    match = _ISO.match(text)
    if match:
        return _from_iso_match(match)
    try:
        value = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return Stamp(value, has_time=True, has_zone=value.tzinfo is not None)


def _from_iso_match(match: re.Match[str]) -> Stamp | None:
    part = match.groupdict()
    try:
        value = datetime(
            int(part["y"]),
            int(part["mo"]),
            int(part["d"]),
            int(part["h"] or 0),
            int(part["mi"] or 0),
            int(part["s"] or 0),
            int((part["f"] or "0")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    zone = _zone(part["z"])
    if zone is not None:
        value = value.replace(tzinfo=zone)
    return Stamp(value, has_time=part["h"] is not None, has_zone=zone is not None)


def _from_epoch(number: int) -> Stamp | None:
    """Seconds (9-10 digits: 1973-2286) or milliseconds (12-13 digits) since 1970, in UTC."""
    seconds = number / 1000 if number >= 10**11 else number
    try:
        value = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return Stamp(value, has_time=True, has_zone=True)


def doubt(stamp: Stamp, now: datetime | None = None) -> str | None:
    """Why ``stamp`` is not believed (``future``, ``before_1990``), or None if it is.

    A value without a zone is compared as if it were UTC: a day's tolerance covers any zone.
    """
    value = stamp.value if stamp.has_zone else stamp.value.replace(tzinfo=UTC)
    if value > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        return "future"
    if value < EARLIEST:
        return "before_1990"
    return None


def plausible(stamps: Sequence[Stamp], now: datetime | None = None
              ) -> tuple[list[Stamp], set[str]]:
    """(the stamps that are believed, in order; why the others were not)."""
    kept: list[Stamp] = []
    doubts: set[str] = set()
    for stamp in stamps:
        reason = doubt(stamp, now)
        if reason:
            doubts.add(reason)
        else:
            kept.append(stamp)
    return kept, doubts


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    if minutes >= 24 * 60:
        return None
    return timezone((-1 if text[0] == "-" else 1) * timedelta(minutes=minutes))


def parse_htmldate(text: str | None) -> Stamp | None:
    """Parse htmldate output: its zone-less midnight means it only found a date."""
    stamp = parse_datetime(text)
    if stamp and not stamp.has_zone and stamp.value.time() == datetime.min.time():
        return Stamp(stamp.value, has_time=False, has_zone=False)
    return stamp


def choose(candidates: Sequence[Stamp], others: Sequence[Stamp] = ()) -> datetime | None:
    """Pick the best aware datetime from ``candidates`` (priority order); see module doc.

    ``others`` are the page's other date values (e.g. the modified date when choosing the
    published one), consulted only to borrow a UTC offset.
    """
    if not candidates:
        return None
    best = candidates[0]
    if not best.has_time:
        refined = [c for c in candidates if c.has_time and c.value.date() == best.value.date()]
        best = refined[0] if refined else best
    if best.has_zone:
        return best.value
    if not best.has_time:
        return best.value.replace(tzinfo=UTC)
    zoned = [c for c in [*candidates, *others] if c.has_zone and c.has_time]
    return best.value.replace(tzinfo=zoned[0].value.tzinfo if zoned else UTC)
