"""The fault server answers what each route claims (read with a raw socket, as sent)."""

from __future__ import annotations

import re
import socket
import time
import zlib
from dataclasses import dataclass

import brotli
import pytest

from tests.sites import discovery, pages
from tests.sites.faults import ROBOTS, ROUTES, FaultServer
from tests.sites.payloads import zstd

LIMIT = 17 * 2**20  # just over the crawler's DOWNLOAD_MAXSIZE


@dataclass
class Raw:
    status: int
    headers: dict[str, bytes]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(server: FaultServer, path: str, site: str = "main", wait: float = 10.0) -> Raw:
    """GET ``path``; what the server sends until it closes, or for ``wait`` seconds at most."""
    deadline = time.monotonic() + wait
    with socket.create_connection(("127.0.0.1", server.ports[site]), timeout=wait) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        try:
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                if not (chunk := sock.recv(1 << 20)):
                    break
                data += chunk
        except TimeoutError:
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines[0] else 0
    headers = {k.decode().lower(): v.strip() for k, _, v in
               (line.partition(b":") for line in lines[1:])}
    return Raw(status, headers, body)


def test_article_and_unknown_paths(fault_server):
    page = fetch(fault_server, "/article/plain")
    assert page.status == 200 and "Breakwater finished before winter" in page.text()
    assert fetch(fault_server, "/no/such/route").status == 404


def test_bodies_that_lie_about_their_length(fault_server):
    dropped = fetch(fault_server, "/transport/drop-mid-body")
    assert int(dropped.headers["content-length"]) == 10**6 > len(dropped.body)
    longer = fetch(fault_server, "/transport/length-longer")
    assert int(longer.headers["content-length"]) == 5000 > len(longer.body) == 800
    shorter = fetch(fault_server, "/transport/length-shorter")
    assert int(shorter.headers["content-length"]) == 100 < len(shorter.body)


def test_broken_chunked_encoding(fault_server):
    raw = fetch(fault_server, "/transport/chunked-broken")
    assert raw.headers["transfer-encoding"] == b"chunked"
    size, _, rest = raw.body.partition(b"\r\n")
    assert rest[int(size, 16) + 2 :].startswith(b"zz\r\n")


def test_silent_and_dripping_answers(fault_server):
    silent = fetch(fault_server, "/transport/never-answer", wait=1.0)
    assert silent.status == 0 and silent.body == b""
    dripping = fetch(fault_server, "/transport/drip", wait=1.5)
    assert dripping.status == 200 and int(dripping.headers["content-length"]) == 600
    assert len(dripping.body) < 10


def _inflate(coding: str, body: bytes) -> bytes:
    if coding == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, LIMIT)
    if coding == "deflate":
        return zlib.decompressobj().decompress(body, LIMIT)
    if coding == "br":
        return brotli.Decompressor().process(body, output_buffer_limit=LIMIT)
    return zstd.ZstdDecompressor().decompress(body, max_length=LIMIT)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_compression_bombs(fault_server, coding):
    raw = fetch(fault_server, f"/bomb/{coding}")
    assert raw.headers["content-encoding"] == coding.encode()
    assert len(raw.body) < 2**21
    inflated = _inflate(coding, raw.body)
    assert len(inflated) >= LIMIT and not inflated.strip(b"\0")


def test_bomb_inside_a_gzipped_sitemap(fault_server):
    raw = fetch(fault_server, "/sitemap/bomb.xml.gz")
    inflated = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw.body, LIMIT)
    assert len(inflated) == LIMIT and inflated.startswith(b"<?xml")


def _location(server: FaultServer, path: str) -> str:
    raw = fetch(server, path)
    assert raw.status in (301, 302), path
    return raw.headers["location"].decode()


def test_redirect_loops_and_a_chain_of_30(fault_server):
    assert _location(fault_server, "/redirect/loop") == "/redirect/loop"
    assert _location(fault_server, "/redirect/ping") == "/redirect/pong"
    assert _location(fault_server, "/redirect/pong") == "/redirect/ping"
    refresh = fetch(fault_server, "/redirect/meta-refresh-loop").text()
    assert 'http-equiv="refresh" content="0; url=/redirect/meta-refresh-loop"' in refresh
    path, hops = "/redirect/chain/30", 0
    while path.startswith("/redirect/"):
        path, hops = _location(fault_server, path), hops + 1
    assert (path, hops) == ("/article/plain", 31)


@pytest.mark.parametrize(("route", "target"), [
    ("/redirect/private", "http://10.0.0.1/admin"),
    ("/redirect/loopback", "http://127.0.0.2:{port}/article/plain"),
    ("/redirect/metadata", "http://169.254.169.254/latest/meta-data/"),
    ("/redirect/localhost", "http://localhost:{port}/article/plain"),
    ("/redirect/file", "file:///etc/passwd"),
    ("/redirect/ftp", "ftp://127.0.0.1:{port}/pub/"),
    ("/redirect/data", "data:text/html,<p>injected</p>"),
    ("/redirect/mapped-ipv6", "http://[::ffff:127.0.0.1]:{port}/article/plain"),
    ("/redirect/decimal", "http://2130706433:{port}/article/plain"),
    ("/redirect/hex", "http://0x7f000001:{port}/article/plain"),
])
def test_redirects_to_forbidden_places(fault_server, route, target):
    assert _location(fault_server, route) == target.format(port=fault_server.port)


