"""Reading captures back: responses, revisits resolved to their payload, decoded bodies."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from io import BytesIO

import brotli
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawler.capture.decoding import DecodingError, decode_payload, zstd
from newscrawler.capture.reader import (
    WarcError,
    find_record,
    iter_captures,
    read_capture,
    read_record_at,
)
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.writer import CaptureWriter

HTML = ("<html><title>Le march\u00e9</title><p>" + "Texte de l'article. " * 200
        + "</p></html>").encode()
INFO = WarcInfo(software="newscrawler/test", hostname="h")


def _exchange(url: str, payload: bytes = HTML, encoding: str = "", status: int = 200,
              headers: list[tuple[str, str]] | None = None) -> Exchange:
    pairs = headers if headers is not None else [("Content-Type", "text/html; charset=utf-8")]
    if encoding:
        pairs = [*pairs, ("Content-Encoding", encoding)]
    return Exchange(url, status, pairs, payload, datetime.now(UTC))


@pytest.mark.parametrize(("encoding", "encode"), [
    ("", lambda b: b),
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
    ("br", brotli.compress),
    ("zstd", zstd.compress),
    ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),
])
def test_stored_bytes_and_decoded_body(tmp_path, encoding, encode) -> None:
    payload = encode(HTML)
    with CaptureWriter(tmp_path, INFO) as writer:
        ref = writer.write_response(_exchange("https://ex.com/a", payload, encoding))
    for length in (ref.length, None):
        capture = read_capture(tmp_path, ref.warc_file, ref.offset, length)
        assert capture.payload == payload
        assert capture.body == HTML
        assert (capture.url, capture.status, capture.ref.length) == (
            "https://ex.com/a", 200, ref.length)
        assert capture.ref.record_id == ref.record_id and capture.original is None


def test_chunked_payload_of_another_tool(tmp_path) -> None:
    """Records written by tools that keep the transfer coding are de-chunked too."""
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                       for part in (gzip.compress(HTML)[:100], gzip.compress(HTML)[100:]))
    chunked += b"0\r\n\r\n"
    http = StatusAndHeaders("200 OK", [("Transfer-Encoding", "chunked"),
                                       ("Content-Encoding", "gzip")], protocol="HTTP/1.1")
    path = tmp_path / "other.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warc_record(
            "https://ex.com/c", "response", payload=BytesIO(chunked), length=len(chunked),
            http_headers=http))
    capture = read_capture(tmp_path, path.name, 0)
    assert capture.payload == chunked and capture.body == HTML


def test_revisits_resolve_to_the_original_payload(tmp_path) -> None:
    payload = gzip.compress(HTML)
    with CaptureWriter(tmp_path, INFO, max_size=2000) as writer:
        original = writer.write_response(_exchange("https://ex.com/a", payload, "gzip"))
        for i in range(3):  # other captures, so the original is in an older file
            writer.write_response(_exchange(f"https://ex.com/{i}", bytes(range(256)) * 8))
        same = writer.write_revisit(_exchange("https://ex.com/a", payload, "gzip"), original,
                                    "identical-payload-digest")
        not_modified = writer.write_revisit(
            _exchange("https://ex.com/a", b"", status=304, headers=[("ETag", '"1"')]),
            original, "server-not-modified")
    assert same.warc_file != original.warc_file
    for ref in (same, not_modified):
        capture = read_capture(tmp_path, ref.warc_file, ref.offset, ref.length)
        assert capture.ref.rec_type == "revisit" and capture.original == original
        assert capture.payload == payload and capture.body == HTML
        assert capture.header("Content-Type") == "text/html; charset=utf-8"
    notmod = read_capture(tmp_path, not_modified.warc_file, not_modified.offset)
    assert notmod.status == 304 and notmod.headers == [("ETag", '"1"')]
    # With the archive's lookup instead of a directory scan:
    located = read_capture(tmp_path, same.warc_file, same.offset,
                           locate={original.record_id: original.location}.get)
    assert located.body == HTML
    assert find_record(tmp_path, original.record_id) == original.location
    assert find_record(tmp_path, "<urn:uuid:nothing>") is None


def test_revisit_without_its_original(tmp_path) -> None:
    with CaptureWriter(tmp_path, INFO) as writer:
        original = writer.write_response(_exchange("https://ex.com/a"))
        revisit = writer.write_revisit(_exchange("https://ex.com/a"), original,
                                       "identical-payload-digest")
    with pytest.raises(WarcError, match="original of revisit"):
        read_capture(tmp_path, revisit.warc_file, revisit.offset, locate=lambda _: None)


def test_iter_captures_reads_every_response_with_its_location(tmp_path) -> None:
    with CaptureWriter(tmp_path, INFO, max_size=3000) as writer:
        refs = [writer.write_response(_exchange(f"https://ex.com/{i}", HTML * (i + 1)))
                for i in range(4)]
        meta = writer.write_metadata(refs[0], {"title": "x"})
    captures = list(iter_captures(tmp_path))
    assert [c.ref for c in captures] == refs
    assert [len(c.body) for c in captures] == [len(HTML) * (i + 1) for i in range(4)]
    assert len({ref.warc_file for ref in refs}) > 1
    metadata = list(iter_captures(tmp_path, [meta.warc_file], rec_types=("metadata",)))
    # Read back, a record says what it refers to by id only (WARC-Refers-To).
    assert [c.ref for c in metadata] == [replace(meta, refers_to=None)]
    assert meta.refers_to == refs[0]
    assert metadata[0].warc_headers["WARC-Refers-To"] == refs[0].record_id


def test_read_errors_are_one_line(tmp_path) -> None:
    with CaptureWriter(tmp_path, INFO) as writer:
        ref = writer.write_response(_exchange("https://ex.com/a"))
    name = ref.warc_file
    with pytest.raises(WarcError, match="is a warcinfo record"):
        read_capture(tmp_path, name, 0)
    with pytest.raises(WarcError, match="unreadable"):
        read_capture(tmp_path, name, ref.offset + 3)
    with pytest.raises(WarcError, match="no record"):
        read_capture(tmp_path, name, 10**6)
    for bad in ("../../etc/passwd", "missing.warc.gz"):
        with pytest.raises(WarcError, match="no WARC file"):
            read_capture(tmp_path, bad, 0)
    request = read_record_at(tmp_path, name, ref.offset + ref.length)
    assert request.ref.rec_type == "request" and request.status is None
    with pytest.raises(WarcError, match="is a request record"):
        read_capture(tmp_path, name, ref.offset + ref.length)


def test_decoding_refuses_bombs_and_unknown_codings() -> None:
    bomb = gzip.compress(b"\0" * (2 * 2**20))
    assert len(decode_payload(bomb, "gzip", max_size=4 * 2**20)) == 2 * 2**20
    for coding, data in (("gzip", bomb), ("br", brotli.compress(b"\0" * 2**21)),
                         ("zstd", zstd.compress(b"\0" * 2**21))):
        with pytest.raises(DecodingError, match="over 1048576 bytes"):
            decode_payload(data, coding, max_size=2**20)
    with pytest.raises(DecodingError, match="unknown Content-Encoding 'x-foo'"):
        decode_payload(b"abc", "x-foo")
    with pytest.raises(DecodingError, match="corrupt gzip"):
        decode_payload(b"not gzip at all", "gzip")
    two_members = gzip.compress(b"one ") + gzip.compress(b"two")
    assert decode_payload(two_members, "gzip") == b"one two"


def test_a_file_torn_by_a_crash_reads_up_to_the_damage(tmp_path, caplog) -> None:
    with CaptureWriter(tmp_path / "warc", INFO) as writer:
        refs = [writer.write_response(_exchange(f"https://ex.com/{i}", bytes(range(256)) * 20))
                for i in range(3)]
    data = (tmp_path / "warc" / refs[0].warc_file).read_bytes()
    torn = tmp_path / "warc" / "torn.warc.gz"
    torn.write_bytes(data[:refs[2].offset + refs[2].length // 2])  # killed mid-record
    assert [c.ref.offset for c in iter_captures(tmp_path / "warc", [torn.name])] == [
        refs[0].offset, refs[1].offset]
    assert f"Stopped reading torn.warc.gz at offset {refs[2].offset}" in caplog.text
    with pytest.raises(WarcError, match="unreadable|no record"):
        read_capture(tmp_path / "warc", torn.name, refs[2].offset, refs[2].length)
    assert read_capture(tmp_path / "warc", torn.name, refs[1].offset).url == "https://ex.com/1"
