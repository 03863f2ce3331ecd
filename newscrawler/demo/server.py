"""Serve a ``Site`` over HTTP on 127.0.0.1 from a background thread (stdlib only).

Threaded, so one slow or stuck client (the ``/lent/`` trap) never blocks the others.
Every request is logged as ``(method, path)`` for tests to assert on what was fetched.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from newscrawler.demo.site import Response, Site

logger = logging.getLogger(__name__)


class SiteServer:
    """A context manager running ``site`` on ``host:port`` (port 0: any free port)."""

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.requests: list[tuple[str, str]] = []
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        bound_host, bound_port = self._httpd.server_address[:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> SiteServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"SiteServer-{self.site.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests and end dripping responses; idempotent."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def log(self, method: str, path: str) -> None:
        with self._log_lock:
            self.requests.append((method, path))

    def paths(self) -> list[str]:
        """The paths requested so far (a copy, safe to iterate while serving)."""
        with self._log_lock:
            return [path for _, path in self.requests]


def _handler_for(server: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "NewscrawlerDemo/1.0"
        timeout = 30  # idle keep-alive connections must not pin threads forever

        def do_GET(self) -> None:
            self._answer("GET")

        def do_HEAD(self) -> None:
            self._answer("HEAD")

        def _answer(self, method: str) -> None:
            server.log(method, self.path)
            try:
                response = server.site.handle(method, self.path, self.headers)
            except Exception:  # a bug in a site must show up as a 500, not a dropped socket
                logger.exception("demo site failed on %s %s", method, self.path)
                response = Response(500, {"Content-Type": "text/plain"}, b"internal error")
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if method == "HEAD" or not response.body:
                return
            if response.drip > 0:
                self._drip(response)
                return
            try:
                self.wfile.write(response.body)
            except OSError:  # crawlers hang up mid-body (size limits, the bomb): not an error
                self.close_connection = True

        def _drip(self, response: Response) -> None:
            # One byte at a time; a closed client or a stopping server ends it early.
            self.close_connection = True
            for i in range(len(response.body)):
                if server._stopping.wait(response.drip if i else 0):
                    return
                try:
                    self.wfile.write(response.body[i : i + 1])
                    self.wfile.flush()
                except OSError:
                    return

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: tests read ``SiteServer.requests`` instead of stderr."""

    return Handler
