"""CPU per page of WARC capture: what the reactor pays and what the capture thread pays.

Builds the Scrapy responses of the 207 eval pages, served uncompressed (as the bench
server serves them) and gzip-compressed (as most news sites do), and times in this process:
the reactor's part (copying request and response into an ``Exchange``), the capture
thread's part (``CaptureMiddleware.capture``: digests, records, gzip, write), and, for
comparison, warcio compressing the same records itself (level 9). Offline; the product
never reads it.

    .venv/bin/python -m benchmarks.capture_cost [EVAL_DIR]
"""

from __future__ import annotations

import gzip
import ipaddress
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from warcio.warcwriter import WARCWriter

from newscrawler.capture.middleware import CaptureMiddleware, exchange_from
from newscrawler.capture.records import Exchange, RecordFactory, WarcInfo
from newscrawler.capture.writer import CaptureWriter

from .corpus import DEFAULT_EVAL_DIR, load_pages

HEADERS = {"Content-Type": "text/html; charset=utf-8", "Server": "nginx",
           "Date": "Fri, 04 Dec 2026 19:07:45 GMT", "Cache-Control": "max-age=60",
           "Set-Cookie": ["a=1; Path=/", "b=2; Path=/"], "Vary": "Accept-Encoding"}
REQUEST_HEADERS = {"User-Agent": "newscrawler/bench", "Accept": "text/html",
                   "Accept-Encoding": "gzip, deflate, br, zstd"}


def responses(bodies: list[bytes], encoded: bool) -> list[tuple[Request, HtmlResponse]]:
    pairs = []
    for n, body in enumerate(bodies):
        headers = dict(HEADERS)
        if encoded:
            body = gzip.compress(body, 6)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        request = Request(f"https://news.example/{n}.html", headers=REQUEST_HEADERS,
                          meta={"download_latency": 0.1})
        pairs.append((request, HtmlResponse(request.url, status=200, headers=headers,
                                            body=body, request=request, protocol="HTTP/1.1",
                                            ip_address=ipaddress.ip_address("192.0.2.1"))))
    return pairs


def cpu_ms(work: Callable[[], object], count: int) -> float:
    """Best of three runs, in milliseconds of process CPU per item."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best / count * 1000


def warcio_level9(exchanges: list[Exchange]) -> None:
    factory, writer = RecordFactory(), WARCWriter(BytesIO(), gzip=True, warc_version="1.1")
    for exchange in exchanges:
        writer.write_record(factory.response(exchange))


def capture_all(exchanges: list[Exchange], directory: Path) -> None:
    """A fresh middleware per run: every page is new, none becomes a revisit."""
    middleware = CaptureMiddleware(CaptureWriter(Path(tempfile.mkdtemp(dir=directory)),
                                                 WarcInfo("bench", "h")))
    for exchange in exchanges:
        middleware.capture(exchange)
    middleware.close()


def measure(label: str, pairs: list[tuple[Request, HtmlResponse]]) -> None:
    exchanges = [exchange_from(r, s) for r, s in pairs]
    with tempfile.TemporaryDirectory() as tmp:
        reactor = cpu_ms(lambda: [exchange_from(r, s) for r, s in pairs], len(pairs))
        thread = cpu_ms(lambda: capture_all(exchanges, Path(tmp)), len(pairs))
        level9 = cpu_ms(lambda: warcio_level9(exchanges), len(pairs))
        written = sum(p.stat().st_size for p in Path(tmp).rglob("*.warc.gz")) / 3
    print(f"{label:14} {reactor:8.3f} {thread:8.2f} {level9:9.2f} "
          f"{written / len(pairs) / 1024:9.1f}")


def main(eval_dir: Path) -> None:
    bodies = [page.body for page in load_pages(eval_dir)]
    size = sum(map(len, bodies)) / len(bodies) / 1024
    print(f"{len(bodies)} pages, {size:.0f} KiB of HTML on average; ms of CPU per page")
    print(f"{'served':14} {'reactor':>8} {'capture':>8} {'warcio-9':>9} {'WARC KiB':>9}")
    for label, encoded in (("uncompressed", False), ("gzip", True)):
        measure(label, responses(bodies, encoded))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_EVAL_DIR)
