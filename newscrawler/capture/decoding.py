"""Undo the transfer and content codings of a stored payload: the bytes a browser renders.

Captures keep the payload as the server sent it (``Content-Encoding`` and all); readers
(``show --raw``, ``reextract``) want the document. Every decoder stops at ``max_size``
bytes, so a stored decompression bomb is refused rather than expanded.
"""

from __future__ import annotations

import sys
import zlib
from io import BytesIO

import brotli
from warcio.bufferedreaders import ChunkedDataReader

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

__all__ = ["DecodingError", "decode_payload"]


class DecodingError(ValueError):
    """The payload cannot be decoded (unknown coding, corrupt data, over the size limit)."""


def decode_payload(payload: bytes, content_encoding: str = "", transfer_encoding: str = "",
                   max_size: int = 64 * 2**20) -> bytes:
    """``payload`` de-chunked and with its content codings undone, last applied first."""
    if "chunked" in transfer_encoding.lower():
        payload = ChunkedDataReader(BytesIO(payload)).read()
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        payload = _decode(coding, payload, max_size)
        if len(payload) > max_size:
            raise DecodingError(f"decoded body is over {max_size} bytes")
    return payload


def _decode(coding: str, data: bytes, max_size: int) -> bytes:
    try:
        if coding in ("gzip", "x-gzip"):
            return _inflate(data, zlib.MAX_WBITS | 32, max_size)
        if coding == "deflate":
            try:
                return _inflate(data, zlib.MAX_WBITS, max_size)
            except zlib.error:  # servers often send raw deflate under this name
                return _inflate(data, -zlib.MAX_WBITS, max_size)
        if coding == "br":
            out = brotli.Decompressor().process(data, output_buffer_limit=max_size + 1)
        elif coding == "zstd":
            out = zstd.ZstdDecompressor().decompress(data, max_length=max_size + 1)
        elif coding == "identity":
            out = data
        else:
            raise DecodingError(f"unknown Content-Encoding {coding!r}")
    except (zlib.error, brotli.error, zstd.ZstdError, EOFError) as exc:
        raise DecodingError(f"corrupt {coding} payload: {exc}") from None
    return out


def _inflate(data: bytes, wbits: int, max_size: int) -> bytes:
    """Inflate every member (gzip allows several), never past ``max_size`` + 1 bytes."""
    out = bytearray()
    while data:
        decompressor = zlib.decompressobj(wbits)
        out += decompressor.decompress(data, max_size + 1 - len(out))
        if len(out) > max_size:
            raise DecodingError(f"decoded body is over {max_size} bytes")
        if not decompressor.eof:
            break  # truncated member: keep what it held
        data = decompressor.unused_data.lstrip(b"\0")
    return bytes(out)

