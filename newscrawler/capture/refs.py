"""Where a capture lies: the value every written WARC record hands back to its caller.

The archive stores a ``CaptureRef``'s location (``warc_file``, ``offset``, ``length``) with
each fetch and article version; the rest (record id, date, target URI, payload digest)
lets a later fetch of the same URL refer to it in a ``revisit`` record without reading the
WARC file again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["CaptureRef", "Location", "parse_warc_date", "warc_date"]

#: ``(warc_file, offset, length)``: enough to copy or read one gzip member.
Location = tuple[str, int, int]


@dataclass(frozen=True)
class CaptureRef:
    """One WARC record on disk.

    ``warc_file`` is relative to the WARC directory; ``offset`` and ``length`` are those of
    the record's gzip member. ``rec_type`` is ``response``, ``revisit``, ``metadata`` (or
    ``request``); ``payload_digest`` is ``sha1:<base32>`` as in the record (for a revisit:
    the digest of the payload it stands for). ``refers_to`` is, for a revisit, the capture
    holding its payload, and for a metadata record the capture it describes. ``truncated`` is the
    record's ``WARC-Truncated`` reason, if any.
    """

    warc_file: str
    offset: int
    length: int
    record_id: str
    date: datetime
    target_uri: str
    payload_digest: str | None
    status: int | None
    rec_type: str
    refers_to: CaptureRef | None = None
    truncated: str | None = None

    @property
    def whole(self) -> bool:
        """A complete 2xx response: what a later fetch of the same payload may refer to."""
        return (self.rec_type == "response" and self.status is not None
                and 200 <= self.status < 300 and not self.truncated)

    @property
    def location(self) -> Location:
        return self.warc_file, self.offset, self.length

    @property
    def warc_date(self) -> str:
        """``WARC-Date`` as written in the record (UTC, microseconds)."""
        return warc_date(self.date)


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date: UTC with microseconds (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_warc_date(value: str) -> datetime:
    """The aware UTC datetime of a ``WARC-Date`` (with or without fractional seconds)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
