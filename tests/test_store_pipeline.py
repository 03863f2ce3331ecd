"""StorePipeline: every fetch to the archive in batches; a batch the archive refuses is lost
loudly (one ERROR line, counted), never silently, and the crawl goes on."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.extensions import LOST
from newscrawler.items import FetchItem
from pipelines.store import StorePipeline

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def fetch(url: str, status: int | None = 200) -> FetchItem:
    return FetchItem(url, status, "dropped:not_article", "news", NOW)  # type: ignore[arg-type]


def run(pipeline: StorePipeline, *batches: list[FetchItem]) -> None:
    async def go() -> None:
        for batch in batches:
            await asyncio.gather(*(pipeline.process_item(item) for item in batch))
        await pipeline.close_spider()
    asyncio.run(go())


def test_fetches_are_stored_and_a_refused_batch_is_counted_as_lost(sqlite_url, tmp_path,
                                                                    caplog):
    crawler = get_crawler()
    crawler.stats.open_spider()
    pipeline = StorePipeline(sqlite_url, 10, crawler.stats)
    pipeline.open_spider()
    good = [fetch(f"https://news.example/tag/{n}") for n in range(3)]
    broken = [fetch("https://news.example/a"), fetch("https://news.example/b", status=None)]
    with caplog.at_level(logging.ERROR):
        run(pipeline, good, broken)
    assert crawler.stats.get_value(LOST) == 2
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert error.startswith("The archive could not store 2 fetches")
    engine = open_archive(sqlite_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(models.Fetch)) == 3
    engine.dispose()
