"""The store pipeline's former capture interface, kept until the crawl path uses the
capture middleware's records: a decoded body per stored article, and ``read_record``.

``WarcWriter`` writes through ``CaptureWriter``; the body it is given was already decoded by
Scrapy, so the transport headers are kept renamed (``X-Archive-Orig-*``, as pywb does) and
readers do not decode it twice. Remove both once ``pipelines/store.py`` no longer calls them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from newscrawler import __version__
from newscrawler.capture.reader import WarcError, read_capture
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.writer import CaptureWriter, hostname

__all__ = ["WarcError", "WarcWriter", "read_record"]

Headers = Sequence[tuple[str, str]] | Mapping[str, str]

_TRANSPORT_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class WarcWriter:
    """Response records of already-decoded bodies, in size-rotated ``.warc.gz`` files."""

    def __init__(self, directory: str | Path, prefix: str = "newscrawler",
                 max_size: int = 2**30) -> None:
        info = WarcInfo(software=f"newscrawler/{__version__}", hostname=hostname())
        self.writer = CaptureWriter(directory, info, prefix=prefix, max_size=max_size)

    def write_response(self, url: str, status: int, headers: Headers, body: bytes,
                       request_headers: Headers | None = None,
                       fetched_at: datetime | None = None) -> tuple[str, int]:
        """Write one response and its request; ``(file, offset)`` for ``read_record``."""
        exchange = Exchange(url, status, _decoded_headers(_pairs(headers), body), body,
                            fetched_at or datetime.now(UTC),
                            request_headers=_pairs(request_headers or []))
        ref = self.writer.write_response(exchange)
        return ref.warc_file, ref.offset

    def flush(self) -> None:
        self.writer.sync()

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_record(directory: str | Path, warc_file: str,
                offset: int) -> tuple[str, list[tuple[str, str]], bytes]:
    """The ``(url, http_headers, decoded body)`` of the response record at ``offset``."""
    capture = read_capture(directory, warc_file, offset)
    return capture.url, capture.headers, capture.body


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


def _decoded_headers(pairs: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    kept = [(f"X-Archive-Orig-{name}", value) if name.lower() in _TRANSPORT_HEADERS
            else (name, value) for name, value in pairs]
    return [*kept, ("Content-Length", str(len(body)))]

