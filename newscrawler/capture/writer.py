"""The process's WARC writer: gzip per record, size rollover, files no one else writes.

Each record is its own gzip member, so ``(warc_file, offset, length)`` reads or copies it
alone. File names carry the UTC time, host, pid and a serial, and are opened exclusively:
a process only ever appends to files it created, so a file torn by a crash is never written
to again and workers on several machines can share one directory.

Records are serialised with warcio's public writer into memory and compressed here, at
level 1 with ISA-L (``isal``: 4.6x faster than zlib's level 1 for the same size on the
evaluation pages; warcio compresses with zlib at 9, ~4x zlib 1's CPU for captures ~15%
smaller; see the README). Payloads the server sent compressed are stored (level 0, zlib).
``sync()`` (flush + fsync) must run before the archive commits rows pointing at records: a
killed process then never leaves a row without its record.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
import threading
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO

from isal import isal_zlib
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from newscrawler.capture.records import Exchange, RecordFactory, RevisitProfile, WarcInfo
from newscrawler.capture.refs import CaptureRef, parse_warc_date

__all__ = ["GZIP_LEVEL", "CaptureWriter", "hostname"]

logger = logging.getLogger(__name__)

GZIP_LEVEL = 1
#: Content-Encodings whose payload deflate cannot shrink: level 0 spares the CPU.
_COMPRESSED = {"gzip", "x-gzip", "br", "zstd", "compress", "deflate"}


def hostname() -> str:
    """This machine's name, safe in a file name."""
    return re.sub(r"[^A-Za-z0-9.]+", "_", socket.gethostname()) or "localhost"


