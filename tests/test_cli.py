"""The CLI against real archives, SQLite then PostgreSQL: output formats, help texts and
one-line errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from newscrawler.archive.engine import head_revision, open_archive
from newscrawler.archive.query import RECORD_FIELDS
from newscrawler.archive.store import ArchiveStore, ArticleRecord, content_hash
from newscrawler.cli import main
from newscrawler.extraction.article import Article

COMMITTED_SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources.toml"
FETCHED = datetime(2024, 6, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def archive_url(db_url) -> str:
    engine = open_archive(db_url)
    store = ArchiveStore(engine)
    published = datetime(2024, 6, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    for n, text in enumerate(["Premier jet.", "Premier jet, corrigé."]):
        article = Article(url="https://ex.fr/a", title="Rafale", text=text, language="fr",
                          authors=["Ann", "Bob"], published_at=published, extractor="t 1")
        store.store(ArticleRecord(
            article=article, url="https://ex.fr/a", canonical_url="https://ex.fr/a",
            source="avion-chasse", content_hash=content_hash("Rafale", text),
            fetched_at=FETCHED + timedelta(days=n),
        ), None)
    engine.dispose()
    return db_url


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_one_line_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_export_jsonl(archive_url):
    result = run("--db", archive_url, "export")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 1 and tuple(records[0]) == RECORD_FIELDS
    assert records[0]["version"] == 2 and records[0]["text"] == "Premier jet, corrigé."
    assert records[0]["published_at"] == "2024-06-01T12:30:00+00:00"


def test_export_csv_to_file_with_filters(archive_url, tmp_path):
    output = tmp_path / "out.csv"
    result = run("--db", archive_url, "export", "--format", "csv", "-o", str(output),
                 "--source", "avion-chasse", "--since", "2024-06-01", "--lang", "fr")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert rows[0]["authors"] == "Ann; Bob" and rows[0]["modified_at"] == ""
    assert list(rows[0]) == list(RECORD_FIELDS)
    empty = run("--db", archive_url, "export", "--since", "2025-01-01")
    assert empty.exit_code == 0 and empty.stdout == ""


def test_db_from_environment(archive_url, monkeypatch):
    monkeypatch.setenv("NEWSCRAWLER_DB", archive_url)
    assert len(run("export").stdout.splitlines()) == 1


def test_versions(archive_url):
    table = run("--db", archive_url, "versions", "https://ex.fr/a")
    assert table.exit_code == 0 and table.stdout.splitlines()[0].split()[:2] == [
        "version", "fetched_at"]
    rows = [json.loads(x) for x in
            run("--db", archive_url, "versions", "https://ex.fr/a", "--format", "jsonl")
            .stdout.splitlines()]
    assert [r["version"] for r in rows] == [1, 2]
    assert rows[0]["fetched_at"] == "2024-06-02T09:00:00+00:00"
    assert_one_line_error(run("--db", archive_url, "versions", "https://nope.example/"), 1,
                          "no archived article")


def test_errors_are_one_line(archive_url, tmp_path):
    assert_one_line_error(run("--db", archive_url, "export", "--since", "last week"), 2,
                          "--since", "YYYY-MM-DD")
    assert_one_line_error(run("--db", archive_url, "export", "--format", "wacz"), 2,
                          "give --output NAME.wacz")
    missing = f"sqlite:///{tmp_path / 'missing.sqlite3'}"
    assert_one_line_error(run("--db", missing, "export"), 1, "no archive at", "--db")
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"garbage" * 1000)
    assert_one_line_error(run("--db", f"sqlite:///{corrupt}", "export"), 1, "cannot open")
    assert_one_line_error(run("--db", "nonsense", "export"), 1, "not a database URL")
    assert_one_line_error(
        run("--db", archive_url, "export", "-o", str(tmp_path / "no" / "dir.jsonl")), 1,
        "No such file")


def test_db_upgrade(db_url):
    result = run("--db", db_url, "db", "upgrade")
    assert result.exit_code == 0 and f"revision {head_revision()}" in result.stdout
    assert run("--db", db_url, "export").exit_code == 0


def test_sources_check_and_list(tmp_path):
    good = run("sources", "check", "--file", str(COMMITTED_SOURCES))
    assert good.exit_code == 0 and good.stdout.startswith("OK: ")
    listed = run("sources", "list", "--file", str(COMMITTED_SOURCES), "--format", "jsonl")
    rows = {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows["avion-chasse"]["recheck"]["after"] == "30d"  # the schedule in effect
    bad = tmp_path / "bad.toml"
    bad.write_text('[sources.x]\nstart_urls = ["ftp://x"]\nlanguage = "fra"\n')
    result = run("sources", "check", "--file", str(bad))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"Error: {bad}: [sources.x] ")
                                   for line in lines)


def test_extract_refuses_private_addresses():
    assert_one_line_error(run("extract", "http://127.0.0.1:9/article"), 2,
                          "refusing", "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS")
    assert_one_line_error(run("extract", "http://localhost:9/a"), 2, "refusing")


def test_extract_file(tmp_path):
    page = tmp_path / "page.html"
    paragraphs = "".join(f"<p>Paragraph {n} of a long enough article body text.</p>"
                         for n in range(12))
    page.write_text(f"<html lang='en'><head><title>A title</title></head><body><article>"
                    f"<h1>A title</h1>{paragraphs}</article></body></html>")
    result = run("extract", str(page), str(tmp_path / "missing.html"))
    assert result.exit_code == 2
    row = json.loads(result.stdout.splitlines()[0])
    assert row["url"] == page.resolve().as_uri()
    assert row["title"] == "A title" and row["language"] == "en"
    assert tuple(row)[:2] == ("url", "canonical_url") and len(row["content_hash"]) == 64
    assert "cannot read" in result.stderr


def _walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, (*path, name))


def test_every_command_has_help_with_an_example():
    for path, _command in _walk(main):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example" in result.stdout, f"newscrawler {' '.join(path)} --help lacks an example"


def test_show_record_versions_and_diff(archive_url):
    result = run("--db", archive_url, "show", "https://ex.fr/a")
    assert result.exit_code == 0, result.output
    assert "title: Rafale" in result.stdout and "version: 2" in result.stdout
    assert result.stdout.rstrip().endswith("Premier jet, corrigé.")
    listed = run("--db", archive_url, "show", "1", "--versions")
    assert listed.exit_code == 0 and "content_hash" in listed.stdout
    diff = run("--db", archive_url, "show", "https://ex.fr/a", "--diff")
    assert diff.exit_code == 0, diff.output
    assert diff.stdout.splitlines()[:2] == [
        "--- version 1 (2024-06-02T09:00:00+00:00)", "+++ version 2 (2024-06-03T09:00:00+00:00)"]
    assert "-Premier jet." in diff.stdout and "+Premier jet, corrigé." in diff.stdout
    assert run("--db", archive_url, "show", "1", "--diff", "2..1").stdout.count("+Premier") == 1
    as_json = json.loads(run("--db", archive_url, "show", "1", "--versions", "--diff",
                             "--format", "jsonl").stdout)
    assert [v["version"] for v in as_json["versions"]] == [1, 2] and "+Premier" in \
        as_json["diff"]


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (("show", "https://nowhere.example/"), 1, "no archived article"),
    (("show", "1", "--diff", "1-2"), 2, "A..B"),
    (("show", "1", "--diff", "1..7"), 2, "no version 7"),
])
def test_show_errors(archive_url, args, code, fragment):
    assert_one_line_error(run("--db", archive_url, *args), code, fragment)


def test_runs(archive_url):
    from newscrawler.archive.store import ArchiveStore

    engine = open_archive(archive_url)
    store = ArchiveStore(engine)
    done = store.start_run({"source": "demo"}, ["demo"])
    store.finish_run(done, "finished", {"pages_fetched": 7, "articles_new": 3})
    live = store.start_run({"source": "other"}, ["other"])
    worker = store.start_run({"source": "demo"}, ["demo"], run="nightly", worker="host-a/2")
    engine.dispose()
    table = run("--db", archive_url, "runs")
    assert table.exit_code == 0, table.output
    header, *rows = table.stdout.splitlines()
    assert header.split()[:5] == ["id", "run", "worker", "started_at", "finished_at"]
    assert [row.split()[0] for row in rows] == [str(worker), str(live), str(done)]
    assert rows[0].split()[1:3] == ["nightly", "host-a/2"]
    only = run("--db", archive_url, "runs", "--run", "nightly", "--format", "jsonl")
    assert [(r["id"], r["run"], r["worker"]) for r in map(json.loads, only.stdout.splitlines())
            ] == [(worker, "nightly", "host-a/2")]
    records = [json.loads(line) for line in
               run("--db", archive_url, "runs", "--format", "jsonl", "--limit", "1").stdout
               .splitlines()]
    assert len(records) == 1 and records[0]["status"] == "running"  # this process is alive
    old = json.loads(run("--db", archive_url, "runs", "--format", "jsonl").stdout
                     .splitlines()[2])
    assert (old["status"], old["pages_fetched"], old["articles_new"]) == ("finished", 7, 3)
    assert old["duration_s"] is not None and old["sources"] == "demo"
