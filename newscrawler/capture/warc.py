"""WARC capture of fetched pages, so articles can be re-extracted later without the network.

Each record is gzipped on its own, so ``(warc_file, offset)`` stored with an article is
enough to read it back. A writer only ever creates new files (timestamp, pid and serial in
the name, opened exclusively): after a crash, or with several workers sharing a directory,
no file is appended to by two processes, and a torn file is never written to again.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawler import __version__ as NEWSCRAWLER_VERSION

__all__ = ["WarcError", "WarcWriter", "read_record"]

logger = logging.getLogger(__name__)

Headers = Sequence[tuple[str, str]] | Mapping[str, str]

# The body handed to the writer is already de-chunked and decompressed by Scrapy; these
# headers would make WARC readers decode it a second time. They are kept, renamed, the way
# pywb and other replay tools expect.
_TRANSPORT_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


# zlib level for each record's gzip member: warcio uses 9, which costs ~4x the CPU of level 1
# for ~10% smaller captures; a crawl's writer thread spends most of its time there.
GZIP_LEVEL = 1


class _GzipMember:
    """Compresses everything written until ``flush`` into one gzip member (one record)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())


class _FastGzipWriter(WARCWriter):
    """warcio's WARC writer with a cheaper gzip level; the output is the same format."""

    def _write_warc_record(self, out: IO[bytes], record: ArcWarcRecord) -> None:
        self.gzip = False  # warcio would wrap ``out`` in its own level-9 compressor
        try:
            super()._write_warc_record(_GzipMember(out), record)
        finally:
            self.gzip = True


class WarcError(ValueError):
    """A capture cannot be read back (missing file, bad offset, not a response record)."""


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _response_headers(headers: Headers, body: bytes) -> list[tuple[str, str]]:
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    kept: list[tuple[str, str]] = []
    for name, value in pairs:
        if name.lower() in _TRANSPORT_HEADERS:
            kept.append((f"X-Archive-Orig-{name}", value))
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(len(body))))
    return kept


def _request_record(
    writer: WARCWriter, url: str, headers: Headers, date: str, response_id: str
) -> ArcWarcRecord:
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    target = urlsplit(url)
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    http_headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1", pairs, protocol="HTTP/1.1", is_http_request=True
    )
    return writer.create_warc_record(
        url, "request", payload=BytesIO(b""), length=0, http_headers=http_headers,
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
    )


class WarcWriter:
    """Appends response records to size-rotated ``.warc.gz`` files in ``directory``.

    Thread-safe; files are opened lazily, so a run that stores nothing leaves no file.
    Call ``flush()`` before committing database rows that point into the current file.
    """

    def __init__(
        self, directory: str | Path, prefix: str = "newscrawler", max_size: int = 2**30
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._name = ""
        self._serial = 0

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self._name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        # "x": never reuse a name, whatever else writes to this directory.
        self._file = open(self.directory / self._name, "xb")
        self._writer = _FastGzipWriter(self._file, gzip=True, warc_version="1.1")
        info = {"software": f"newscrawler/{NEWSCRAWLER_VERSION}", "format": "WARC File Format 1.1"}
        self._writer.write_record(self._writer.create_warcinfo_record(self._name, info))
        logger.info("Writing captures to %s", self.directory / self._name)

    def _ready(self) -> WARCWriter:
        if self._file is not None and self._file.tell() >= self.max_size:
            self._close_file()
        if self._writer is None:
            self._open()
        assert self._writer is not None
        return self._writer

    def write_response(
        self,
        url: str,
        status: int,
        headers: Headers,
        body: bytes,
        request_headers: Headers | None = None,
        fetched_at: datetime | None = None,
    ) -> tuple[str, int]:
        """Write one response (and its request when ``request_headers`` is given).

        Returns the file name relative to the directory and the offset of the response
        record, the values ``read_record`` takes.
        """
        date = _warc_date(fetched_at or datetime.now(UTC))
        http_headers = StatusAndHeaders(
            _status_line(status), _response_headers(headers, body), protocol="HTTP/1.1"
        )
        with self._lock:
            writer = self._ready()
            assert self._file is not None
            offset = self._file.tell()
            response = writer.create_warc_record(
                url, "response", payload=BytesIO(body), length=len(body),
                warc_headers_dict={"WARC-Date": date}, http_headers=http_headers,
            )
            writer.write_record(response)
            if request_headers is not None:
                record_id = response.rec_headers.get_header("WARC-Record-ID")
                writer.write_record(_request_record(writer, url, request_headers, date, record_id))
            # Out of Python's buffer before the archive row that points here is committed:
            # a killed process then never leaves a row without its capture (fsync: close()).
            self._file.flush()
            return self._name, offset

    def flush(self) -> None:
        """Push written records to disk (fsync), so rows referring to them stay valid."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())

    def _close_file(self) -> None:
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        self._writer = None

    def close(self) -> None:
        """Flush, fsync and close the current file; a later write opens a new one."""
        with self._lock:
            self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_record(
    directory: str | Path, warc_file: str, offset: int
) -> tuple[str, list[tuple[str, str]], bytes]:
    """The ``(url, http_headers, body)`` of the response record at ``offset`` in ``warc_file``.

    ``warc_file`` must name a file inside ``directory`` (the value stored in the archive).
    """
    root = Path(directory).resolve()
    path = (root / warc_file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise WarcError(f"no WARC file {warc_file!r} in {root}")
    with open(path, "rb") as stream:
        stream.seek(offset)
        try:
            record = next(iter(ArchiveIterator(stream)))
        except StopIteration:
            raise WarcError(f"no record at offset {offset} in {warc_file}") from None
        except (ArchiveLoadFailed, zlib.error, OSError, EOFError, ValueError) as exc:
            # warcio quotes the undecodable bytes in its message: keep the log line short.
            detail = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
            raise WarcError(f"unreadable record at {warc_file}:{offset}: {detail}") from None
        if record.rec_type != "response":
            raise WarcError(f"record at {warc_file}:{offset} is a {record.rec_type} record")
        url = record.rec_headers.get_header("WARC-Target-URI")
        headers = list(record.http_headers.headers) if record.http_headers else []
        return url, headers, record.content_stream().read()
