"""Store pipeline: capture pages to WARC, then store articles, a batch per transaction.

Database and WARC writes run on one dedicated thread, in order, so the reactor never waits
on disk and SQLite sees a single writer per process. Items are grouped (up to
NEWSCRAWLER_STORE_BATCH, or whatever arrived within a quarter second) into one transaction:
one commit per batch instead of one per article. Each item's WARC record is written and
flushed before the transaction that points at it. The pipeline also records the crawl run
(started, finished, counts) and sets the crawl's exit status.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from newscrawler import memory
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore, ArticleRecord
from newscrawler.capture.warc import WarcWriter
from newscrawler.items import NotModifiedItem, PageItem
from newscrawler.revisit import RevisitPolicy
from newscrawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
BATCH_WAIT = 0.25


class StorePipeline:
    def __init__(self, crawler: Crawler, db_url: str, warc_dir: str, batch_size: int) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.warc_dir = warc_dir
        self.batch_size = max(1, batch_size)
        self.outcomes: dict[str, int] = {}
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="newscrawler-store")
        self._store: ArchiveStore | None = None
        self._warc: WarcWriter | None = None
        self._pending: list[tuple[PageItem, asyncio.Future[str]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.run_id: int | None = None
        self.policy: RevisitPolicy | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        return cls(crawler, s.get("NEWSCRAWLER_DB"), s.get("NEWSCRAWLER_WARC_DIR"),
                   s.getint("NEWSCRAWLER_STORE_BATCH", 50))

    def open_spider(self) -> None:
        self._store = ArchiveStore(open_archive(self.db_url))
        self._warc = WarcWriter(self.warc_dir)
        plan = getattr(self.crawler.spider, "plan", None)
        self.policy = plan.policy if plan else None
        keys = ("mode", "source", "start_urls", "feeds", "sitemaps", "recheck", "run")
        args = {k: getattr(plan, k) for k in keys} if plan else {}
        self.run_id = self._store.start_run(args, [plan.source] if plan else [])

    async def process_item(self, item: Any) -> Any:
        loop = asyncio.get_running_loop()
        if isinstance(item, PageItem):
            future: asyncio.Future[str] = loop.create_future()
            self._pending.append((item, future))
            if len(self._pending) >= self.batch_size:
                self._flush()
            elif self._timer is None:
                self._timer = loop.call_later(BATCH_WAIT, self._flush)
            outcome = await future
        else:
            outcome = await loop.run_in_executor(self._executor, self._not_modified, item)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawler/stored/{outcome}")
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

    def _write_batch(self, items: list[PageItem]) -> list[str]:
        assert self._store is not None
        records = [self._capture(item) for item in items]
        outcomes = self._store.store_many(records, self.run_id, self.policy)
        memory.trim()  # the batch's bodies and ORM objects are gone: return their pages
        return outcomes

    def _capture(self, item: PageItem) -> ArticleRecord:
        """Write the page's WARC record and build the archive record that points at it."""
        assert self._warc is not None
        fetched_at = datetime.fromisoformat(item.fetched_at)
        warc_file, offset = self._warc.write_response(
            item.url, item.status, list(item.headers.items()), item.body, fetched_at=fetched_at)
        return ArticleRecord(
            article=item.article, url=item.url, canonical_url=item.canonical_url,
            source=item.source or None, content_hash=item.content_hash, fetched_at=fetched_at,
            status=item.status, warc_file=warc_file, warc_offset=offset,
            etag=item.headers.get("etag"), last_modified=item.headers.get("last-modified"),
            aliases=sorted({canonicalize_url(u) for u in (item.url, item.request_url) if u}),
            minhash=item.minhash,
        )

    def _not_modified(self, item: NotModifiedItem) -> str:
        assert self._store is not None
        fetched_at = datetime.fromisoformat(item.fetched_at)
        outcome = self._store.record_not_modified(item.url, self.run_id, fetched_at, self.policy)
        return outcome or "unknown_not_modified"

    async def close_spider(self) -> None:
        self._flush()
        await asyncio.get_running_loop().run_in_executor(self._executor, lambda: None)
        self._executor.shutdown(wait=True)
        if self._warc is not None:
            self._warc.close()
        if self._store is None or self.run_id is None:
            return
        counts = self._counts()
        # "Stored nothing because every fetch failed": no article touched and no page
        # answered 200 (a rerun that finds nothing new still gets its feeds and sitemaps).
        pages_ok = counts.pop("pages_ok")
        nothing = not self.outcomes and pages_ok == 0
        # An earlier failure (extraction workers that cannot start) fails the run too.
        failed = nothing or getattr(self.crawler, "newscrawler_exitcode", 0) == 1
        self._store.finish_run(self.run_id, "failed" if failed else "finished", counts)
        self.crawler.newscrawler_exitcode = 1 if failed else 0  # type: ignore[attr-defined]
        if nothing:
            logger.error("The crawl stored nothing: every fetch failed (see the errors above)")

    def _counts(self) -> dict[str, int]:
        stats: dict[str, Any] = self.crawler.stats.get_stats() if self.crawler.stats else {}
        errors = sum(v for k, v in stats.items() if k.startswith("downloader/exception_count"))
        errors += sum(v for k, v in stats.items()
                      if k.startswith("downloader/response_status_count/5"))
        return {
            "pages_fetched": int(stats.get("response_received_count", 0)),
            "articles_new": self.outcomes.get("new", 0),
            "versions_new": self.outcomes.get("version", 0),
            "duplicates": self.outcomes.get("duplicate", 0),
            "errors": int(errors),
            "pages_ok": int(stats.get("downloader/response_status_count/200", 0)),
        }


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
