"""``CaptureMiddleware``: every fetch of the crawl, written to WARC as the server sent it.

A downloader middleware at priority 950, nearer the downloader than HTTP decompression
(590) and redirects (600): it sees each request with its final headers and each response
raw, Content-Encoding intact, whatever becomes of it next (a redirect followed, a 404
dropped, robots.txt parsed, a sitemap read, a page stored). A re-fetch whose payload equals
an earlier capture of the URL, in this run or an earlier one (asked through the archive:
``archive.captures.ArchiveCaptures``), is written as an ``identical-payload-digest``
revisit, a 304 as a ``server-not-modified`` revisit of the URL's latest capture.

Writing happens on one capture thread (digests and gzip release the GIL), so the reactor
only copies headers. The record's ``CaptureRef`` is left in ``request.meta[META_KEY]``,
which ``response.meta`` shares, for the spider to hand to the store with its article; every
record written also waits in ``pending()`` until the store pipeline records it in the
archive, with the next batch it commits after syncing the file: fetches that never reach
the spider (Scrapy's own robots.txt, redirects, refused answers) are recorded too.

A fetch that cannot be written (disk full, the WARC directory read-only), or whose earlier
captures cannot be asked for (the archive unreachable past its retries), is a storage fault:
the run recorder stops the crawl, and the fetch, and every one after it, is ignored
(``IgnoreRequest``) rather than stored without its capture.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from sqlalchemy.exc import DBAPIError

from newscrawler import __version__
from newscrawler.archive.captures import ArchiveCaptures
from newscrawler.archive.engine import open_archive
from newscrawler.archive.reconnect import default_seconds
from newscrawler.capture.previous import MemoryCaptures, PreviousCaptures
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.refs import CaptureRef
from newscrawler.capture.size import parse_size
from newscrawler.capture.truncation import TRUNCATED
from newscrawler.capture.writer import CaptureWriter
from newscrawler.extensions import RECONNECTS, RunRecorder
from newscrawler.storage import archive_fault, warc_fault

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

__all__ = ["META_KEY", "CaptureMiddleware", "exchange_from"]

logger = logging.getLogger(__name__)

META_KEY = "newscrawler_capture"
#: Response flags Scrapy sets when the body ended early, as WARC-Truncated reasons (a stop
#: by ``TruncationMiddleware`` says why in the request's meta).
TRUNCATION_FLAGS = {"dataloss": "disconnect", "download_stopped": "unspecified"}


class CaptureMiddleware:
    """Writes a request and a response (or revisit) record for every HTTP(S) fetch."""

    def __init__(self, writer: CaptureWriter, previous: PreviousCaptures | None = None, *,
                 stats: StatsCollector | None = None, remember: int = 10_000,
                 run: RunRecorder | None = None) -> None:
        self.writer = writer
        self.previous = previous
        self.run = run
        self.recent = MemoryCaptures(remember)
        self.stats = stats
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="newscrawler-capture")
        self._pending: list[CaptureRef] = []
        self._pending_lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        settings = crawler.settings
        directory = settings.get("NEWSCRAWLER_WARC_DIR")
        if not directory:
            raise NotConfigured("NEWSCRAWLER_WARC_DIR is empty: fetches are not captured")
        spider = crawler.spidercls.name
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        run = crawler.get_extension(RunRecorder)
        info = WarcInfo(
            software=(f"newscrawler/{__version__} (Scrapy {version('scrapy')}, "
                      f"warcio {version('warcio')})"),
            hostname=socket.gethostname(),
            operator=settings.get("NEWSCRAWLER_CONTACT_URL", ""),
            is_part_of=f"newscrawler {spider} {started}",
            user_agent=settings.get("USER_AGENT", ""),
            robots="obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        )
        writer = CaptureWriter(directory, info,
                               max_size=parse_size(settings.get("NEWSCRAWLER_WARC_MAX_SIZE")))
        db_url = settings.get("NEWSCRAWLER_DB")
        open_archive(db_url).dispose()  # created or migrated first, if the spider has not
        stats = crawler.stats
        assert stats is not None
        previous = ArchiveCaptures(
            open_archive(db_url, readonly=True),
            settings.getfloat("NEWSCRAWLER_DB_RETRY_SECONDS", default_seconds()),
            on_reconnect=lambda: stats.inc_value(RECONNECTS))
        middleware = cls(writer, previous, stats=crawler.stats, run=run)
        if run is not None:  # the run's row exists once the spider opens
            crawler.signals.connect(lambda: middleware.part_of_run(run.run_id),
                                    signal=signals.spider_opened, weak=False)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def part_of_run(self, run_id: int | None) -> None:
        """Name the crawl run in the warcinfo (``isPartOf``) of the files to come."""
        if run_id is not None:
            self.writer.info = replace(self.writer.info, is_part_of=f"newscrawler run {run_id}")

    def process_request(self, request: Request) -> None:
        # A redirect or retry copies its meta: it must not carry the last hop's capture.
        request.meta.pop(META_KEY, None)

    async def process_response(self, request: Request, response: Response) -> Response:
        if not _capturable(response):
            return response
        run = self.run
        self._check_storage()
        exchange = exchange_from(request, response)
        loop = asyncio.get_running_loop()
        try:
            ref = await loop.run_in_executor(self._thread, self._capture_unless_stopped,
                                             exchange)
        except (OSError, DBAPIError) as exc:  # writing the WARC; asking the archive
            fault = (warc_fault(exc, self.writer.directory) if isinstance(exc, OSError)
                     else archive_fault(exc, run.db_url) if run is not None else None)
            if run is None or fault is None:
                raise
            run.storage_failed(fault)
            raise IgnoreRequest("storage failed: the crawl is stopping") from exc
        with self._pending_lock:
            self._pending.append(ref)
        request.meta[META_KEY] = ref
        if self.stats is not None:
            self.stats.inc_value(f"newscrawler/capture/{ref.rec_type}")
            self.stats.inc_value("newscrawler/capture/bytes", ref.length)
        return response

    def _check_storage(self) -> None:
        if self.run is not None and self.run.fault is not None:
            raise IgnoreRequest("storage failed: the crawl is stopping")

    def _capture_unless_stopped(self, exchange: Exchange) -> CaptureRef:
        """``capture``, unless storage failed while the fetch waited for the thread."""
        self._check_storage()
        return self.capture(exchange)

    def capture(self, exchange: Exchange) -> CaptureRef:
        """Write one fetch: a revisit when an earlier capture holds its payload."""
        if exchange.status == 304:
            original = self._latest(exchange.url)
            if original is not None:
                return self.writer.write_revisit(exchange, original, "server-not-modified")
        elif 200 <= exchange.status < 300 and exchange.payload and not exchange.truncated:
            original = self._find(exchange.url, exchange.payload_digest)
            if original is not None:
                return self.writer.write_revisit(exchange, original, "identical-payload-digest")
        ref = self.writer.write_response(exchange)
        self.recent.add(ref)  # if whole, later fetches may refer to it
        return ref

    def pending(self) -> list[CaptureRef]:
        """The records written since the last call, in order (not synced yet)."""
        with self._pending_lock:
            refs, self._pending = self._pending, []
        return refs

    def _find(self, url: str, digest: str) -> CaptureRef | None:
        found = self.recent.find(url, digest)
        if found is None and self.previous is not None:
            found = self.previous.find(url, digest)
        return found

    def _latest(self, url: str) -> CaptureRef | None:
        found = self.recent.latest(url)
        if found is None and self.previous is not None:
            found = self.previous.latest(url)
        return found

    def close(self) -> None:
        """After the last fetch and the store's last write: finish and close the file."""
        self._thread.shutdown(wait=True)
        try:
            self.writer.close()
        except OSError as exc:  # the records it held were never recorded in the archive
            logger.warning("The last WARC file could not be closed: %s", exc)
        if isinstance(self.previous, ArchiveCaptures):
            self.previous.engine.dispose()


