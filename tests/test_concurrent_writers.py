"""Two writers storing the same article on PostgreSQL at once: the second waits for the
first (key locks) and finds its rows, instead of losing a race and running again.

(SQLite writers never overlap: each batch holds the database's write lock.)
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from newscrawler.archive import ingest
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore
from newscrawler.revisit import DEFAULT_POLICY
from tests.test_store import make_record

WAITING = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"


def test_a_batch_waits_for_a_concurrent_batch_of_the_same_article(fresh_pg_url, caplog):
    engine = open_archive(fresh_pg_url)
    record = make_record("https://ex.com/a", text="The same article, fetched twice.")
    outcomes: list[str] = []
    caplog.set_level(logging.DEBUG, logger="newscrawler.archive.store")
    try:
        with Session(engine) as first, first.begin():
            assert ingest.store_batch(first, [record], None, DEFAULT_POLICY, {}) == ["new"]
            second = threading.Thread(target=lambda: outcomes.extend(
                ArchiveStore(engine).store_many([make_record(
                    "https://ex.com/a", text="The same article, fetched twice.")], None)))
            second.start()
            deadline = time.monotonic() + 30
            with engine.connect() as watcher:
                while not watcher.execute(text(WAITING)).scalar():
                    assert time.monotonic() < deadline, "the second batch never waited"
                    time.sleep(0.05)
        second.join(timeout=30)
        assert outcomes == ["unchanged"]
        assert "retrying the transaction" not in caplog.text
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM articles")) == 1
            assert connection.scalar(text("SELECT count(*) FROM fetches")) == 2
    finally:
        engine.dispose()
