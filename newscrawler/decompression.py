"""``DecompressionMiddleware``: Scrapy's HTTP decompression, its bombs counted and recorded.

Scrapy inflates gzip, deflate, brotli and zstd bodies no further than ``DOWNLOAD_MAXSIZE``
(or the request's ``download_maxsize``) and ignores a response that would pass it, with one
WARNING but no count, and nothing for the spider to record. This subclass counts it as
``newscrawler/dropped/decompression_limit`` and raises a ``DroppedResponse``, so the spider
records the fetch as ``dropped:decompression_limit``. The raw, compressed response is in the
WARC already (the capture middleware sits nearer the downloader).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

from newscrawler.responses import DroppedResponse

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

__all__ = ["DecompressionMiddleware"]

STATS_KEY = "newscrawler/dropped/decompression_limit"


class DecompressionMiddleware(HttpCompressionMiddleware):
    """Decompresses responses; one that inflates past the size limit is dropped, counted."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:  # Scrapy's only reason: the size limit
            if self.stats is not None:
                self.stats.inc_value(STATS_KEY)
            raise DroppedResponse("decompression_limit", response, str(exc)) from exc
