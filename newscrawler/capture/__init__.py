"""Raw captures: every fetch written to WARC 1.1 as the server sent it, read back, packaged.

``middleware.CaptureMiddleware`` writes each fetch through the process's ``CaptureWriter``
and leaves its ``CaptureRef`` in ``request.meta``; ``reader`` reads records back (decoded
for ``show --raw`` and ``reextract``); ``cdxj`` indexes WARC files and ``wacz`` packages a
selection of captures for replay tools. The middleware, ``cdxj`` and ``wacz`` modules are
imported by name, so readers of the archive do not load Scrapy or the indexer.
"""

from newscrawler.capture.previous import MemoryCaptures, PreviousCaptures
from newscrawler.capture.reader import Capture, WarcError, find_record, iter_captures, read_capture
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.refs import CaptureRef, Location
from newscrawler.capture.warc import WarcWriter, read_record
from newscrawler.capture.writer import CaptureWriter

__all__ = [
    "Capture", "CaptureRef", "CaptureWriter", "Exchange", "Location", "MemoryCaptures",
    "PreviousCaptures", "WarcError", "WarcInfo", "WarcWriter", "find_record", "iter_captures",
    "read_capture", "read_record",
]
