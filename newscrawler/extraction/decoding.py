"""Turn an HTML body into text the way browsers do (WHATWG "determine the encoding").

Order: byte-order mark, then the HTTP ``Content-Type`` charset, then a ``<meta>`` charset
in the first 1024 bytes, then detection. One deliberate departure from browsers: when a
single-byte legacy charset is declared (ISO-8859-1, windows-1252...) but the bytes are valid
UTF-8 containing multi-byte sequences, UTF-8 wins. Legacy text is practically never valid
UTF-8 by accident, while "UTF-8 page behind a latin-1 default" is a common misconfiguration.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Mapping

from charset_normalizer import from_bytes

LOGGER = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG Encoding Standard label mappings that differ from Python's codec aliases.
_WHATWG_LABELS = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
}

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def normalize_charset(label: str) -> str | None:
    """Map a charset label to a Python codec name, WHATWG-style; None if unknown."""
    label = label.strip().lower()
    label = _WHATWG_LABELS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _WHATWG_LABELS.get(name, name)


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset parameter of a Content-Type header (keys compared case-insensitively)."""
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            match = _CHARSET_PARAM.search(value)
            return normalize_charset(match.group(1)) if match else None
    return None


def meta_charset(body: bytes) -> str | None:
    """The charset of the first ``<meta charset>`` / ``http-equiv`` in the first 1024 bytes."""
    match = _META_CHARSET.search(body[:1024])
    if not match:
        return None
    charset = normalize_charset(match.group(1).decode("ascii", "replace"))
    # A meta tag cannot truthfully declare UTF-16: the bytes it was read from are ASCII.
    if charset and charset.startswith("utf-16"):
        return "utf-8"
    return charset


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> str:
    """Decode an HTML body to text; never raises, undecodable bytes become U+FFFD."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    declared = header_charset(headers) or meta_charset(body)
    if declared and _is_single_byte(declared):
        if _is_multibyte_utf8(body):
            return body.decode("utf-8")
        # Browsers map the few bytes Python's cp1252 leaves undefined; nothing to detect.
        return body.decode(declared, errors="replace")
    if declared:
        try:
            return body.decode(declared)
        except UnicodeDecodeError:
            LOGGER.debug("body does not decode strictly as declared %s", declared)
    elif body.isascii() or _is_multibyte_utf8(body):
        return body.decode("utf-8")
    return _detect(body, declared)


def _detect(body: bytes, declared: str | None) -> str:
    """Decode with the best detected charset, else the declaration, else windows-1252."""
    if declared != "utf-8" and _is_multibyte_utf8(body):
        return body.decode("utf-8")
    best = from_bytes(body[:65536]).best()
    encoding = normalize_charset(best.encoding) if best else None
    return body.decode(encoding or declared or "cp1252", errors="replace")


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "iso8859", "latin", "mac-roman", "cp874"))


def _is_multibyte_utf8(body: bytes) -> bool:
    """True when ``body`` is valid UTF-8 and uses at least one non-ASCII sequence."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
