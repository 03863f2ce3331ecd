"""``newscrawler search``, ``stats`` and ``export --format parquet`` on a real SQLite archive:
hostile input, output formats, the plot, typed exports, an archive from before search."""

from __future__ import annotations

import csv
import io
import json
import struct

import pandas as pd
import pytest
from alembic import command
from click.testing import CliRunner

from newscrawler.archive.engine import alembic_config, make_engine, open_archive
from newscrawler.archive.store import ArchiveStore
from newscrawler.cli import main
from newscrawler.records import HIT_FIELDS
from tests.test_cli import assert_one_line_error
from tests.test_search import ENGLISH, FRENCH, WIRE, _record

ANSWERED = ["l'état", "covid-19", '"unterminated', "NEAR(", "a AND", "x' OR 1=1 --",
            "a\x00b", "東京", "OR cessez-le-feu", "title:(gaza OR ceasefire)",
            "Les négociations pour un cessez-le-feu reprennent à Genève. " * 170]
EMPTY = ["*", "-", "OR OR", "()", "🔥", "\x00"]


@pytest.fixture(scope="module")
def archive_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'archive.sqlite3'}"
    engine = open_archive(url)
    store = ArchiveStore(engine)
    store.store_many([_record("journal-fr", *row, "fr") for row in FRENCH], None)
    store.store_many([_record("daily-en", *row, "en") for row in ENGLISH], None)
    store.store(_record("wire-a", "storm", "Storm Ciaran batters the coast", WIRE, 5, "en"), None)
    store.store(_record("wire-b", "storm-copy", "Storm Ciaran batters the coast",
                        WIRE.replace("thousands", "many thousands"), 5, "en"), None)
    engine.dispose()
    return url


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("query", ANSWERED)
def test_hostile_queries_are_answered(archive_url, query):
    result = run("--db", archive_url, "search", query)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and result.stderr == ""


@pytest.mark.parametrize("query", EMPTY)
def test_empty_queries_exit_2_with_one_line(archive_url, query):
    assert_one_line_error(run("--db", archive_url, "search", query), 2, "nothing to search for")


@pytest.mark.parametrize("args, fragment", [
    (("search", "-rumeur"), "only exclusions"),
    (("search", "storm", "--colapse"), "no such option: --colapse"),
    (("search", "x", "--tag", "nope"), "tagged 'nope'"),
    (("search", "x", "--since", "yesterday"), "--since"),
    (("stats", "--query", "*"), "nothing to search for"),
    (("export", "--query", "()"), "nothing to search for"),
])
def test_bad_input_is_one_line(archive_url, args, fragment):
    assert_one_line_error(run("--db", archive_url, *args), 2, fragment)


def test_search_table_jsonl_csv(archive_url):
    table = run("--db", archive_url, "search", "cessez-le-feu OR ceasefire")
    assert table.exit_code == 0
    assert "[cessez-le-feu]" in table.stdout
    assert "https://daily-en.example/ceasefire" in table.stdout
    lines = run("--db", archive_url, "search", "storm", "--collapse", "--format", "jsonl")
    hits = [json.loads(line) for line in lines.stdout.splitlines()]
    assert len(hits) == 1 and hits[0]["copies"] == 2 and tuple(hits[0]) == HIT_FIELDS
    rows = list(csv.DictReader(io.StringIO(
        run("--db", archive_url, "search", "ministre", "--format", "csv").stdout)))
    assert [r["url"].rsplit("/", 1)[1] for r in rows] and "[ministre]" in rows[0]["snippet"]
    assert run("--db", archive_url, "search", "absentword").stdout == "no match\n"
    words = run("--db", archive_url, "search", "-surprise", "ministre", "--format", "jsonl")
    assert [json.loads(line)["url"] for line in words.stdout.splitlines()] == [
        "https://journal-fr.example/ministre"]


def test_stats_by_day_jsonl(archive_url):
    result = run("--db", archive_url, "stats", "--by", "day", "--query", "ministre",
                 "--source", "journal-fr", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(list(row) == ["period", "source", "matching", "total", "ratio"] for row in rows)
    days = {row["period"]: row for row in rows}
    assert days["2024-06-05"] == {"period": "2024-06-05", "source": None, "matching": 1,
                                  "total": 1, "ratio": 1.0}
    assert days["2024-06-01"]["matching"] == 0 and days["2024-06-01"]["total"] == 1
    assert days["2024-06-02"]["total"] == 0 and days["2024-06-02"]["ratio"] is None
    by_source = run("--db", archive_url, "stats", "--by", "month", "--by-source")
    assert "journal-fr" in by_source.stdout and "wire-b" in by_source.stdout


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_stats_plot_writes_a_png(archive_url, tmp_path):
    target = tmp_path / "plot.png"
    result = run("--db", archive_url, "stats", "--by", "day", "--by-source", "--query",
                 "ministre OR ceasefire OR storm", "--plot", str(target))
    assert result.exit_code == 0, result.output
    assert _png_size(target) == (1000, 550) and target.stat().st_size > 20_000


def test_csv_and_parquet_exports_open_in_pandas_with_types(archive_url, tmp_path):
    parquet, table = tmp_path / "out.parquet", tmp_path / "out.csv"
    assert run("--db", archive_url, "export", "--format", "parquet", "-o", str(parquet),
               "--query", "storm OR ministre").exit_code == 0
    frame = pd.read_parquet(parquet)
    assert len(frame) == 4 and str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert frame["id"].dtype == "int64" and frame["version"].dtype == "int32"
    assert list(frame["authors"].iloc[0]) == [] and frame["source"].dtype in ("object", "str")
    assert run("--db", archive_url, "export", "--format", "csv", "-o", str(table),
               "--lang", "fr").exit_code == 0
    read = pd.read_csv(table, parse_dates=["published_at", "first_seen_at"])
    assert len(read) == 5 and read["id"].dtype == "int64"
    assert str(read["first_seen_at"].dtype).startswith("datetime64")
    empty = tmp_path / "empty.parquet"
    run("--db", archive_url, "export", "--format", "parquet", "-o", str(empty), "--query", "zzz")
    assert len(pd.read_parquet(empty)) == 0


def test_reindex_reports_counts(tmp_path, archive_url):
    result = run("--db", archive_url, "db", "reindex")
    assert result.exit_code == 0 and result.stdout == (
        "search index rebuilt: 9 of 9 articles indexed\n")
    assert "[cessez-le-feu]" in run("--db", archive_url, "search", "cessez-le-feu").stdout


def test_an_archive_from_before_search_says_to_upgrade(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        config = alembic_config(sqlite_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    engine.dispose()
    assert_one_line_error(run("--db", sqlite_url, "search", "x"), 1, "0003", "db upgrade")
    assert run("--db", sqlite_url, "db", "upgrade").exit_code == 0
    assert run("--db", sqlite_url, "search", "x").stdout == "no match\n"
