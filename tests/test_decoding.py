"""Tests of ``decode_html``: BOM, HTTP charset, meta prescan, detection, WHATWG labels."""

from __future__ import annotations

import codecs

import pytest

from newscrawler.extraction import decode_html
from newscrawler.extraction.decoding import header_charset, meta_charset, normalize_charset

FRENCH = (
    "Le cœur de la ville, déjà très animé, s’est réveillé à l’aube : "
    "à la boulangerie, on prépare les croissants et le garçon de café installe la terrasse. "
    "« Ça va être une belle journée », prédit-il en haussant les épaules."
)
ACCENTS = ("é", "à", "ç", "œ", "’", "«")


def _html(meta: str = "") -> str:
    head = f"<head>{meta}<title>Essai</title></head>"
    return f"<!DOCTYPE html><html>{head}<body><p>{FRENCH}</p></body></html>"


def _assert_french(text: str) -> None:
    assert FRENCH in text
    for char in ACCENTS:
        assert char in text


def test_windows_1252_with_http_charset() -> None:
    body = _html().encode("cp1252")
    _assert_french(decode_html(body, {"Content-Type": "text/html; charset=windows-1252"}))


def test_latin1_label_means_windows_1252_like_browsers() -> None:
    # "œ" and "’" only exist in windows-1252 (0x9C, 0x92); ISO-8859-1 proper has C1 controls.
    body = _html().encode("cp1252")
    _assert_french(decode_html(body, {"CONTENT-TYPE": 'text/html; charset="ISO-8859-1"'}))


def test_windows_1252_with_meta_charset_only() -> None:
    body = _html('<meta charset="windows-1252">').encode("cp1252")
    _assert_french(decode_html(body, {"content-type": "text/html"}))


def test_windows_1252_with_http_equiv_meta_only() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    _assert_french(decode_html(_html(meta).encode("cp1252")))


def test_header_wins_over_a_contradicting_meta() -> None:
    body = _html('<meta charset="utf-8">').encode("cp1252")
    _assert_french(decode_html(body, {"Content-Type": "text/html; charset=windows-1252"}))


def test_utf8_bytes_behind_a_wrong_latin1_meta_are_utf8() -> None:
    body = _html('<meta charset="iso-8859-1">').encode("utf-8")
    _assert_french(decode_html(body))


def test_utf8_bytes_behind_a_wrong_latin1_header_are_utf8() -> None:
    body = _html().encode("utf-8")
    _assert_french(decode_html(body, {"Content-Type": "text/html; charset=ISO-8859-1"}))


def test_utf8_bom_beats_declarations() -> None:
    body = codecs.BOM_UTF8 + _html('<meta charset="windows-1252">').encode("utf-8")
    text = decode_html(body, {"Content-Type": "text/html; charset=windows-1252"})
    _assert_french(text)
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_utf16_bom(bom: bytes, codec: str) -> None:
    _assert_french(decode_html(bom + _html().encode(codec), {"Content-Type": "text/html"}))


def test_undeclared_utf8_and_undeclared_windows_1252_are_detected() -> None:
    _assert_french(decode_html(_html().encode("utf-8")))
    _assert_french(decode_html((_html() * 3).encode("cp1252")))


def test_declared_utf8_that_is_not_falls_back_to_detection() -> None:
    body = (_html() * 3).encode("cp1252")
    _assert_french(decode_html(body, {"Content-Type": "text/html; charset=utf-8"}))


def test_unknown_declared_charset_is_ignored() -> None:
    body = _html().encode("utf-8")
    _assert_french(decode_html(body, {"Content-Type": "text/html; charset=x-made-up"}))


def test_label_helpers() -> None:
    assert normalize_charset("latin1") == "cp1252"
    assert normalize_charset("US-ASCII") == "cp1252"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("nonsense") is None
    assert header_charset({"Content-Type": "text/html;charset='utf-8'"}) == "utf-8"
    assert header_charset({"Content-Type": "text/html"}) is None
    assert meta_charset(b'<meta charset="utf-16">') == "utf-8"
    assert meta_charset(b" " * 1100 + b'<meta charset="utf-8">') is None
