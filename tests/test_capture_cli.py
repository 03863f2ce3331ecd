"""``show --raw`` and ``export --format wacz`` on a small archive: output and one-line errors."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from newscrawler.archive import models
from newscrawler.archive.captures import capture_record
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.writer import CaptureWriter
from newscrawler.cli import main
from tests.test_cli import assert_one_line_error
from tests.test_store import T0, make_record

URL = "https://ex.fr/a"
HTML = b"<html><title>Rafale</title><p>Premier jet du texte.</p></html>"


@pytest.fixture
def archive(sqlite_url, tmp_path, monkeypatch) -> str:
    """One article whose page was served gzip-compressed, captured in ``tmp_path/warc``."""
    warc = tmp_path / "warc"
    monkeypatch.setenv("NEWSCRAWLER_WARC_DIR", str(warc))
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
    with CaptureWriter(warc, WarcInfo("newscrawler/test", "h")) as writer:
        ref = writer.write_response(Exchange(URL, 200, headers, gzip.compress(HTML), T0))
    engine = open_archive(sqlite_url)
    ArchiveStore(engine).store_many([capture_record(ref), make_record(
        URL, warc_file=ref.warc_file, warc_offset=ref.offset, warc_length=ref.length),
        make_record("https://ex.fr/b", text="Jamais capturé.")], None)
    engine.dispose()
    return sqlite_url


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_show_raw_prints_the_page_decoded(archive) -> None:
    result = run("--db", archive, "show", URL, "--raw")
    assert result.exit_code == 0 and result.stdout_bytes == HTML


def test_show_raw_errors_are_one_line(archive, tmp_path, monkeypatch) -> None:
    assert_one_line_error(run("--db", archive, "show", "https://ex.fr/b", "--raw"), 2,
                          "has no capture")
    monkeypatch.setenv("NEWSCRAWLER_WARC_DIR", str(tmp_path / "elsewhere"))
    assert_one_line_error(run("--db", archive, "show", URL, "--raw"), 1, "no WARC file",
                          "NEWSCRAWLER_WARC_DIR")
    monkeypatch.setenv("NEWSCRAWLER_WARC_DIR", str(tmp_path / "warc"))
    engine = open_archive(archive)
    with engine.begin() as conn:
        conn.execute(update(models.Article).values(warc_offset=models.Article.warc_offset + 3))
    engine.dispose()
    assert_one_line_error(run("--db", archive, "show", URL, "--raw"), 1, "unreadable record")


def test_export_wacz(archive, tmp_path) -> None:
    package = tmp_path / "out.wacz"
    result = run("--db", archive, "export", "--format", "wacz", "-o", str(package))
    assert result.exit_code == 0, result.output
    assert "1 articles, 2 WARC records" in result.stderr
    with zipfile.ZipFile(package) as wacz:
        assert {"datapackage.json", "datapackage-digest.json", "pages/pages.jsonl",
                "indexes/index.cdx.gz"} <= set(wacz.namelist())
        assert URL in wacz.read("pages/pages.jsonl").decode()


def test_export_wacz_errors_are_one_line(archive, tmp_path) -> None:
    assert_one_line_error(run("--db", archive, "export", "--format", "wacz"), 2, "--output")
    assert_one_line_error(run("--db", archive, "export", "--format", "wacz", "--source", "x",
                              "-o", str(tmp_path / "x.wacz")), 2, "no archived article")
    for path in Path(tmp_path / "warc").glob("*.warc.gz"):
        path.unlink()
    assert_one_line_error(run("--db", archive, "export", "--format", "wacz",
                              "-o", str(tmp_path / "x.wacz")), 1, "no WARC file")
    assert not (tmp_path / "x.wacz").exists()
