"""What a real crawl's capture keeps of the bytes on the wire, as far as Scrapy exposes them.

A raw socket server answers with odd header casing, interleaved repeated headers, a custom
reason phrase, chunked gzip and HTTP/1.0 with a body cut short; the records are compared
with what was sent. The README's capture section lists the same limits.
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator

import pytest

from newscrawler.capture.reader import iter_captures
from tests.crawling import run_crawl

pytestmark = pytest.mark.e2e

PAGE = b"<html><head><title>Wire</title></head><body><p>" + b"Texte. " * 80 + b"</p></html>"
CHUNKED = (b"HTTP/1.1 203 Fine By Me\r\nx-lower: 1\r\nSet-Cookie: a=1\r\nX-Mixed-CASE: 2\r\n"
           b"set-cookie: b=2\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
           b"Transfer-Encoding: chunked\r\nETag: \"e1\"\r\n\r\n")
SHORT = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"


class RawServer:
    """Answers each request with fixed bytes, then closes the connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests: dict[str, bytes] = {}
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(4096)
                path = data.split()[1].decode()
                self.requests[path] = data
                conn.sendall(self._answer(path))

    @staticmethod
    def _answer(path: str) -> bytes:
        if path == "/chunked":
            body = gzip.compress(PAGE)
            return CHUNKED + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        if path == "/short":
            return SHORT + PAGE[:300]
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> Iterator[tuple[RawServer, dict]]:
    tmp = tmp_path_factory.mktemp("wire")
    server = RawServer()
    urls = tmp / "urls.txt"
    urls.write_text(f"{server.base}/chunked\n{server.base}/short\n")
    result = run_crawl([f"urls_file={urls}"], f"sqlite:///{tmp / 'a.sqlite3'}", tmp / "warc",
                       settings={"DOWNLOAD_FAIL_ON_DATALOSS": "False", "RETRY_ENABLED": "False"})
    server.sock.close()
    assert result.returncode == 0, result.log[-3000:]
    by_url = {(c.url, c.ref.rec_type): c for c in
              iter_captures(tmp / "warc", rec_types=("response", "request"))
              if c.ref.rec_type == "request" or "WARC-IP-Address" in c.warc_headers}
    yield server, by_url


def test_chunked_gzip_response(records) -> None:
    server, by_url = records
    response = by_url[(f"{server.base}/chunked", "response")]
    assert response.protocol == "HTTP/1.1" and response.status == 203
    assert gzip.decompress(response.payload) == PAGE and response.body == PAGE
    names = [name for name, _ in response.headers]
    # Kept: every value, repeats in order, Content-Encoding. Not kept: the server's casing
    # (Twisted and Scrapy title-case names), the interleaving of repeated headers, and
    # Transfer-Encoding (Twisted de-chunks and drops it).
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert ("X-Lower", "1") in response.headers and ("X-Mixed-Case", "2") in response.headers
    assert ("Etag", '"e1"') in response.headers and "Transfer-Encoding" not in names
    assert response.header("Content-Encoding") == "gzip"
    assert response.warc_headers.get("WARC-Truncated") is None


def test_request_record_is_what_was_sent(records) -> None:
    server, by_url = records
    request = by_url[(f"{server.base}/chunked", "request")]
    sent = server.requests["/chunked"].decode().split("\r\n")
    assert sent[0] == "GET /chunked HTTP/1.1"
    sent_headers = [tuple(line.split(": ", 1)) for line in sent[1:] if line]
    assert request.headers == sent_headers


def test_body_cut_by_the_server_is_marked_truncated(records) -> None:
    server, by_url = records
    response = by_url[(f"{server.base}/short", "response")]
    assert response.protocol == "HTTP/1.0"
    assert response.payload == PAGE[:300]
    assert response.warc_headers["WARC-Truncated"] == "disconnect"
    assert ("Content-Length", "5000") in response.headers  # as declared, kept
