"""Hostile bodies for the fault server: compression bombs, binaries, huge and broken pages.

Bombs are built once per process and cached: each inflates to ``BOMB_BYTES`` of zeros (64
times the crawler's 16 MiB ``DOWNLOAD_MAXSIZE``) from a body of a few hundred kilobytes.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from functools import cache

import brotli

try:  # Python 3.14+
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

BOMB_BYTES = 1 << 30
_MIB = bytes(1 << 20)
_MIBS = BOMB_BYTES >> 20


@cache
def deflate_bomb() -> bytes:
    """A zlib stream (HTTP's ``deflate``) of ``BOMB_BYTES`` zeros.

    Every 1 MiB block is deflated with a full flush, which resets the compressor, so every
    block compresses to the same bytes: repeating them builds the stream at no cost.
    """
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(_MIB) + raw.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(_MIBS):
        adler = zlib.adler32(_MIB, adler)
    return b"\x78\xda" + block * _MIBS + raw.flush(zlib.Z_FINISH) + struct.pack(">I", adler)


@cache
def gzip_bomb() -> bytes:
    """A gzip stream of ``BOMB_BYTES`` zeros (the same trick as ``deflate_bomb``)."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(_MIB) + raw.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(_MIBS):
        crc = zlib.crc32(_MIB, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, BOMB_BYTES & 0xFFFFFFFF)
    return header + block * _MIBS + raw.flush(zlib.Z_FINISH) + trailer


@cache
def brotli_bomb() -> bytes:
    compressor = brotli.Compressor(quality=1)
    return b"".join(compressor.process(_MIB) for _ in range(_MIBS)) + compressor.finish()


@cache
def zstd_bomb() -> bytes:
    compressor = zstd.ZstdCompressor(level=1)
    return b"".join(compressor.compress(_MIB) for _ in range(_MIBS)) + compressor.flush()


@cache
def sitemap_bomb() -> bytes:
    """A gzipped sitemap (the file itself, not a Content-Encoding) that inflates to 1 GiB.

    A valid urlset opening, then whitespace: the XML stays well-formed as far as it goes.
    """
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = raw.compress(head) + raw.flush(zlib.Z_FULL_FLUSH)
    spaces = b" " * (1 << 20)
    block = raw.compress(spaces) + raw.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(_MIBS):
        crc = zlib.crc32(spaces, crc)
    size = len(head) + BOMB_BYTES
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + first + block * _MIBS + raw.flush(zlib.Z_FINISH) + trailer


BOMBS = {"gzip": gzip_bomb, "deflate": deflate_bomb, "br": brotli_bomb, "zstd": zstd_bomb}


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


def tiny_pdf() -> bytes:
    """A one-page PDF that readers open (cross-reference offsets are right)."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ])


def pdf(objects: list[bytes], header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog), with a correct
    cross-reference table."""
    out = header
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)


def tiny_jpeg() -> bytes:
    """An 8x8 mid-grey baseline JPEG, built by hand: one block, DC difference 0, no AC.

    The Huffman tables hold one code each (``0``: DC category 0, AC end-of-block), so the
    whole scan is two bits, padded with ones.
    """
    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15) + b"\x00"
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code)
        + segment(0xC4, b"\x10" + one_code)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f\xff\xd9"
    )
