"""HTTP/1.1 responses as the fault server writes them: byte strings, pauses and a hang.

A response is a list of parts: ``bytes`` are sent as they are, a ``float`` pauses that many
seconds, ``HANG`` holds the connection open without a word until the client leaves. Every
response closes its connection, so what a broken one leaves behind cannot confuse the next.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Final


class _Hang:
    def __repr__(self) -> str:
        return "HANG"


HANG: Final = _Hang()
Part = bytes | float | _Hang


def head(status: int, headers: dict[str, str | bytes]) -> bytes:
    """Status line and headers; values may be bytes (to send what no encoder would)."""
    reason = HTTPStatus(status).phrase.encode()
    lines = [b"HTTP/1.1 %d %s" % (status, reason)]
    for name, value in {**headers, "Connection": "close"}.items():
        raw = value if isinstance(value, bytes) else value.encode("latin-1")
        lines.append(name.encode() + b": " + raw)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def respond(status: int, headers: dict[str, str | bytes], body: bytes = b"") -> list[Part]:
    """A well-formed response; a Content-Length in ``headers`` is kept, even if it lies."""
    if not any(name.lower() == "content-length" for name in headers):
        headers = {**headers, "Content-Length": str(len(body))}
    return [head(status, headers), body]


def truncated(body: bytes, claimed: int) -> list[Part]:
    """``body`` under a Content-Length of ``claimed`` (more), then the connection drops."""
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(claimed)}
    return [head(200, headers), body]


def chunked_broken(body: bytes) -> list[Part]:
    """A chunked body whose second chunk size is not hexadecimal."""
    headers = {"Content-Type": "text/html; charset=utf-8", "Transfer-Encoding": "chunked"}
    first = body[: len(body) // 2]
    return [head(200, headers), b"%x\r\n%s\r\n" % (len(first), first), b"zz\r\nbroken\r\n"]


def drip(body: bytes, interval: float = 1.0) -> list[Part]:
    """``body`` one byte every ``interval`` seconds (the headers come at once)."""
    parts: list[Part] = [head(200, {"Content-Type": "text/html; charset=utf-8",
                                    "Content-Length": str(len(body))})]
    for index in range(len(body)):
        parts += [body[index : index + 1], interval]
    return parts
