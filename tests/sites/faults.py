"""A fault-injecting HTTP server: every way a site or a network can hurt a crawler.

Started once per test session (the ``fault_server`` fixture in tests/conftest.py) on
127.0.0.1, port 0. Raw sockets, so that a route can do what no HTTP library would: drop the
connection mid-body, lie about Content-Length, break chunked encoding, never answer, send
one byte a second. ``ROUTES`` is the list; ``FaultServer.url(path)`` builds a route's URL
and ``FaultServer.seen()`` tells which requests arrived (port, path, Host header).

robots.txt belongs to a host and port, so each robots.txt behaviour is a site of its own: a
port of its own (``ROBOTS``; ``FaultServer.url(path, site=...)``), serving the same routes
otherwise. "Another host" on this one machine is ``localhost`` against ``127.0.0.1``.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from tests.sites import discovery, pages, payloads
from tests.sites.wire import HANG, Part, chunked_broken, drip, respond, truncated

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Ask:
    """What a route knows of the request: the path, the site it came to, the main site's URL."""

    path: str
    query: str
    site: str
    base: str  # http://127.0.0.1:PORT of the main site
    port: int  # the main site's port


def _html(text: str, status: int = 200) -> list[Part]:
    return respond(status, {"Content-Type": HTML}, text.encode())


def _redirect(location: str, status: int = 302) -> list[Part]:
    return respond(status, {"Location": location, "Content-Type": HTML})


def _xml(text: str, content_type: str = "application/xml") -> list[Part]:
    return respond(200, {"Content-Type": content_type}, text.encode())


def _bomb(coding: str) -> Callable[[Ask], list[Part]]:
    return lambda ask: respond(200, {"Content-Type": HTML, "Content-Encoding": coding},
                               payloads.BOMBS[coding]())


def _article(title: str, **fields: object) -> Callable[[Ask], list[Part]]:
    return lambda ask: _html(pages.article(title, **fields))  # type: ignore[arg-type]


def _chain(ask: Ask) -> list[Part]:
    left = int(ask.path.rsplit("/", 1)[1] or 0)
    return _redirect(f"/redirect/chain/{left - 1}" if left > 0 else "/article/plain")


ARTICLE = pages.article("Breakwater finished before winter")