def test_binaries_served_as_html(fault_server):
    pdf = fetch(fault_server, "/content/pdf-as-html")
    jpeg = fetch(fault_server, "/content/jpeg-as-html")
    for raw in (pdf, jpeg):
        assert raw.headers["content-type"].startswith(b"text/html")
    assert pdf.body.startswith(b"%PDF-1.4") and pdf.body.rstrip().endswith(b"%%EOF")
    assert jpeg.body.startswith(b"\xff\xd8\xff\xe0") and jpeg.body.endswith(b"\xff\xd9")


def test_broken_encodings(fault_server):
    with pytest.raises(UnicodeDecodeError):
        fetch(fault_server, "/content/invalid-utf8").body.decode("utf-8")
    unknown = fetch(fault_server, "/content/unknown-charset")
    assert unknown.headers["content-type"] == b"text/html; charset=x-no-such-charset"
    binary = fetch(fault_server, "/content/binary-content-type").headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        binary.decode("utf-8")
    assert b"\x00\x00" in fetch(fault_server, "/content/nul-bytes").body


def test_huge_pages(fault_server):
    nested = fetch(fault_server, "/content/nested-divs").body
    assert nested.count(b"<div>") == 100_000
    assert len(fetch(fault_server, "/content/huge-text-node").body) > 10 * 2**20
    links = fetch(fault_server, "/content/many-links").body
    assert len(re.findall(rb'<a href="/links/\d+">', links)) == 50_000


@pytest.mark.parametrize("path", ["/sitemap/xxe.xml", "/feed/xxe.xml"])
def test_external_entities(fault_server, path):
    body = fetch(fault_server, path).text()
    assert f'SYSTEM "file://{discovery.SECRET_FILE}"' in body
    assert f'SYSTEM "{fault_server.base}{discovery.CANARY_PATH}"' in body


@pytest.mark.parametrize("path", ["/sitemap/billion-laughs.xml", "/feed/billion-laughs.xml"])
def test_billion_laughs(fault_server, path):
    body = fetch(fault_server, path).text()
    assert "<!ENTITY lol9 " in body and "&lol9;" in body


@pytest.mark.parametrize(("path", "published"), [
    ("/dates/dst-gap", "2025-03-30T02:30:00"),
    ("/dates/no-zone", "2025-03-12T08:15:00"),
    ("/dates/future", "2099-01-01T09:00:00+00:00"),
    ("/dates/before-1990", "1985-06-01T10:00:00+02:00"),
    ("/dates/epoch-ms", "1741767300000"),
])
def test_awkward_dates(fault_server, path, published):
    assert published in fetch(fault_server, path).text()


@pytest.mark.parametrize(("path", "words"), [
    ("/pages/consent-wall", "We value your privacy"),
    ("/pages/paywall", "Subscribe to keep reading"),
    ("/pages/soft-404", "Page not found"),
])
def test_pages_that_answer_200_without_an_article(fault_server, path, words):
    raw = fetch(fault_server, path)
    assert raw.status == 200 and words in raw.text()


def test_one_article_under_20_tracking_variants(fault_server):
    assert len(set(pages.TRACKING_VARIANTS)) == 20
    bodies = {fetch(fault_server, f"/tracking/article{q}").body for q in pages.TRACKING_VARIANTS}
    assert len(bodies) == 1
    index = fetch(fault_server, "/tracking/index").text()
    assert index.count('href="/tracking/article?') == 20


def test_robots_txt_per_site(fault_server):
    statuses = {site: fetch(fault_server, "/robots.txt", site, wait=1.0).status
                for site in ROBOTS}
    assert statuses == {"main": 200, "robots-500": 500, "robots-403": 403, "robots-404": 404,
                        "robots-timeout": 0, "robots-garbage": 200, "robots-5mb": 200,
                        "robots-redirect": 301}
    assert b"Disallow: /forbidden/" in fetch(fault_server, "/robots.txt").body
    with pytest.raises(UnicodeDecodeError):
        fetch(fault_server, "/robots.txt", "robots-garbage").body.decode("utf-8")
    assert len(fetch(fault_server, "/robots.txt", "robots-5mb").body) >= 5 * 2**20
    redirect = fetch(fault_server, "/robots.txt", "robots-redirect").headers["location"]
    assert redirect.decode() == f"http://localhost:{fault_server.port}/robots.txt"
    # every other route is served on every site
    assert fetch(fault_server, "/article/plain", "robots-500").status == 200


@pytest.mark.parametrize("path", [p for p in ROUTES if not p.startswith("/transport/")])
def test_every_route_answers(fault_server, path):
    assert fetch(fault_server, path).status in (200, 301, 302)
