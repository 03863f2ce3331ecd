"""Raw captures: every fetch written to WARC 1.1 as the server sent it, read back, packaged.

``middleware.CaptureMiddleware`` writes each fetch through the process's ``CaptureWriter``
and leaves its ``CaptureRef`` in ``request.meta`` (``truncation.TruncationMiddleware`` lets
a body cut by the size or time limit arrive, to be captured as such); the store pipeline
records every capture in the archive and writes each article's ``metadata`` record.
``reader`` reads records back (decoded for ``show --raw`` and ``reextract``); ``cdxj``
indexes WARC files, ``wacz`` packages a selection of captures for replay tools and
``export`` chooses that selection from the archive. The Scrapy components, ``cdxj``,
``wacz`` and ``export`` are imported by name, so readers of the archive do not load Scrapy
or the indexer.
"""

from newscrawler.capture.previous import MemoryCaptures, PreviousCaptures
from newscrawler.capture.reader import Capture, WarcError, find_record, iter_captures, read_capture
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.refs import CaptureRef, Location
from newscrawler.capture.writer import CaptureWriter

__all__ = [
    "Capture", "CaptureRef", "CaptureWriter", "Exchange", "Location", "MemoryCaptures",
    "PreviousCaptures", "WarcError", "WarcInfo", "find_record", "iter_captures", "read_capture",
]
