"""Raw captures of fetched pages (WARC), written during the crawl and read by ``reextract``."""

from newscrawler.capture.warc import WarcError, WarcWriter, read_record

__all__ = ["WarcError", "WarcWriter", "read_record"]