ROUTES: dict[str, Callable[[Ask], list[Part]]] = {
    "/article/plain": lambda ask: _html(ARTICLE),
    # transport
    "/transport/drop-mid-body": lambda ask: truncated(ARTICLE.encode(), claimed=10**6),
    "/transport/length-longer": lambda ask: truncated(ARTICLE.encode()[:800], claimed=5000),
    "/transport/length-shorter": lambda ask: respond(
        200, {"Content-Type": HTML, "Content-Length": "100"}, ARTICLE.encode()),
    "/transport/chunked-broken": lambda ask: chunked_broken(ARTICLE.encode()),
    "/transport/never-answer": lambda ask: [HANG],
    "/transport/drip": lambda ask: drip(ARTICLE.encode()[:600]),
    # compression bombs
    "/bomb/gzip": _bomb("gzip"),
    "/bomb/deflate": _bomb("deflate"),
    "/bomb/br": _bomb("br"),
    "/bomb/zstd": _bomb("zstd"),
    "/sitemap/plain.xml": lambda ask: _xml(discovery.sitemap_plain(ask.base)),
    "/sitemap/bomb.xml.gz": lambda ask: respond(
        200, {"Content-Type": "application/x-gzip"}, payloads.sitemap_bomb()),
    # redirects
    "/redirect/loop": lambda ask: _redirect("/redirect/loop"),
    "/redirect/ping": lambda ask: _redirect("/redirect/pong"),
    "/redirect/pong": lambda ask: _redirect("/redirect/ping"),
    "/redirect/meta-refresh-loop": lambda ask: _html(
        pages.meta_refresh("/redirect/meta-refresh-loop")),
    "/redirect/chain/30": _chain,  # /29, /28 ... /0, then the article
    "/redirect/private": lambda ask: _redirect("http://10.0.0.1/admin"),
    "/redirect/loopback": lambda ask: _redirect(f"http://127.0.0.2:{ask.port}/article/plain"),
    "/redirect/metadata": lambda ask: _redirect("http://169.254.169.254/latest/meta-data/"),
    "/redirect/localhost": lambda ask: _redirect(f"http://localhost:{ask.port}/article/plain"),
    "/redirect/file": lambda ask: _redirect("file:///etc/passwd"),
    "/redirect/ftp": lambda ask: _redirect(f"ftp://127.0.0.1:{ask.port}/pub/"),
    "/redirect/data": lambda ask: _redirect("data:text/html,<p>injected</p>"),
    "/redirect/mapped-ipv6": lambda ask: _redirect(
        f"http://[::ffff:127.0.0.1]:{ask.port}/article/plain"),
    "/redirect/decimal": lambda ask: _redirect(f"http://2130706433:{ask.port}/article/plain"),
    "/redirect/hex": lambda ask: _redirect(f"http://0x7f000001:{ask.port}/article/plain"),
    # content
    "/content/pdf-as-html": lambda ask: respond(200, {"Content-Type": HTML}, payloads.tiny_pdf()),
    "/content/jpeg-as-html": lambda ask: respond(
        200, {"Content-Type": HTML}, payloads.tiny_jpeg()),
    "/content/invalid-utf8": lambda ask: respond(
        200, {"Content-Type": HTML},
        ARTICLE.encode().replace(b"harbour", b"harb\xff\xfe\xc3(our")),
    "/content/unknown-charset": lambda ask: respond(
        200, {"Content-Type": "text/html; charset=x-no-such-charset"},
        pages.article("Unknown charset", charset="x-no-such-charset").encode()),
    "/content/binary-content-type": lambda ask: respond(
        200, {"Content-Type": b"text/html; charset=\xff\xfe\x80"}, ARTICLE.encode()),
    "/content/nested-divs": lambda ask: _html(pages.nested_divs()),
    "/content/huge-text-node": lambda ask: _html(pages.huge_text_node()),
    # NUL bytes past the first kilobyte, where a binary sniff looks: a CMS bug, not a binary.
    "/content/nul-bytes": lambda ask: respond(
        200, {"Content-Type": HTML}, ARTICLE.encode().replace(b"dredged", b"dre\x00\x00dged")),
    "/content/many-links": lambda ask: _html(pages.many_links()),
    # discovery documents
    "/sitemap/xxe.xml": lambda ask: _xml(discovery.sitemap_xxe(ask.base)),
    "/sitemap/billion-laughs.xml": lambda ask: _xml(discovery.sitemap_laughs(ask.base)),
    "/feed/xxe.xml": lambda ask: _xml(discovery.feed_xxe(ask.base), "application/rss+xml"),
    "/feed/billion-laughs.xml": lambda ask: _xml(
        discovery.feed_laughs(ask.base), "application/rss+xml"),
    discovery.CANARY_PATH: lambda ask: _html("<p>an external entity was resolved</p>"),
    # dates
    "/dates/dst-gap": _article("Clocks went forward", published="2025-03-30T02:30:00",
                               date_text=", 30 March 2025, 02:30 Paris time"),
    "/dates/no-zone": _article("No time zone", published="2025-03-12T08:15:00"),
    "/dates/future": _article("From the future", published="2099-01-01T09:00:00+00:00"),
    "/dates/before-1990": _article("From the archive", published="1985-06-01T10:00:00+02:00"),
    "/dates/epoch-ms": _article("Epoch milliseconds", published=None,
                                jsonld_date=1741767300000),
    # pages that answer 200 without the article
    "/pages/consent-wall": lambda ask: _html(pages.consent_wall()),
    "/pages/paywall": lambda ask: _html(pages.paywall_teaser()),
    "/pages/soft-404": lambda ask: _html(pages.soft_404()),
    "/tracking/article": _article("Breakwater finished before winter"),
    "/tracking/index": lambda ask: _html(pages.tracking_index()),
}

