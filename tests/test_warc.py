"""WARC capture: records written, rotated and read back for re-extraction."""

import os
from datetime import datetime, timedelta, timezone

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawler.capture.warc import WarcError, WarcWriter, read_record

BODY = "<html><body><p>Caf\u00e9 cr\u00e8me</p></body></html>".encode()
FETCHED = datetime(2024, 3, 5, 14, 30, 0, 123456, tzinfo=timezone(timedelta(hours=1)))


def test_round_trip(tmp_path) -> None:
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
               ("Content-Length", "42"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    with WarcWriter(tmp_path) as writer:
        first = writer.write_response(
            "https://ex.com/a?x=1", 200, headers, BODY,
            request_headers={"User-Agent": "newscrawler"}, fetched_at=FETCHED,
        )
        second = writer.write_response("https://ex.com/b", 404, {"Server": "t"}, b"gone")
    assert first[0] == second[0] and first[1] < second[1]
    url, got_headers, body = read_record(tmp_path, *first)
    assert (url, body) == ("https://ex.com/a?x=1", BODY)
    assert ("Set-Cookie", "a=1") in got_headers and ("Set-Cookie", "b=2") in got_headers
    # The stored body is already decoded: the transport headers must not claim otherwise.
    assert ("Content-Length", str(len(BODY))) in got_headers
    assert ("X-Archive-Orig-Content-Encoding", "gzip") in got_headers
    assert not any(name.lower() == "content-encoding" for name, _ in got_headers)
    assert read_record(tmp_path, *second) == ("https://ex.com/b", [("Server", "t"),
                                                                  ("Content-Length", "4")], b"gone")


def test_file_layout_warcinfo_request_and_dates(tmp_path) -> None:
    writer = WarcWriter(tmp_path, prefix="test")
    name, _ = writer.write_response("https://ex.com/a", 200, [], BODY,
                                    request_headers=[("Accept", "*/*")], fetched_at=FETCHED)
    writer.close()
    assert name.startswith("test-") and name.endswith(f"-{os.getpid()}-00001.warc.gz")
    with open(tmp_path / name, "rb") as stream:
        records = list(ArchiveIterator(stream))
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]
    response, request = records[1], records[2]
    assert response.rec_headers.get_header("WARC-Date") == "2024-03-05T13:30:00.123456Z"
    assert response.http_headers.get_statuscode() == "200"
    assert response.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert request.rec_headers.get_header("WARC-Concurrent-To") == (
        response.rec_headers.get_header("WARC-Record-ID"))


def test_rotation_and_no_reuse_of_files(tmp_path) -> None:
    writer = WarcWriter(tmp_path, max_size=1500)
    bodies = [os.urandom(1000) for _ in range(4)]  # incompressible, so files really fill up
    locations = [writer.write_response(f"https://ex.com/{i}", 200, [], body)
                 for i, body in enumerate(bodies)]
    writer.close()
    assert len({name for name, _ in locations}) == 4
    for i, location in enumerate(locations):
        assert read_record(tmp_path, *location)[::2] == (f"https://ex.com/{i}", bodies[i])
    # A writer started after a crash (same directory, same pid) opens a new file.
    before = set(os.listdir(tmp_path))
    again = WarcWriter(tmp_path)
    name, _ = again.write_response("https://ex.com/new", 200, [], BODY)
    again.close()
    assert name not in before


def test_no_file_until_something_is_written(tmp_path) -> None:
    WarcWriter(tmp_path / "warc").close()
    assert not (tmp_path / "warc").exists()


def test_read_errors(tmp_path) -> None:
    writer = WarcWriter(tmp_path)
    name, offset = writer.write_response("https://ex.com/a", 200, [], BODY)
    writer.flush()
    writer.close()
    with pytest.raises(WarcError, match="warcinfo"):
        read_record(tmp_path, name, 0)
    with pytest.raises(WarcError, match="unreadable"):
        read_record(tmp_path, name, offset + 3)
    with pytest.raises(WarcError, match="no record"):
        read_record(tmp_path, name, 10**6)
    with pytest.raises(WarcError, match="no WARC file"):
        read_record(tmp_path, "../../etc/passwd", 0)
    with pytest.raises(WarcError, match="no WARC file"):
        read_record(tmp_path, "missing.warc.gz", 0)
