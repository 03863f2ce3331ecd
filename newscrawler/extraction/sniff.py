"""Content sniffing: refuse bodies that are not HTML, whatever the server's Content-Type says.

Servers routinely label PDFs, images and archives as ``text/html``; parsing those as HTML
yields garbage "articles", so the magic bytes are checked before any decoding.
"""

from __future__ import annotations

# (magic prefix, offset, name): the signatures a mislabelled news-site response usually has.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"WEBP", 8, "webp"),
    (b"PK\x03\x04", 0, "zip"),
    (b"\x1f\x8b", 0, "gzip"),
    (b"BZh", 0, "bzip2"),
    (b"\xfd7zXZ\x00", 0, "xz"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7z"),
    (b"OggS", 0, "ogg"),
    (b"ID3", 0, "mp3"),
    (b"ftyp", 4, "mp4"),
    (b"wOFF", 0, "woff"),
    (b"wOF2", 0, "woff2"),
)

# UTF-16 text legitimately contains NUL bytes, so the NUL test must not fire on it.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def sniff_binary(body: bytes) -> str | None:
    """Name the binary format of ``body`` (``"pdf"``, ``"png"``, ``"binary"``...), or None.

    None means the body may be HTML (or at least text); it does not prove it is.
    """
    for magic, offset, name in _MAGIC:
        if body[offset : offset + len(magic)] == magic:
            if name == "webp" and not body.startswith(b"RIFF"):
                continue
            return name
    if not body.startswith(_UTF16_BOMS) and b"\x00" in body[:1024]:
        return "binary"
    return None
