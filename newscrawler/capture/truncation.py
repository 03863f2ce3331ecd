"""``TruncationMiddleware``: a body cut by the size or time limit arrives cut, and is captured.

Scrapy fails a download whose body passes ``DOWNLOAD_MAXSIZE`` or ``DOWNLOAD_TIMEOUT`` and
discards what it had read, so no record of it could exist. This component stops such a
download first, with Scrapy's public ``StopDownload(fail=False)`` raised from a
``bytes_received`` handler: the response then arrives with what was read and the
``download_stopped`` flag, the capture middleware writes it with ``WARC-Truncated: length``
or ``time`` (the reason left in ``request.meta[TRUNCATED]``), and the spider drops it as
``dropped:truncated``: a partial page is never stored as an article.

- Size: once more than the request's limit (``download_maxsize`` meta, else
  ``DOWNLOAD_MAXSIZE``) was received. Scrapy refuses a response that announces a larger
  ``Content-Length`` before reading any of it; for that one the handler's check is lifted
  (``download_maxsize`` 0) until the response is back here, so decompression is still held
  to the limit by ``HttpCompressionMiddleware`` (decompression bombs stay cut off).
- Time: once the download, counted from when the request was sent, has run longer than
  ``NEWSCRAWLER_DOWNLOAD_TIME_LIMIT`` seconds (default 25, below ``DOWNLOAD_TIMEOUT``).
  It is checked as bytes arrive: a server silent until ``DOWNLOAD_TIMEOUT`` still fails
  the request, with nothing to capture.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured, StopDownload

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

__all__ = ["TRUNCATED", "TruncationMiddleware"]

TRUNCATED = "newscrawler_truncated"  # request meta: "length" or "time", set when stopped
_STATE = "newscrawler_download"  # request meta: [start (monotonic), bytes received]
# request meta: (the limit, the download_maxsize meta it replaced or None) while lifted
_LIFTED = "newscrawler_maxsize"


class TruncationMiddleware:
    """Stops downloads at the size and time limits instead of letting them fail."""

    def __init__(self, max_size: int, time_limit: float) -> None:
        if time_limit <= 0:
            raise NotConfigured("NEWSCRAWLER_DOWNLOAD_TIME_LIMIT is 0: no time limit")
        self.max_size = max_size
        self.time_limit = time_limit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TruncationMiddleware:
        settings = crawler.settings
        middleware = cls(settings.getint("DOWNLOAD_MAXSIZE"),
                         settings.getfloat("NEWSCRAWLER_DOWNLOAD_TIME_LIMIT"))
        crawler.signals.connect(middleware.headers_received, signal=signals.headers_received)
        crawler.signals.connect(middleware.bytes_received, signal=signals.bytes_received)
        return middleware

    def process_request(self, request: Request) -> None:
        # A retry or redirect copies the meta of the download before it.
        for key in (TRUNCATED, _STATE):
            request.meta.pop(key, None)

    def process_response(self, request: Request, response: Response) -> Response:
        self._restore(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._restore(request)

    def headers_received(self, headers: Any, body_length: int | str, request: Request,
                         **kwargs: Any) -> None:
        latency = request.meta.get("download_latency") or 0.0
        request.meta[_STATE] = [time.monotonic() - latency, 0]
        limit = self._max_size(request)
        # Twisted gives a string (UNKNOWN_LENGTH) for a body without Content-Length.
        if limit and isinstance(body_length, int) and body_length > limit:
            # Scrapy would refuse it before its first byte.
            request.meta[_LIFTED] = (limit, request.meta.get("download_maxsize"))
            request.meta["download_maxsize"] = 0

    def bytes_received(self, data: bytes, request: Request, **kwargs: Any) -> None:
        state = request.meta.setdefault(_STATE, [time.monotonic(), 0])
        state[1] += len(data)
        limit = self._max_size(request)
        reason = ("length" if limit and state[1] > limit else
                  "time" if time.monotonic() - state[0] > self.time_limit else None)
        if reason is not None:
            request.meta[TRUNCATED] = reason
            raise StopDownload(fail=False)

    def _max_size(self, request: Request) -> int:
        if _LIFTED in request.meta:
            return int(request.meta[_LIFTED][0])
        return int(request.meta.get("download_maxsize", self.max_size))

    @staticmethod
    def _restore(request: Request) -> None:
        """Give the request back its size limit, for the decompression that follows."""
        if _LIFTED not in request.meta:
            return
        _, replaced = request.meta.pop(_LIFTED)
        if replaced is None:
            del request.meta["download_maxsize"]
        else:
            request.meta["download_maxsize"] = replaced
