"""Store pipeline: every fetch into the archive, a batch per transaction.

Database and WARC writes run on one dedicated thread, in order, so the reactor never waits
on disk and SQLite sees a single writer per process. Items are grouped (up to
NEWSCRAWLER_STORE_BATCH, or whatever arrived within a quarter second) into one transaction
of ``ArchiveStore.store_many``, with the WARC records written since the last batch (every
fetch's, from the capture middleware) and a ``metadata`` record of each article's
extraction, written here: the WARC file is synced before the transaction, so no row ever
points at a record that is not complete on disk. A transaction that loses its connection
(a PostgreSQL restart) is run again for up to NEWSCRAWLER_DB_RETRY_SECONDS. A storage fault
(disk full, archive or WARC files read-only, database still unreachable) stops the crawl
through the run recorder, in one line; any other batch the archive cannot take is logged in
one line. Either way its fetches are counted under ``newscrawler/store/lost``, the run
fails, and the next run fetches those pages again.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from scrapy import signals
from sqlalchemy.exc import SQLAlchemyError

from newscrawler import memory
from newscrawler.archive.captures import capture_record
from newscrawler.archive.engine import open_archive
from newscrawler.archive.reconnect import default_seconds
from newscrawler.archive.records import Record
from newscrawler.archive.store import OUTCOMES, ArchiveStore, ArticleRecord, FetchRecord
from newscrawler.capture.middleware import CaptureMiddleware
from newscrawler.extensions import LOST, RECONNECTS, RunRecorder
from newscrawler.items import FetchItem, PageItem
from newscrawler.storage import StorageFault, archive_fault, warc_fault
from newscrawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
BATCH_WAIT = 0.25
# Outcomes counted under newscrawler/stored/ (dropped pages are counted where dropped).
COUNTED = (*OUTCOMES, "unknown_not_modified")


class StorePipeline:
    def __init__(self, db_url: str, batch_size: int, stats: StatsCollector,
                 run: RunRecorder | None = None, capture: CaptureMiddleware | None = None,
                 reconnect_seconds: float | None = None) -> None:
        self.db_url = db_url
        self.batch_size = max(1, batch_size)
        self.reconnect_seconds = reconnect_seconds
        self.stats = stats
        self.run = run
        self.capture = capture
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="newscrawler-store")
        self._store: ArchiveStore | None = None
        self._pending: list[tuple[PageItem | FetchItem, asyncio.Future[str]]] = []
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        assert crawler.stats is not None
        pipeline = cls(s.get("NEWSCRAWLER_DB"), s.getint("NEWSCRAWLER_STORE_BATCH"),
                       crawler.stats, crawler.get_extension(RunRecorder),
                       reconnect_seconds=s.getfloat("NEWSCRAWLER_DB_RETRY_SECONDS",
                                                    default_seconds()))

        def attach_capture() -> None:  # the downloader's middlewares exist once it opens
            pipeline.capture = crawler.get_downloader_middleware(CaptureMiddleware)

        crawler.signals.connect(attach_capture, signal=signals.spider_opened, weak=False)
        return pipeline

    def open_spider(self) -> None:
        self._store = ArchiveStore(  # its one thread
            open_archive(self.db_url, pool_size=1), reconnect_seconds=self.reconnect_seconds,
            on_reconnect=lambda: self.stats.inc_value(RECONNECTS))

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
        if run is not None and run.fault is not None:  # storage failed: nothing more is
            self.stats.inc_value(LOST, len(items))     # stored, nothing stored in part
            return ["lost"] * len(items)
        try:
            records = self._records(items)
            if not records:
                return []
            outcomes = self._store.store_many(records, run.run_id if run else None,
                                              run.policy if run else None)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the batch is lost
            fault = self._fault(exc)
            if fault is not None and run is not None:
                run.storage_failed(fault, len(items))
                return ["lost"] * len(items)
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            logger.error("The archive could not store %d fetches (they will be fetched again "
                         "by the next run): %s", len(items), detail[0] if detail else repr(exc),
                         exc_info=not isinstance(exc, (SQLAlchemyError, OSError)))
            self.stats.inc_value(LOST, len(items))
            return ["lost"] * len(items)
        memory.trim()  # the batch's rows are gone: return their pages
        return outcomes[len(outcomes) - len(items):]

    def _fault(self, exc: Exception) -> StorageFault | None:
        """The storage fault ``exc`` is: a WARC write's, or the archive's."""
        if isinstance(exc, OSError):
            directory = self.capture.writer.directory if self.capture is not None else "?"
            return warc_fault(exc, directory)
        return archive_fault(exc, self.db_url)

    def _records(self, items: list[PageItem | FetchItem]) -> list[Record]:
        """The captures written since the last batch and each article's metadata record,
        synced to disk, then one record per item."""
        capture = self.capture
        refs = capture.pending() if capture is not None else []
        for item in items:
            if isinstance(item, PageItem) and item.capture is not None and capture is not None:
                refs.append(capture.writer.write_metadata(item.capture, _extraction(item)))
        if capture is not None:
            capture.writer.sync()
        captures = [r for r in map(capture_record, refs) if r is not None]
        return [*captures, *(self._record(item) for item in items)]

    @staticmethod
    def _record(item: PageItem | FetchItem) -> ArticleRecord | FetchRecord:
        if isinstance(item, FetchItem):
            return FetchRecord(item.url, item.status, item.outcome, item.fetched_at)
        analysis, where = item.analysis, item.capture
        return ArticleRecord(
            article=analysis.article, url=item.url,  # type: ignore[arg-type]
            canonical_url=item.canonical_url, source=item.source or None,
            content_hash=analysis.content_hash, fetched_at=item.fetched_at, status=item.status,
            warc_file=where.warc_file if where else None,
            warc_offset=where.offset if where else None,
            warc_length=where.length if where else None, etag=item.headers.get("etag"),
            last_modified=item.headers.get("last-modified"), minhash=analysis.minhash,
            aliases=sorted({canonicalize_url(u) for u in (item.url, item.request_url) if u}))

    async def close_spider(self) -> None:
        self._flush()
        loop = asyncio.get_running_loop()
        # Captures that came after the last item (redirects, Scrapy's own robots.txt).
        await loop.run_in_executor(self._executor, self._write_batch, [])
        self._executor.shutdown(wait=True)
        if self._store is not None:
            self._store.engine.dispose()


def _extraction(item: PageItem) -> dict[str, str]:
    """The metadata record of an article: what extraction made of its response."""
    article, analysis = item.analysis.article, item.analysis
    assert article is not None
    published = article.published_at.isoformat() if article.published_at else ""
    fields = {"extractor": article.extractor, "title": article.title,
              "canonical-url": item.canonical_url, "content-hash": analysis.content_hash,
              "language": article.language or "", "published-at": published}
    return {name: value for name, value in fields.items() if value}


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
