"""First pipeline: drop what cannot be an article before any parsing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newscrawler.items import PageItem
from newscrawler.urls import is_http_url
from pipelines import drop

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

TEXTUAL = ("text/html", "application/xhtml+xml", "text/plain", "")


class ValidatePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):  # a 304 answer: nothing to extract
            return item
        if item.status != 200:
            raise drop(self.stats, "status", str(item.status))
        if not item.body:
            raise drop(self.stats, "empty", item.url)
        if not is_http_url(item.url):
            raise drop(self.stats, "scheme", item.url)
        media_type = item.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in TEXTUAL:
            raise drop(self.stats, "not_html", media_type)
        return item
