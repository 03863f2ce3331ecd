"""CDXJ indexes and WACZ packages of a selection of captures."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawler.capture.cdxj import write_cdxj
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.wacz import build_wacz
from newscrawler.capture.writer import CaptureWriter
from tests.replay_tools import wacz_validate

INFO = WarcInfo(software="newscrawler/test", hostname="h")


def _page(n: int) -> bytes:
    noise = os.urandom(600).hex()  # pages that do not compress to nothing: files fill up
    return f"<html><title>Article {n}</title><p>{noise}</p></html>".encode()


def _exchange(url: str, body: bytes) -> Exchange:
    return Exchange(url, 200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                    gzip.compress(body), datetime.now(UTC),
                    request_headers=[("Referer", "https://ex.com/"), ("Host", "ex.com")])


def _archive(directory: Path) -> dict:
    """20 articles, a re-fetch of article 0 (revisit, in a later file), and metadata."""
    with CaptureWriter(directory, INFO, max_size=20_000) as writer:
        refs = [writer.write_response(_exchange(f"https://ex.com/{n}", _page(n)))
                for n in range(20)]
        revisit = writer.write_revisit(_exchange("https://ex.com/0", _page(0)), refs[0],
                                       "identical-payload-digest")
        meta = writer.write_metadata(refs[3], {"title": "Article 3"})
    return {"refs": refs, "revisit": revisit, "meta": meta}


def _records(data: bytes) -> list:
    return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
            for r in ArchiveIterator(io.BytesIO(data))]


def test_cdxj_is_sorted_by_surt_and_lists_responses_and_revisits(tmp_path) -> None:
    made = _archive(tmp_path)
    out = io.StringIO()
    write_cdxj(sorted(tmp_path.iterdir()), out)
    lines = out.getvalue().splitlines()
    assert lines == sorted(lines) and len(lines) == 21  # 20 responses and the revisit
    key, stamp, fields = lines[0].split(" ", 2)
    entry = json.loads(fields)
    assert key == "com,ex)/0" and len(stamp) == 14 and entry["url"] == "https://ex.com/0"
    assert entry["referrer"] == "https://ex.com/"  # from its request record
    assert entry["filename"] in {p.name for p in tmp_path.iterdir()}
    revisit = next(json.loads(line.split(" ", 2)[2]) for line in lines
                   if '"warc/revisit"' in line)
    assert revisit["digest"] == made["refs"][0].payload_digest


@pytest.fixture
def package(tmp_path) -> dict:
    warc = tmp_path / "warc"
    made = _archive(warc)
    refs, revisit, meta = made["refs"], made["revisit"], made["meta"]
    assert revisit.warc_file != refs[0].warc_file
    # A plain (file, offset, length) revisit: the builder finds its original itself.
    selection = [refs[3], revisit.location, meta]
    pages = [{"url": r.target_uri, "ts": r.date, "title": f"Article {n}"}
             for n, r in ((3, refs[3]), (0, revisit))]
    summary = build_wacz(tmp_path / "pkg.wacz", selection, pages, warc, title="Test export")
    return {**made, "summary": summary, "zip": zipfile.ZipFile(summary.path), "warc": warc}


def test_wacz_holds_the_selected_records_and_theirs(package) -> None:
    summary, wacz = package["summary"], package["zip"]
    assert set(wacz.namelist()) == {
        "archive/data-00001.warc.gz", "indexes/index.cdx.gz", "indexes/index.idx",
        "pages/pages.jsonl", "datapackage.json", "datapackage-digest.json"}
    for name in ("archive/data-00001.warc.gz", "indexes/index.cdx.gz"):
        assert wacz.getinfo(name).compress_type == zipfile.ZIP_STORED
    records = _records(wacz.read("archive/data-00001.warc.gz"))
    assert sorted(records) == sorted([
        ("warcinfo", None), ("response", "https://ex.com/3"), ("request", "https://ex.com/3"),
        ("metadata", "https://ex.com/3"), ("revisit", "https://ex.com/0"),
        ("request", "https://ex.com/0"), ("response", "https://ex.com/0"),
        ("request", "https://ex.com/0")])
    assert summary.records == 7 and summary.pages == 2
    whole = sum(p.stat().st_size for p in package["warc"].iterdir())
    assert summary.bytes < whole / 4  # copied members, not whole files
    index = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode().splitlines()
    assert [line.split(" ")[0] for line in index] == ["com,ex)/0", "com,ex)/0", "com,ex)/3"]
    assert all('"filename": "data-00001.warc.gz"' in line for line in index)


def test_wacz_datapackage_pages_and_validation(package) -> None:
    wacz, refs = package["zip"], package["refs"]
    datapackage = json.loads(wacz.read("datapackage.json"))
    assert datapackage["wacz_version"] == "1.1.1" and datapackage["title"] == "Test export"
    for resource in datapackage["resources"]:
        data = wacz.read(resource["path"])
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
    assert {r["path"] for r in datapackage["resources"]} == set(wacz.namelist()) - {
        "datapackage.json", "datapackage-digest.json"}
    digest = json.loads(wacz.read("datapackage-digest.json"))
    assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(
        wacz.read("datapackage.json")).hexdigest()}
    header, *lines = [json.loads(line) for line in
                      wacz.read("pages/pages.jsonl").decode().splitlines()]
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "Test export"}
    assert [(p["url"], p["title"]) for p in lines] == [
        ("https://ex.com/3", "Article 3"), ("https://ex.com/0", "Article 0")]
    assert lines[0]["ts"] == refs[3].date.strftime("%Y-%m-%dT%H:%M:%SZ")
    check = wacz_validate(package["summary"].path)
    assert check.returncode == 0 and "Validation succeeded" in check.stdout, check.stdout
