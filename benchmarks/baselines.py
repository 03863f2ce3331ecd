"""Baseline (b), "the obvious Scrapy project": fetch a urls file, extract in a pipeline.

Run by the bench with ``scrapy runspider benchmarks/baselines.py -a urls_file=PATH
-s PLAIN_DB=PATH`` outside the project (so newscrawler's settings are not loaded), with the
same concurrency settings as the crawler. Extraction is ``trafilatura.extract(
with_metadata=True)`` inside ``process_item``, and each item is one SQLite insert + commit:
what most people write first. Only absolute imports: runspider loads this file by path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
import trafilatura
from scrapy.http import Response


class SqlitePipeline:
    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SqlitePipeline:
        return cls(crawler.settings.get("PLAIN_DB"))

    def open_spider(self) -> None:
        self.conn = sqlite3.connect(self.path)
        self.conn.execute("CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, text TEXT)")

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.conn is not None
        text = trafilatura.extract(item["body"], url=item["url"], with_metadata=True)
        self.conn.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)", (item["url"], text))
        self.conn.commit()
        return {"url": item["url"], "extracted": text is not None}

    def close_spider(self) -> None:
        if self.conn is not None:
            self.conn.close()


class PlainSpider(scrapy.Spider):
    name = "plain"
    custom_settings = {"ITEM_PIPELINES": {SqlitePipeline: 300}}

    def __init__(self, urls_file: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls_file = urls_file

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in Path(self.urls_file).read_text("utf-8").split():
            yield scrapy.Request(url)

    def parse(self, response: Response) -> Any:
        yield {"url": response.url, "body": response.body}