def exchange_from(request: Request, response: Response) -> Exchange:
    """What went over the wire, as far as Scrapy's HTTP/1.1 handler (Twisted) tells."""
    latency = request.meta.get("download_latency") or 0.0
    ip = response.ip_address
    protocol = response.protocol or ""
    return Exchange(
        url=response.url,
        status=response.status,
        response_headers=_header_pairs(response.headers),
        payload=response.body,
        date=datetime.now(UTC) - timedelta(seconds=latency),
        method=request.method,
        request_headers=_request_headers(request),
        request_body=request.body,
        protocol=protocol if protocol.startswith("HTTP/") else "HTTP/1.1",
        ip_address=str(ip) if ip is not None else None,
        truncated=_truncation(request, response),
    )


def _truncation(request: Request, response: Response) -> str | None:
    reason = next((TRUNCATION_FLAGS[f] for f in response.flags if f in TRUNCATION_FLAGS), None)
    if reason == "unspecified":
        return str(request.meta.get(TRUNCATED) or reason)
    return reason


def _capturable(response: Response) -> bool:
    """Responses that came from the network (not a cache, not a ``file:`` or ``data:`` URL)."""
    return response.url.startswith(("http://", "https://")) and "cached" not in response.flags


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    """One pair per value, in Scrapy's order (repeated headers stay repeated)."""
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


def _request_headers(request: Request) -> list[tuple[str, str]]:
    """The headers Twisted sends: Content-Length for a body first, Host last if unset."""
    pairs = _header_pairs(request.headers)
    if request.body:
        pairs.insert(0, ("Content-Length", str(len(request.body))))
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.append(("Host", _host(request.url)))
    return pairs


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"
