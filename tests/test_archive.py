"""The archive's foundations on SQLite and PostgreSQL: UTC datetimes, engine settings,
opening and migrating, reading."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from newscrawler.archive.engine import (
    ArchiveError,
    current_revision,
    head_revision,
    make_engine,
    open_archive,
)
from newscrawler.archive.types import UTCDateTime

PARIS_SUMMER = timezone(timedelta(hours=2))


def _moments_table(metadata: MetaData) -> Table:
    return Table(
        "utc_moments", metadata,
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime()),
        Column("raw", DateTime()),
    )


def test_utc_datetime_round_trip(db_url):
    engine = make_engine(db_url)
    metadata = MetaData()
    table = _moments_table(metadata)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    try:
        moment = datetime(2024, 6, 1, 14, 30, 5, 123456, tzinfo=PARIS_SUMMER)
        with engine.begin() as connection:
            connection.execute(insert(table).values(id=1, at=moment, raw=None))
            connection.execute(text("UPDATE utc_moments SET raw = at"))
        with engine.connect() as connection:
            at, raw = connection.execute(select(table.c.at, table.c.raw)).one()
        assert at == moment
        assert at.tzinfo is UTC and at.hour == 12
        assert raw == datetime(2024, 6, 1, 12, 30, 5, 123456)  # stored naive, in UTC
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def test_utc_datetime_refuses_naive():
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2024, 1, 1), None)


def test_naive_datetime_fails_the_statement(db_url):
    engine = make_engine(db_url)
    metadata = MetaData()
    table = _moments_table(metadata)
    metadata.create_all(engine)
    with pytest.raises(StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(insert(table).values(at=datetime(2024, 1, 1)))
    engine.dispose()


def test_sqlite_engine_settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'a.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
        # BEGIN IMMEDIATE took the write lock: another writer cannot start.
        other = sqlite3.connect(tmp_path / "deep" / "dir" / "a.sqlite3", timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    engine.dispose()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000,
                       "synchronous": 1}


def test_readonly_engine_cannot_write(sqlite_url):
    open_archive(sqlite_url).dispose()
    engine = make_engine(sqlite_url, readonly=True)
    with pytest.raises(Exception, match="readonly"), engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM sources")
    engine.dispose()


def test_readonly_on_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(ArchiveError, match="no archive at .*crawl first"):
        open_archive(f"sqlite:///{tmp_path / 'missing.sqlite3'}", readonly=True)


def test_readonly_on_corrupt_file(tmp_path):
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError, match="cannot open the archive"):
        open_archive(f"sqlite:///{path}", readonly=True)


def test_readonly_on_unmigrated_archive_asks_for_upgrade(db_url):
    make_engine(db_url).connect().close()
    with pytest.raises(ArchiveError, match="db upgrade"):
        open_archive(db_url, readonly=True)


def test_bad_url():
    with pytest.raises(ArchiveError, match="not a database URL"):
        make_engine("no-such-thing")


def test_open_archive_migrates_on_first_use(db_url):
    engine = open_archive(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def _open(url: str) -> str | None:
    engine = open_archive(url)
    revision = current_revision(engine)
    engine.dispose()
    return revision


def test_concurrent_first_use_migrates_once(db_url):
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        revisions = pool.map(_open, [db_url] * 3)
    assert revisions == [head_revision()] * 3


def _fill(url: str) -> None:
    from newscrawler.archive.store import ArchiveStore, ArticleRecord, content_hash
    from newscrawler.extraction.article import Article

    store = ArchiveStore(open_archive(url))
    articles = [
        ("https://ex.fr/ete", "Un été à Paris", "Le soleil brille.", "fr", "lemonde",
         datetime(2024, 6, 1, 14, 30, tzinfo=PARIS_SUMMER)),
        ("https://ex.com/news", "Summer news", "The sun shines.", "en", "guardian", None),
    ]
    for link, title, body, lang, source, published in articles:
        article = Article(url=link, title=title, text=body, language=lang,
                          authors=["Ann", "Bob"], published_at=published, extractor="t 1")
        store.store(ArticleRecord(
            article=article, url=link, canonical_url=link, source=source,
            content_hash=content_hash(title, body),
            fetched_at=datetime(2024, 6, 2, 9, 0, tzinfo=UTC),
        ), None)
    store.engine.dispose()


def test_records_shape_and_filters(db_url):
    from newscrawler.api import Archive
    from newscrawler.archive.query import RECORD_FIELDS

    _fill(db_url)
    with Archive(db_url) as archive:
        records = list(archive.records())
        assert [tuple(r) for r in records] == [RECORD_FIELDS] * 2
        first = records[0]
        assert first["published_at"] == "2024-06-01T12:30:00+00:00"
        assert first["first_seen_at"] == "2024-06-02T09:00:00+00:00"
        assert first["modified_at"] is None and first["authors"] == ["Ann", "Bob"]
        assert (first["source"], first["version"]) == ("lemonde", 1)
        assert [r["id"] for r in archive.records(lang="en")] == [records[1]["id"]]
        assert [r["source"] for r in archive.records(source="lemonde")] == ["lemonde"]
        # Undated articles count from when they were first seen (2024-06-02).
        assert archive.count(since="2024-06-02") == 1
        assert archive.count(until="2024-06-01") == 1
        assert archive.count(since="2024-06-01T14:00:00+02:00") == 2
        assert len(list(archive.records(limit=1))) == 1
        assert archive.summary() == {
            "articles": 2, "versions": 2, "sources": {"guardian": 1, "lemonde": 1},
            "languages": {"en": 1, "fr": 1}, "runs": 0,
        }
        assert [r["title"] for r in archive.search("ETE paris")] == ["Un été à Paris"]
        assert archive.search("sun", lang="fr") == []
        assert [v["version"] for v in archive.versions("https://ex.fr/ete")] == [1]
        assert archive.versions("https://nowhere.example/") == []


def test_the_library_reads_through_read_only_connections(db_url):
    from newscrawler.api import Archive
    from newscrawler.archive import models

    _fill(db_url)
    with Archive(db_url) as archive:
        assert archive.count(source="guardian") == 1
        with pytest.raises(Exception, match="read-only|readonly"):
            with archive.engine.begin() as connection:
                connection.execute(models.Source.__table__.delete())


def test_bad_date_filter(db_url):
    from newscrawler.api import Archive, InvalidQuery

    _fill(db_url)
    with Archive(db_url) as archive, pytest.raises(InvalidQuery, match="YYYY-MM-DD"):
        archive.count(since="yesterday")
