"""CaptureWriter: WARC 1.1 records of every kind, digests, rollover, files of its own, sync."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import subprocess
import sys
import threading
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.refs import CaptureRef
from newscrawler.capture.size import parse_size
from newscrawler.capture.writer import CaptureWriter

HTML = "<html><head><title>Caf\u00e9</title></head><body><p>Cr\u00e8me</p></body></html>".encode()
WHEN = datetime(2024, 3, 5, 14, 30, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
INFO = WarcInfo(software="newscrawler/test", hostname="crawler-1", operator="https://ops.example",
                is_part_of="run 7", user_agent="newscrawler/test (+https://ops.example)",
                robots="obey")


def _exchange(url: str = "https://ex.com/a?x=1", status: int = 200, payload: bytes = HTML,
              headers: list[tuple[str, str]] | None = None, **extra) -> Exchange:
    headers = headers if headers is not None else [("Content-Type", "text/html")]
    return Exchange(url, status, headers, payload, WHEN,
                    request_headers=[("User-Agent", "newscrawler/test"), ("Host", "ex.com")],
                    **extra)


def _records(path: Path) -> list:
    with open(path, "rb") as stream:
        out = []
        for record in ArchiveIterator(stream):
            out.append((record, record.content_stream().read()))
        return out


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_response_and_request_records(tmp_path) -> None:
    gz = gzip.compress(HTML)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
               ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Length", str(len(gz)))]
    with CaptureWriter(tmp_path, INFO) as writer:
        ref = writer.write_response(_exchange(payload=gz, headers=headers,
                                              ip_address="192.0.2.7", protocol="HTTP/1.0"))
    (path,) = tmp_path.iterdir()
    (info, info_block), (response, body), (request, _) = _records(path)
    assert info.rec_type == "warcinfo" and response.rec_type == "response"
    fields = dict(line.split(": ", 1) for line in info_block.decode().splitlines())
    assert fields["isPartOf"] == "run 7" and fields["operator"] == "https://ops.example"
    assert fields["http-header-user-agent"].startswith("newscrawler/test")
    assert fields["robots"] == "obey" and fields["hostname"] == "crawler-1"
    assert fields["format"] == "WARC File Format 1.1"
    warc = response.rec_headers
    assert warc.protocol == "WARC/1.1"
    assert warc.get_header("WARC-Date") == "2024-03-05T13:30:00.123456Z"
    assert warc.get_header("WARC-IP-Address") == "192.0.2.7"
    # The payload as the server sent it: compressed, its digest that of the gzip bytes.
    assert warc.get_header("WARC-Payload-Digest") == _sha1(gz) == ref.payload_digest
    assert body == HTML  # warcio decodes the Content-Encoding it finds
    assert response.http_headers.statusline == "200 OK"
    assert response.http_headers.protocol == "HTTP/1.0"
    assert response.http_headers.get_header("Content-Encoding") == "gzip"
    assert [v for k, v in response.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert request.rec_type == "request"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == ref.record_id
    assert request.rec_headers.get_header("WARC-Date") == warc.get_header("WARC-Date")
    assert request.http_headers.protocol == "GET"
    assert request.http_headers.statusline == "/a?x=1 HTTP/1.1"
    assert request.http_headers.get_header("Host") == "ex.com"
    assert ref == CaptureRef(path.name, ref.offset, ref.length, warc.get_header("WARC-Record-ID"),
                             WHEN.astimezone(UTC), "https://ex.com/a?x=1", _sha1(gz), 200,
                             "response")
    with open(path, "rb") as stream:  # (offset, length) is exactly the response's member
        stream.seek(ref.offset)
        member = zlib.decompressobj(31).decompress(stream.read(ref.length))
    assert member.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")


def test_block_digest_and_warcio_check(tmp_path) -> None:
    with CaptureWriter(tmp_path, INFO) as writer:
        writer.write_response(_exchange())
        ref = writer.write_response(_exchange(url="https://ex.com/b", status=404, payload=b"no"))
        writer.write_revisit(_exchange(), ref, "identical-payload-digest")
        writer.write_metadata(ref, {"extractor": "trafilatura"})
    (path,) = tmp_path.iterdir()
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", "-v", str(path)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 7  # warcinfo, 2 x (response, request), ...
    response = _records(path)[1][0]
    http_block = response.http_headers.to_ascii_bytes() + HTML
    assert response.rec_headers.get_header("WARC-Block-Digest") == _sha1(http_block)


def test_revisit_records(tmp_path) -> None:
    with CaptureWriter(tmp_path, INFO) as writer:
        original = writer.write_response(_exchange())
        same = writer.write_revisit(_exchange(), original, "identical-payload-digest")
        not_modified = writer.write_revisit(
            _exchange(status=304, payload=b"", headers=[("ETag", '"v1"')]), original,
            "server-not-modified")
    records = {r.rec_headers.get_header("WARC-Record-ID"): r for r, _ in
               _records(next(tmp_path.iterdir()))}
    for ref, profile in ((same, "identical-payload-digest"),
                         (not_modified, "server-not-modified")):
        record = records[ref.record_id]
        warc = record.rec_headers
        assert record.rec_type == ref.rec_type == "revisit"
        assert warc.get_header("WARC-Profile") == (
            f"http://netpreserve.org/warc/1.1/revisit/{profile}")
        assert warc.get_header("WARC-Refers-To") == original.record_id
        assert warc.get_header("WARC-Refers-To-Target-URI") == original.target_uri
        assert warc.get_header("WARC-Refers-To-Date") == "2024-03-05T13:30:00.123456Z"
        assert warc.get_header("WARC-Payload-Digest") == original.payload_digest
        assert int(warc.get_header("Content-Length")) < 120  # headers only, no payload
        assert ref.refers_to == original
    assert records[not_modified.record_id].http_headers.statusline == "304 Not Modified"


def test_metadata_record_refers_to_its_response(tmp_path) -> None:
    with CaptureWriter(tmp_path, INFO) as writer:
        response = writer.write_response(_exchange())
        meta = writer.write_metadata(response, {
            "extractor": "trafilatura", "extractor-version": "2.3.1",
            "title": "Un titre\nsur deux lignes", "canonical-url": "https://ex.com/a",
            "content-hash": "abc123"})
    record, block = next((r, b) for r, b in _records(next(tmp_path.iterdir()))
                         if r.rec_type == "metadata")
    warc = record.rec_headers
    assert warc.get_header("Content-Type") == "application/warc-fields"
    assert warc.get_header("WARC-Refers-To") == response.record_id
    assert warc.get_header("WARC-Target-URI") == response.target_uri
    assert warc.get_header("WARC-Refers-To-Date") == response.warc_date
    assert block.decode() == ("extractor: trafilatura\r\nextractor-version: 2.3.1\r\n"
                              "title: Un titre sur deux lignes\r\n"
                              "canonical-url: https://ex.com/a\r\ncontent-hash: abc123\r\n")
    assert (meta.rec_type, meta.record_id) == ("metadata", warc.get_header("WARC-Record-ID"))


def test_rollover_names_and_files_never_reused(tmp_path) -> None:
    writer = CaptureWriter(tmp_path, INFO, prefix="test", max_size=3000)
    bodies = [os.urandom(1500) for _ in range(4)]  # incompressible: each fills a file
    refs = [writer.write_response(_exchange(url=f"https://ex.com/{i}", payload=body))
            for i, body in enumerate(bodies)]
    writer.close()
    names = [ref.warc_file for ref in refs]
    assert len(set(names)) == 4
    pid = os.getpid()
    for serial, name in enumerate(names, 1):
        prefix, stamp, host, file_pid, tail = name.split("-")
        assert (prefix, file_pid, tail) == ("test", str(pid), f"{serial:05d}.warc.gz")
        assert len(stamp) == 20 and host
        assert [r.rec_type for r, _ in _records(tmp_path / name)] == [
            "warcinfo", "response", "request"]
    # A writer started after a crash (same directory, same pid, serial 1 again) opens a
    # new file: it never appends to one it did not create.
    before = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    with CaptureWriter(tmp_path, INFO, prefix="test", max_size=3000) as again:
        new = again.write_response(_exchange())
    assert new.warc_file not in before
    assert {p.name: p.stat().st_size for p in tmp_path.iterdir() if p.name in before} == before


def test_no_file_until_something_is_written(tmp_path) -> None:
    CaptureWriter(tmp_path / "warc", INFO).close()
    assert not (tmp_path / "warc").exists()


def test_writes_from_many_threads_stay_whole(tmp_path) -> None:
    writer = CaptureWriter(tmp_path, INFO, max_size=20_000)
    refs: list[CaptureRef] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(25):
            ref = writer.write_response(_exchange(url=f"https://ex.com/{n}/{i}"))
            if i % 5 == 0:
                writer.write_metadata(ref, {"n": str(n)})
                writer.sync()
            with lock:
                refs.append(ref)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    assert len({ref.location for ref in refs}) == 100
    seen = {r.rec_headers.get_header("WARC-Record-ID")
            for path in tmp_path.iterdir() for r, _ in _records(path)}
    assert {ref.record_id for ref in refs} <= seen


def test_sync_makes_records_readable_by_another_process(tmp_path) -> None:
    writer = CaptureWriter(tmp_path, INFO)
    ref = writer.write_response(_exchange())
    writer.sync()
    code = ("import sys; from newscrawler.capture.reader import read_capture; "
            "c = read_capture(sys.argv[1], sys.argv[2], int(sys.argv[3])); print(c.url)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path), ref.warc_file,
                          str(ref.offset)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "https://ex.com/a?x=1"
    writer.close()


def test_truncated_fetch_is_marked(tmp_path) -> None:
    with CaptureWriter(tmp_path, INFO) as writer:
        writer.write_response(_exchange(truncated="disconnect"))
    response = _records(next(tmp_path.iterdir()))[1][0]
    assert response.rec_headers.get_header("WARC-Truncated") == "disconnect"


@pytest.mark.parametrize(("value", "size"), [
    ("1GB", 10**9), ("500MB", 500 * 10**6), ("2GiB", 2 * 2**30), ("1073741824", 2**30),
    (" 1.5 kb ", 1500), (4096, 4096)])
def test_sizes(value, size) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["", "big", "1XB", "-1GB", "0"])
def test_bad_sizes_name_the_setting(value) -> None:
    with pytest.raises(ValueError, match="NEWSCRAWLER_WARC_MAX_SIZE"):
        parse_size(value)
