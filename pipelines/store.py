"""Store pipeline: every fetch into the archive, a batch per transaction.

Database and WARC writes run on one dedicated thread, in order, so the reactor never waits
on disk and SQLite sees a single writer per process. Items are grouped (up to
NEWSCRAWLER_STORE_BATCH, or whatever arrived within a quarter second) into one transaction
of ``ArchiveStore.store_many``. An article's WARC record is written and flushed before the
transaction that points at it. A batch the archive cannot take (disk full, database gone)
is logged in one line and counted under ``newscrawler/store/lost``: the run then fails, and
the next run fetches those pages again.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from newscrawler import memory
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import OUTCOMES, ArchiveStore, ArticleRecord, FetchRecord
from newscrawler.capture.warc import WarcWriter
from newscrawler.extensions import LOST, RunRecorder
from newscrawler.items import FetchItem, PageItem
from newscrawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
BATCH_WAIT = 0.25
# Outcomes counted under newscrawler/stored/ (dropped pages are counted where dropped).
COUNTED = (*OUTCOMES, "unknown_not_modified")


class StorePipeline:
    def __init__(self, db_url: str, warc_dir: str, batch_size: int, stats: StatsCollector,
                 run: RunRecorder | None = None) -> None:
        self.db_url = db_url
        self.warc_dir = warc_dir
        self.batch_size = max(1, batch_size)
        self.stats = stats
        self.run = run
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="newscrawler-store")
        self._store: ArchiveStore | None = None
        self._warc: WarcWriter | None = None
        self._pending: list[tuple[PageItem | FetchItem, asyncio.Future[str]]] = []
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        assert crawler.stats is not None
        return cls(s.get("NEWSCRAWLER_DB"), s.get("NEWSCRAWLER_WARC_DIR"),
                   s.getint("NEWSCRAWLER_STORE_BATCH"), crawler.stats,
                   crawler.get_extension(RunRecorder))

    def open_spider(self) -> None:
        self._store = ArchiveStore(open_archive(self.db_url, pool_size=1))  # its one thread
        self._warc = WarcWriter(self.warc_dir)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, (PageItem, FetchItem)):
            return item
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self.batch_size:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(BATCH_WAIT, self._flush)
        outcome = await future
        if outcome in COUNTED:
            self.stats.inc_value(f"newscrawler/stored/{outcome}")
        return item

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if not batch:
            return
        task = asyncio.get_running_loop().run_in_executor(
            self._executor, self._write_batch, [item for item, _ in batch])
        task.add_done_callback(lambda done: _settle(done, [f for _, f in batch]))

    def _write_batch(self, items: list[PageItem | FetchItem]) -> list[str]:
        assert self._store is not None
        run = self.run
        try:
            records = [self._record(item) for item in items]
            outcomes = self._store.store_many(records, run.run_id if run else None,
                                              run.policy if run else None)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the batch is lost
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            logger.error("The archive could not store %d fetches (they will be fetched again "
                         "by the next run): %s", len(items), detail[0] if detail else repr(exc),
                         exc_info=not isinstance(exc, (SQLAlchemyError, OSError)))
            self.stats.inc_value(LOST, len(items))
            return ["lost"] * len(items)
        memory.trim()  # the batch's bodies and rows are gone: return their pages
        return outcomes

    def _record(self, item: PageItem | FetchItem) -> ArticleRecord | FetchRecord:
        if isinstance(item, FetchItem):
            return FetchRecord(item.url, item.status, item.outcome, item.fetched_at)
        assert self._warc is not None
        analysis = item.analysis
        warc_file, offset = self._warc.write_response(
            item.url, item.status, list(item.headers.items()), item.body,
            fetched_at=item.fetched_at)
        return ArticleRecord(
            article=analysis.article, url=item.url,  # type: ignore[arg-type]
            canonical_url=item.canonical_url, source=item.source or None,
            content_hash=analysis.content_hash, fetched_at=item.fetched_at, status=item.status,
            warc_file=warc_file, warc_offset=offset, etag=item.headers.get("etag"),
            last_modified=item.headers.get("last-modified"), minhash=analysis.minhash,
            aliases=sorted({canonicalize_url(u) for u in (item.url, item.request_url) if u}))

    async def close_spider(self) -> None:
        self._flush()
        await asyncio.get_running_loop().run_in_executor(self._executor, lambda: None)
        self._executor.shutdown(wait=True)
        if self._warc is not None:
            self._warc.close()
        if self._store is not None:
            self._store.engine.dispose()


def _settle(done: asyncio.Future[list[str]], futures: list[asyncio.Future[str]]) -> None:
    """Hand each waiting item its outcome, or the batch's error."""
    error = done.exception()
    for index, future in enumerate(futures):
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(done.result()[index])
