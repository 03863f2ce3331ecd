"""In-run deduplication: one article per canonical URL and per content hash per run.

Across runs and processes the archive decides (in the store's transaction); this only saves
the WARC write and the transaction for pages this run has already stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newscrawler.items import PageItem
from pipelines import drop

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class DedupePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self._urls: set[str] = set()
        self._hashes: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):  # a 304 answer: nothing to extract
            return item
        if item.canonical_url in self._urls:
            raise drop(self.stats, "duplicate_url", item.url)
        if item.content_hash in self._hashes:
            raise drop(self.stats, "duplicate_text", item.url)
        self._urls.add(item.canonical_url)
        self._hashes.add(item.content_hash)
        return item