class CaptureWriter:
    """Writes WARC records to size-rotated ``.warc.gz`` files in ``directory``.

    Thread-safe: the capture middleware writes fetches, the store writes metadata records
    and calls ``sync``. Files open lazily, so a process that captures nothing leaves none.
    ``info`` (the next file's warcinfo) may be replaced before a file opens.
    """

    def __init__(self, directory: str | Path, info: WarcInfo, *, prefix: str = "newscrawler",
                 max_size: int = 2**30, gzip_level: int = GZIP_LEVEL) -> None:
        self.directory = Path(directory)
        self.info = info
        self.prefix = prefix
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.records = RecordFactory()
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._name = ""
        self._size = 0
        self._first_record_end = 0
        self._serial = 0

    # --- records -------------------------------------------------------------------------
    def write_response(self, exchange: Exchange) -> CaptureRef:
        """The response and its request record; returns the response's reference."""
        response = self.records.response(exchange)
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        request = self.records.request(exchange, record_id)
        return self._write_pair(exchange, response, request, None)

    def write_revisit(self, exchange: Exchange, original: CaptureRef,
                      profile: RevisitProfile) -> CaptureRef:
        """A revisit of ``original`` (headers only) and its request record."""
        revisit = self.records.revisit(exchange, original, profile)
        record_id = revisit.rec_headers.get_header("WARC-Record-ID")
        request = self.records.request(exchange, record_id)
        return self._write_pair(exchange, revisit, request, original)

    def write_metadata(self, response: CaptureRef, fields: Mapping[str, str],
                       date: datetime | None = None) -> CaptureRef:
        """A metadata record (e.g. the extraction result) referring to ``response``."""
        record = self.records.metadata(response, fields, date or datetime.now(UTC))
        member = self.member(record, self.gzip_level)
        with self._lock:
            warc_file, offset = self._append(member)
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        return CaptureRef(warc_file, offset, len(member), _record_id(record), _date(record),
                          response.target_uri, digest, None, "metadata", response)

    def _write_pair(self, exchange: Exchange, main: ArcWarcRecord, request: ArcWarcRecord,
                    original: CaptureRef | None) -> CaptureRef:
        level = self._level(exchange)
        first = self.member(main, level)
        # One write for both members: a crash never separates a response from its request.
        with self._lock:
            warc_file, offset = self._append(first + self.member(request, self.gzip_level))
        digest = main.rec_headers.get_header("WARC-Payload-Digest")
        return CaptureRef(warc_file, offset, len(first), _record_id(main), _date(main),
                          exchange.url, digest, exchange.status, main.rec_type, original,
                          exchange.truncated)

    def _level(self, exchange: Exchange) -> int:
        encoding = next((v for k, v in exchange.response_headers
                         if k.lower() == "content-encoding"), "")
        last = encoding.rsplit(",", 1)[-1].strip().lower()
        return 0 if last in _COMPRESSED else self.gzip_level

    @staticmethod
    def member(record: ArcWarcRecord, level: int = GZIP_LEVEL) -> bytes:
        """The record as one gzip member, serialised by warcio's public writer."""
        buffer = BytesIO()
        WARCWriter(buffer, gzip=False, warc_version="1.1").write_record(record)
        # ISA-L covers levels 1-3 (its level 0 still compresses); zlib stores at 0 and
        # does the levels above 3.
        library = isal_zlib if 1 <= level <= isal_zlib.ISAL_BEST_COMPRESSION else zlib
        compressor = library.compressobj(level, library.DEFLATED, library.MAX_WBITS + 16)
        return compressor.compress(buffer.getvalue()) + compressor.flush()

    # --- files ---------------------------------------------------------------------------
    def _append(self, data: bytes) -> tuple[str, int]:
        """Write ``data`` to the current file (opening or rolling one over); lock held."""
        full = self._size + len(data) > self.max_size and self._size > self._first_record_end
        if self._file is not None and full:
            self._close_file()
        if self._file is None:
            self._open()
        assert self._file is not None
        offset = self._size
        try:
            self._file.write(data)
            # Out of Python's buffer at once: tools reading the file during the crawl see
            # whole records, and only the OS cache stands between it and ``sync``.
            self._file.flush()
        except OSError:
            self._abandon()
            raise
        self._size += len(data)
        return self._name, offset

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self._name = (f"{self.prefix}-{stamp}-{hostname()}-{os.getpid()}"
                      f"-{self._serial:05d}.warc.gz")
        self._file = open(self.directory / self._name, "xb")  # never anyone else's file
        info = self.member(self.records.warcinfo(self._name, self.info), self.gzip_level)
        try:
            _fsync_directory(self.directory)
            self._file.write(info)
        except OSError:
            self._abandon()
            raise
        self._size = self._first_record_end = len(info)
        logger.info("Writing captures to %s", self.directory / self._name)

    def sync(self) -> None:
        """Flush and fsync the current file: every record returned so far is on disk.

        Raises ``OSError`` if that cannot be promised; the file is then abandoned.
        """
        with self._lock:
            if self._file is not None:
                self._sync_file()

    def _sync_file(self) -> None:
        """Flush and fsync the open file; on failure abandon it and re-raise. Lock held."""
        assert self._file is not None
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError:
            self._abandon()
            raise

    def _close_file(self) -> None:
        if self._file is None:
            return
        self._sync_file()
        self._file.close()
        self._file = None

    def _abandon(self) -> None:
        """A write or sync failed (disk full, file system read-only): the file may end in
        part of a record, so it is closed, never appended to again; the next record opens
        a new file. Whatever is torn at its end no row points at."""
        assert self._file is not None
        logger.warning("Abandoned WARC file %s after a failed write", self.directory / self._name)
        with contextlib.suppress(OSError):
            self._file.close()  # the descriptor is closed even when the last flush fails
        self._file = None

    def close(self) -> None:
        """Sync and close the current file; a later write opens a new one."""
        with self._lock:
            self._close_file()

    def __enter__(self) -> CaptureWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _record_id(record: ArcWarcRecord) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")


def _date(record: ArcWarcRecord) -> datetime:
    return parse_warc_date(record.rec_headers.get_header("WARC-Date"))


def _fsync_directory(directory: Path) -> None:
    """Make a new file's name durable too (its records are synced with the file)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