# robots.txt of each site: the main site's forbids one section; the others misbehave.
ROBOTS: dict[str, Callable[[Ask], list[Part]]] = {
    "main": lambda ask: respond(200, {"Content-Type": "text/plain"},
                                b"User-agent: *\nDisallow: /forbidden/\n"),
    "robots-500": lambda ask: respond(500, {"Content-Type": "text/plain"}, b"oops"),
    "robots-403": lambda ask: respond(403, {"Content-Type": "text/plain"}, b"forbidden"),
    "robots-404": lambda ask: respond(404, {"Content-Type": "text/plain"}, b"not found"),
    "robots-timeout": lambda ask: [HANG],
    "robots-garbage": lambda ask: respond(200, {"Content-Type": "text/plain"},
                                          discovery.robots_garbage()),
    "robots-5mb": lambda ask: respond(200, {"Content-Type": "text/plain"},
                                      discovery.robots_huge()),
    "robots-redirect": lambda ask: _redirect(f"http://localhost:{ask.port}/robots.txt", 301),
}


def route(ask: Ask) -> list[Part]:
    """The answer to one request: its site's robots.txt, a route, or a 404."""
    if ask.path == "/robots.txt":
        return ROBOTS[ask.site](ask)
    handler = ROUTES.get(ask.path)
    if handler is None and ask.path.startswith("/redirect/chain/"):
        handler = _chain
    if handler is None:
        return _html(pages.soft_404(), status=404)
    return handler(ask)


@dataclass(frozen=True)
class Seen:
    """One request as it arrived."""

    site: str
    method: str
    target: str  # path and query, as sent
    host: str  # the Host header


class FaultServer:
    """The fault routes on 127.0.0.1: one port per site in ``ROBOTS`` (``main`` first)."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._servers = {site: _Listener(self, site) for site in ROBOTS}
        self.port = self.ports["main"]
        self.base = f"http://127.0.0.1:{self.port}"

    @property
    def ports(self) -> dict[str, int]:
        return {site: server.server_address[1] for site, server in self._servers.items()}

    def url(self, path: str, site: str = "main", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.ports[site]}{path}"

    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    def start(self) -> FaultServer:
        for site, server in self._servers.items():
            # A short poll: stopping waits for every listener's loop to notice.
            threading.Thread(target=server.serve_forever, args=(0.1,), name=f"faults-{site}",
                             daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class _Listener(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, faults: FaultServer, site: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.faults, self.site = faults, site


class _Handler(socketserver.BaseRequestHandler):
    server: _Listener

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(30)
        head = _read_head(sock)
        if head is None:
            return
        method, target, host = head
        faults = self.server.faults
        faults.record(Seen(self.server.site, method, target, host))
        path, _, query = target.partition("?")
        ask = Ask(path, query, self.server.site, faults.base, faults.port)
        _send(sock, route(ask), faults.stopping)


def _read_head(sock: socket.socket) -> tuple[str, str, str] | None:
    """(method, target, Host) of the request on ``sock``; None if it is not HTTP."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        try:
            chunk = sock.recv(4096)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    host = next((line.split(":", 1)[1].strip() for line in lines[1:]
                 if line.lower().startswith("host:")), "")
    return parts[0], parts[1], host


def _send(sock: socket.socket, parts: list[Part], stopping: threading.Event) -> None:
    """Write ``parts``: bytes are sent, a number pauses, HANG waits for the client to leave."""
    try:
        for part in parts:
            if part is HANG:
                _wait_for_close(sock, stopping)
                return
            if isinstance(part, float):
                if stopping.wait(part):
                    return
                continue
            sock.sendall(part)
    except OSError:  # the client hung up (size limits, timeouts): its right
        return


def _wait_for_close(sock: socket.socket, stopping: threading.Event) -> None:
    while not stopping.is_set():
        readable, _, _ = select.select([sock], [], [], 0.5)
        if readable and not sock.recv(4096):
            return
