"""WACZ 1.1.1 packages of a selection of captures, for replay tools (pywb, ReplayWeb.page).

The selected records' gzip members are copied by offset and length into new WARC files,
so a package of a few articles from a large archive stays small. With each response or
revisit come its request record and, for a revisit, the record holding its payload.
Layout: ``archive/*.warc.gz`` and ``indexes/index.cdx.gz`` (stored, as the format asks),
``indexes/index.idx``, ``pages/pages.jsonl``, ``datapackage.json`` (sha256 of every file)
and ``datapackage-digest.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawler import __version__
from newscrawler.capture.cdxj import write_compressed_cdxj
from newscrawler.capture.reader import Locate, WarcError, find_record, read_record_at
from newscrawler.capture.records import RecordFactory, WarcInfo
from newscrawler.capture.refs import CaptureRef, Location
from newscrawler.capture.writer import CaptureWriter, hostname

__all__ = ["WACZ_VERSION", "WaczSummary", "build_wacz"]

WACZ_VERSION = "1.1.1"


@dataclass(frozen=True)
class WaczSummary:
    path: Path
    records: int
    pages: int
    bytes: int


def build_wacz(output_path: str | Path, captures: Iterable[CaptureRef | Location],
               pages: Iterable[Mapping[str, Any]], warc_dir: str | Path, *,
               title: str = "newscrawler export", locate: Locate | None = None,
               max_warc_size: int = 2**30) -> WaczSummary:
    """Package ``captures`` (read from ``warc_dir``) and ``pages`` (``url``, ``ts``,
    ``title``: one per article) as a WACZ file at ``output_path``.

    ``locate`` maps a record id to its location, to find what a revisit refers to when its
    ``CaptureRef`` does not say; without it the WARC directory is scanned.
    """
    output = Path(output_path)
    root = Path(warc_dir)
    members = _members(root, captures, locate or (lambda rid: find_record(root, rid)))
    page_lines = [_page_line(page) for page in pages]
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".wacz-") as tmp:
        work = Path(tmp)
        warcs = _copy_members(root, members, work / "archive", title, max_warc_size)
        (work / "indexes").mkdir()
        with open(work / "indexes/index.cdx.gz", "wb") as data, \
                open(work / "indexes/index.idx", "w", encoding="utf-8") as idx:
            write_compressed_cdxj(warcs, data, idx)
        (work / "pages").mkdir()
        header = {"format": "json-pages-1.0", "id": "pages", "title": title}
        lines = [json.dumps(header), *page_lines]
        (work / "pages/pages.jsonl").write_text("".join(f"{line}\n" for line in lines), "utf-8")
        _zip(work, output, title)
    return WaczSummary(output, len(members), len(page_lines), output.stat().st_size)


def _members(root: Path, captures: Iterable[CaptureRef | Location],
             locate: Locate) -> list[Location]:
    """The selected records with their request records and revisits' originals, in file
    order, each once."""
    chosen: dict[Location, None] = {}
    for capture in captures:
        where = capture.location if isinstance(capture, CaptureRef) else tuple(capture)
        record = read_record_at(root, *where)
        chosen[record.ref.location] = None
        if record.ref.rec_type not in ("response", "revisit"):
            continue
        _add_request(root, record.ref, chosen)
        if record.ref.rec_type == "revisit":
            known = capture.refers_to if isinstance(capture, CaptureRef) else None
            refers_to = record.warc_headers.get("WARC-Refers-To", "")
            original = known.location if known else locate(refers_to) if refers_to else None
            if original is None:
                raise WarcError(f"the original of revisit {record.ref.record_id} "
                                f"({record.url}) is not in {root}")
            chosen[original] = None
            _add_request(root, read_record_at(root, *original).ref, chosen)
    return sorted(chosen)


def _add_request(root: Path, ref: CaptureRef, chosen: dict[Location, None]) -> None:
    """The request record the writer puts right after a response or revisit."""
    try:
        following = read_record_at(root, ref.warc_file, ref.offset + ref.length)
    except WarcError:
        return
    if (following.ref.rec_type == "request"
            and following.warc_headers.get("WARC-Concurrent-To") == ref.record_id):
        chosen[following.ref.location] = None


def _copy_members(root: Path, members: list[Location], directory: Path, title: str,
                  max_size: int) -> list[Path]:
    """The members, byte for byte, in WARC files of at most ``max_size`` bytes."""
    directory.mkdir()
    info = WarcInfo(software=f"newscrawler/{__version__}", hostname=hostname(),
                    is_part_of=title)
    files: list[Path] = []
    out = None
    try:
        for warc_file, offset, length in members:
            if out is None or out.tell() + length > max_size:
                if out is not None:
                    out.close()
                files.append(directory / f"data-{len(files) + 1:05d}.warc.gz")
                out = open(files[-1], "xb")
                out.write(_warcinfo(files[-1].name, info))
            with open(root / warc_file, "rb") as source:
                source.seek(offset)
                out.write(source.read(length))
    finally:
        if out is not None:
            out.close()
    return files


def _warcinfo(name: str, info: WarcInfo) -> bytes:
    return CaptureWriter.member(RecordFactory().warcinfo(name, info))


def _page_line(page: Mapping[str, Any]) -> str:
    ts = page["ts"]
    if isinstance(ts, datetime):
        ts = ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = {"id": page.get("id") or uuid.uuid4().hex, "url": page["url"], "ts": ts}
    if page.get("title"):
        line["title"] = page["title"]
    return json.dumps(line, ensure_ascii=False)


def _zip(work: Path, output: Path, title: str) -> None:
    """The package, written beside ``output`` then moved over it: never half a file."""
    files = sorted(p for p in work.rglob("*") if p.is_file())
    resources = [_resource(work, path) for path in files]
    package = {"profile": "data-package", "resources": resources, "wacz_version": WACZ_VERSION,
               "title": title, "software": f"newscrawler {__version__}",
               "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    package_bytes = json.dumps(package, indent=2).encode("utf-8")
    digest = {"path": "datapackage.json",
              "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
    partial = work / "package.wacz.partial"
    with zipfile.ZipFile(partial, "x") as package_zip:
        for path in files:
            name = path.relative_to(work).as_posix()
            stored = name.startswith("archive/") or name.endswith(".cdx.gz")
            package_zip.write(path, name, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        package_zip.writestr("datapackage.json", package_bytes, zipfile.ZIP_DEFLATED)
        package_zip.writestr("datapackage-digest.json", json.dumps(digest, indent=2),
                             zipfile.ZIP_DEFLATED)
    os.replace(partial, output)


def _resource(work: Path, path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(2**20), b""):
            digest.update(block)
    name = path.relative_to(work).as_posix()
    return {"name": path.name.lower(), "path": name, "hash": f"sha256:{digest.hexdigest()}",
            "bytes": path.stat().st_size}
