"""The hostile responses of the trap site: what a careless crawler chokes on.

A gzip bomb, a page that drips one byte a second, binaries labelled ``text/html``,
redirects to private or foreign hosts, and an endless calendar.
"""

from __future__ import annotations

import struct
import threading
import zlib

from newscrawler.demo.site import Response, redirect

from .payloads import pdf

BOMB_MIB = 1024  # decompressed size; compresses to about 1 MB
_bomb_lock = threading.Lock()
_bomb: bytes | None = None


def gzip_bomb() -> bytes:
    """A valid gzip stream of ``BOMB_MIB`` MiB of zeros, built once (about 0.3 s) and cached.

    Each 1 MiB chunk is deflated with a full flush, which resets the compressor, so every
    chunk compresses to the same bytes: repeating them builds the stream without
    compressing a gibibyte.
    """
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            _bomb = _build_bomb(BOMB_MIB)
        return _bomb


def _build_bomb(mebibytes: int) -> bytes:
    chunk = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: we write the gzip frame
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0
    trailer = struct.pack("<II", crc, (mebibytes << 20) & 0xFFFFFFFF)
    return header + block * mebibytes + end + trailer


def bomb_response() -> Response:
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    return Response(200, headers, gzip_bomb(), cacheable=False)


def slow_response(seconds: int = 600) -> Response:
    """An HTML page of ``seconds`` bytes, sent one byte per second."""
    head = b"<!DOCTYPE html><html><head><title>Chargement...</title></head><body><p>"
    tail = b"</p></body></html>\n"
    body = head + b"." * max(0, seconds - len(head) - len(tail)) + tail
    return Response(
        200, {"Content-Type": "text/html; charset=utf-8"}, body, cacheable=False, drip=1.0
    )


def pdf_as_html() -> Response:
    """A small real PDF, mislabelled as HTML (as some CMS download links are)."""
    out = pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 720 Td (Rapport) Tj ET\nendstream",
    ], header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    return Response(200, {"Content-Type": "text/html; charset=utf-8"}, out, cacheable=False)


def png_as_html() -> Response:
    """A 16x16 grey PNG, mislabelled as HTML."""
    raw = b"".join(b"\x00" + b"\x80" * 16 for _ in range(16))  # filter byte + 16 grey pixels

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return Response(200, {"Content-Type": "text/html"}, png, cacheable=False)


def redirect_trap(path: str, base: str) -> Response | None:
    """Redirects a crawler must refuse to follow: private addresses and a foreign host."""
    port = base.rsplit(":", 1)[-1] if base.count(":") == 2 else "80"
    targets = {
        "/redirect-externe/": "http://10.0.0.1/secret",
        "/redirect-local/": f"http://127.0.0.2:{port}/admin",
        "/partenaire/": "http://example.invalid/",
    }
    return redirect(targets[path]) if path in targets else None


def calendar_month(path: str) -> tuple[int, int] | None:
    """``/calendrier/2026/03/`` -> (2026, 3); None for anything else."""
    parts = path.strip("/").split("/")
    if len(parts) != 3 or parts[0] != "calendrier" or not (parts[1] + parts[2]).isdigit():
        return None
    year, month = int(parts[1]), int(parts[2])
    return (year, month) if 1000 <= year <= 9999 and 1 <= month <= 12 else None


def neighbour_months(year: int, month: int) -> tuple[str, str]:
    """The calendar paths of the previous and next month: the trap never ends."""
    prev_y, prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_y, next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"/calendrier/{prev_y}/{prev_m:02d}/", f"/calendrier/{next_y}/{next_m:02d}/"


TRAP_LINKS = [
    ("/bombe/", "Les archives compressées"),
    ("/lent/", "Le direct (chargement lent)"),
    ("/docs/rapport-annuel/", "Rapport annuel"),
    ("/galerie/photo-du-jour/", "La photo du jour"),
    ("/redirect-externe/", "Espace partenaires"),
    ("/redirect-local/", "Administration"),
    ("/partenaire/", "Notre partenaire"),
    ("/ancien-article/", "Un ancien article"),
    ("/page-qui-n-existe-pas/", "Lien cassé"),
]
