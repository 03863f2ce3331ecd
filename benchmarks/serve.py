"""A threaded stdlib HTTP server on 127.0.0.1 (port 0) serving pages from memory.

``/robots.txt`` allows everything, so crawlers that obey robots.txt fetch every page.
Pages are served as ``text/html`` with no charset: the crawler must tell the encoding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROBOTS = b"User-agent: *\nAllow: /\n"
Resolver = Callable[[str], bytes | None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _PageServer

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            self._send(200, "text/plain", ROBOTS)
            return
        body = self.server.resolve(path)
        if body is None:
            self._send(404, "text/plain", b"not found\n")
            return
        self.server.count_page()
        self._send(200, "text/html", body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: the crawl's own log says what was fetched."""


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, resolve: Resolver) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.resolve = resolve
        self.pages_served = 0  # pages answered 200 (robots.txt and 404s not counted)
        self._lock = threading.Lock()

    def count_page(self) -> None:
        with self._lock:
            self.pages_served += 1


@contextmanager
def serving(resolve: Resolver) -> Iterator[_PageServer]:
    """Serve ``resolve(path) -> bytes | None`` until the block ends; yields the server."""
    server = _PageServer(resolve)
    thread = threading.Thread(target=server.serve_forever, name="bench-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def base_url(server: _PageServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"
