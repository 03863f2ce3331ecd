"""Reading captures back: one record by its location, or every response of a set of files.

A ``Capture`` is what ``newscrawler show URL --raw`` prints and ``reextract`` extracts
from: the record's URL, date and HTTP headers, the payload as stored and the body decoded.
A revisit is resolved to the record holding its payload, found by record id through a
``locate`` function (the archive knows every record's location) or, without one, by
scanning the WARC directory.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from newscrawler.capture.decoding import decode_payload
from newscrawler.capture.refs import CaptureRef, Location, parse_warc_date

__all__ = [
    "Capture", "WarcError", "find_record", "iter_captures", "read_capture", "read_record_at",
]

logger = logging.getLogger(__name__)

Locate = Callable[[str], Location | None]
_READ_ERRORS = (ArchiveLoadFailed, zlib.error, OSError, EOFError, ValueError)


class WarcError(ValueError):
    """A capture cannot be read back (missing file, bad offset, unexpected record)."""


@dataclass(frozen=True)
class Capture:
    """One response or revisit record read back, with the payload it stands for.

    ``headers`` are the record's own HTTP headers (a revisit's: those of the re-fetch);
    ``payload`` is the stored payload, and ``payload_headers`` the headers that describe
    it (for a revisit, those of the ``original`` response holding it).
    """

    ref: CaptureRef
    protocol: str
    headers: list[tuple[str, str]]
    payload: bytes
    payload_headers: list[tuple[str, str]]
    warc_headers: dict[str, str] = field(default_factory=dict, repr=False)
    original: CaptureRef | None = None

    @property
    def url(self) -> str:
        return self.ref.target_uri

    @property
    def status(self) -> int | None:
        return self.ref.status

    def header(self, name: str, default: str = "") -> str:
        """A header describing the payload, joined with ", " when repeated."""
        values = [v for k, v in self.payload_headers if k.lower() == name.lower()]
        return ", ".join(values) if values else default

    @cached_property
    def body(self) -> bytes:
        """The payload de-chunked and decoded (gzip, deflate, br, zstd), up to 64 MiB."""
        return self.decoded()

    def decoded(self, max_size: int = 64 * 2**20) -> bytes:
        return decode_payload(self.payload, self.header("Content-Encoding"),
                              self.header("Transfer-Encoding"), max_size)


def read_capture(warc_dir: str | Path, warc_file: str, offset: int, length: int | None = None,
                 *, locate: Locate | None = None) -> Capture:
    """The response or revisit record at ``offset`` in ``warc_file`` (relative to
    ``warc_dir``, as the archive stores it); a revisit comes with its original's payload.

    ``locate`` maps a record id to its location (the archive's lookup); without it, a
    revisit's original is searched for in the WARC directory.
    """
    root = Path(warc_dir)
    capture = read_record_at(root, warc_file, offset, length)
    if capture.ref.rec_type == "response":
        return capture
    if capture.ref.rec_type != "revisit":
        raise WarcError(f"record at {warc_file}:{offset} is a {capture.ref.rec_type} record")
    return _resolve(root, capture, locate or (lambda record_id: find_record(root, record_id)))


def iter_captures(warc_dir: str | Path, warc_files: Iterable[str] | None = None,
                  rec_types: tuple[str, ...] = ("response",)) -> Iterator[Capture]:
    """Every record of these types in ``warc_files`` (default: all files of the directory),
    in file order; revisits are not resolved (their payload is empty).

    A file that cannot be read to its end (the last record torn by a crash) yields its
    records up to the damage, with a warning.
    """
    root = Path(warc_dir)
    names = sorted(p.name for p in root.glob("*.warc.gz")) if warc_files is None else warc_files
    for name in names:
        yield from _file_captures(root, name, rec_types)


def _file_captures(root: Path, name: str, rec_types: tuple[str, ...]) -> Iterator[Capture]:
    with open(_path(root, name), "rb") as stream:
        records = ArchiveIterator(stream)
        while True:
            try:
                record = next(records, None)
                if record is None:
                    return
                if record.rec_type not in rec_types:
                    continue
                capture = _capture(record, name, 0)
                records.read_to_end(record)
            except _READ_ERRORS as exc:
                logger.warning("Stopped reading %s at offset %d: %s", name,
                               records.offset, _short(exc))
                return
            yield _located(capture, records.get_record_offset(), records.get_record_length())


def find_record(warc_dir: str | Path, record_id: str) -> Location | None:
    """Where the record ``record_id`` is in the directory: a scan, newest file first."""
    root = Path(warc_dir)
    for path in sorted(root.glob("*.warc.gz"), reverse=True):
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream, no_record_parse=True)
            try:
                for record in records:
                    if record.rec_headers.get_header("WARC-Record-ID") == record_id:
                        records.read_to_end(record)
                        return (path.name, records.get_record_offset(),
                                records.get_record_length())
            except _READ_ERRORS:
                continue  # a torn tail: what it held is not the record sought
    return None


def read_record_at(warc_dir: str | Path, warc_file: str, offset: int,
                   length: int | None = None) -> Capture:
    """The record at ``offset``, whatever its type, without resolving revisits."""
    path = _path(Path(warc_dir), warc_file)
    with open(path, "rb") as stream:
        stream.seek(offset)
        source: IO[bytes] = BytesIO(stream.read(length)) if length is not None else stream
        records = ArchiveIterator(source)
        try:
            record = next(records)
            capture = _capture(record, warc_file, offset)
            records.read_to_end(record)
        except StopIteration:
            raise WarcError(f"no record at offset {offset} in {warc_file}") from None
        except _READ_ERRORS as exc:
            raise WarcError(f"unreadable record at {warc_file}:{offset}: {_short(exc)}") from None
    return _located(capture, offset, records.get_record_length() if length is None else length)


def _resolve(root: Path, revisit: Capture, locate: Locate) -> Capture:
    refers_to = revisit.warc_headers.get("WARC-Refers-To", "")
    where = locate(refers_to) if refers_to else None
    if where is None:
        raise WarcError(f"the original of revisit {revisit.ref.record_id} ({revisit.url}) "
                        "is not in the WARC directory")
    original = read_record_at(root, *where)
    if original.ref.rec_type != "response":
        raise WarcError(f"revisit {revisit.ref.record_id} refers to a "
                        f"{original.ref.rec_type} record")
    return replace(revisit, payload=original.payload, payload_headers=original.payload_headers,
                   original=original.ref)


def _path(root: Path, warc_file: str) -> Path:
    resolved_root = root.resolve()
    path = (resolved_root / warc_file).resolve()
    if not path.is_relative_to(resolved_root) or not path.is_file():
        raise WarcError(f"no WARC file {warc_file!r} in {resolved_root}")
    return path


def _capture(record: ArcWarcRecord, warc_file: str, offset: int) -> Capture:
    """A ``Capture`` of ``record`` (its length is known once the record is read)."""
    warc = record.rec_headers
    record_id, date = warc.get_header("WARC-Record-ID"), warc.get_header("WARC-Date")
    if not record_id or not date:  # bytes warcio could parse, but no WARC record
        raise ValueError("no WARC-Record-ID or WARC-Date")
    http = record.http_headers
    headers = list(http.headers) if http is not None else []
    answer = http is not None and record.rec_type != "request"  # a request has no status
    ref = CaptureRef(warc_file, offset, 0, record_id, parse_warc_date(date),
                     warc.get_header("WARC-Target-URI") or "",
                     warc.get_header("WARC-Payload-Digest"),
                     int(http.get_statuscode()) if answer else None, record.rec_type)
    payload = record.raw_stream.read()
    if record.raw_stream.tell() < int(warc.get_header("Content-Length") or 0):
        raise ValueError("record cut short (a crash mid-write?)")
    return Capture(ref, http.protocol if answer else "", headers, payload, headers,
                   dict(warc.headers))


def _located(capture: Capture, offset: int, length: int) -> Capture:
    return replace(capture, ref=replace(capture.ref, offset=offset, length=length))


def _short(exc: BaseException) -> str:
    """warcio quotes the undecodable bytes in its messages: keep one short line."""
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
