"""ArchiveStore: outcomes, runs, atomic transactions and concurrent writers."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.archive.lookup import ArchiveLookup
from newscrawler.archive.store import ArchiveStore, ArticleRecord, FetchRecord, content_hash
from newscrawler.extraction.article import Article

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def make_record(url: str, text: str = "Body text.", title: str = "Title", **extra) -> ArticleRecord:
    article = Article(url=url, title=title, text=text, authors=["A. Writer"], language="fr",
                      published_at=T0, extractor="trafilatura 2.3")
    fields = {"fetched_at": T0, "source": "demo", **extra}
    return ArticleRecord(article=article, url=url, canonical_url=url,
                         content_hash=content_hash(title, text), **fields)


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def test_content_hash_normalises_whitespace_and_unicode():
    assert content_hash("Été", "a  b\n\nc ") == content_hash("E\u0301te\u0301", "a b c")
    assert content_hash("Title", "text") != content_hash("title", "text")


def test_outcomes_new_unchanged_version_duplicate(engine):
    store = ArchiveStore(engine)
    run = store.start_run({"source": "demo"}, ["demo"])
    first = make_record("https://ex.com/a", aliases=["https://ex.com/a?amp=1"])
    assert store.store(first, run) == "new"
    later = replace(first, fetched_at=T0 + timedelta(hours=1), aliases=[])
    assert store.store(later, run) == "unchanged"
    edited = make_record("https://ex.com/a", text="Body text, corrected.",
                         fetched_at=T0 + timedelta(hours=2))
    assert store.store(edited, run) == "version"
    copy = make_record("https://mirror.example/a", text="Body text, corrected.")
    assert store.store(copy, run) == "duplicate"
    via_alias = make_record("https://ex.com/other", text="Body text, corrected.",
                            aliases=["https://ex.com/a?amp=1"])
    assert store.store(via_alias, run) == "unchanged"

    assert count(engine, models.Article) == 1
    assert count(engine, models.ArticleVersion) == 2
    assert count(engine, models.Fetch) == 5
    asked = ["https://ex.com/a", "https://ex.com/a?amp=1", "https://mirror.example/a",
             "https://ex.com/other", "https://ex.com/never"]
    assert ArchiveLookup(engine).known(asked) == set(asked[:4])
    with engine.connect() as connection:
        article = connection.execute(select(models.Article)).one()
        outcomes = connection.scalars(select(models.Fetch.outcome).order_by(models.Fetch.id))
        assert list(outcomes) == ["new", "unchanged", "version", "duplicate", "unchanged"]
    assert article.version == 2 and article.text == "Body text, corrected."
    assert article.first_seen_at == T0 and article.last_seen_at == T0 + timedelta(hours=2)


def test_runs_and_dropped_fetches(engine):
    store = ArchiveStore(engine)
    run = store.start_run({"url": "https://ex.com/"}, [])
    record = FetchRecord("https://ex.com/tag/x", 200, "dropped:not_article", T0)
    assert store.store(record, run) == "dropped:not_article"
    store.finish_run(run, "finished", {"pages_fetched": 1, "errors": 0})
    with engine.connect() as connection:
        row = connection.execute(select(models.CrawlRun)).one()
        fetch = connection.execute(select(models.Fetch)).one()
    assert (row.status, row.pages_fetched, row.args) == ("finished", 1, {"url": "https://ex.com/"})
    assert row.finished_at is not None and row.pid
    assert fetch.outcome == "dropped:not_article" and fetch.run_id == run
    with pytest.raises(ValueError, match="unknown run counters"):
        store.finish_run(run, "finished", {"pages": 1})
    with pytest.raises(ValueError, match="run status"):
        store.finish_run(run, "done", {})


def test_failed_transaction_leaves_nothing_half_written(engine):
    store = ArchiveStore(engine)
    with pytest.raises(IntegrityError):
        store.store(make_record("https://ex.com/a"), run_id=999_999)  # no such run: FK fails
    for model in (models.Article, models.ArticleVersion, models.ArticleUrl, models.Fetch,
                  models.Source):
        assert count(engine, model) == 0


def test_concurrent_store_of_the_same_url_keeps_one_article(engine):
    urls = [f"https://ex.com/{uuid.uuid4().hex}" for _ in range(8)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        store = ArchiveStore(engine)
        for url in urls:
            barrier.wait()
            outcomes.append(store.store(make_record(url, text=f"text of {url}"), None))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(engine, models.Article) == len(urls)
    assert count(engine, models.Source) == 1
    assert sorted(outcomes) == sorted(["new", "unchanged"] * len(urls))


def _store_all(url: str, urls: list[str], batch: int) -> list[str]:
    engine = open_archive(url, pool_size=1)
    store = ArchiveStore(engine)
    outcomes = []
    for start in range(0, len(urls), batch):  # each article with an alias, three sources
        outcomes += store.store_many([
            make_record(u, text=f"text of {u}", aliases=[u, f"{u}/amp"], source=f"s{n % 3}")
            for n, u in enumerate(urls) if start <= n < start + batch], None)
    engine.dispose()
    return outcomes


@pytest.mark.parametrize("batch", [1, 10])
def test_concurrent_processes_on_one_archive(db_url, batch):
    """Three processes storing the same articles and sources at once, one at a time or in
    batches: every race on a unique key ends with one row and one 'new' per article."""
    import multiprocessing

    open_archive(db_url).dispose()
    urls = [f"https://ex.com/{n}" for n in range(30)]
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        results = pool.starmap(_store_all, [(db_url, urls, batch)] * 3)
    outcomes = [outcome for result in results for outcome in result]
    assert outcomes.count("new") == len(urls) and outcomes.count("unchanged") == 2 * len(urls)
    engine = open_archive(db_url)
    assert (count(engine, models.Article), count(engine, models.ArticleUrl),
            count(engine, models.Source)) == (30, 60, 3)
    engine.dispose()


HOLD_LOCK = """
import sys, time
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore
store = ArchiveStore(open_archive(sys.argv[1]))
run = store.start_run({}, ["locked"])
print(store.acquire_run_lock("locked", run), flush=True)
time.sleep(60)
"""


def test_run_lock_refuses_a_live_holder_and_takes_over_a_killed_one(engine):
    import os
    import signal
    import subprocess
    import sys

    url = engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, url], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "True"
        store = ArchiveStore(engine)
        assert store.acquire_run_lock("locked") is False
        assert f"pid {child.pid} on " in (store.run_lock_holder("locked") or "")
        assert store.release_run_lock("locked") is False  # not ours to release
        assert store.acquire_run_lock("another-source") is True
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    run = store.start_run({}, ["locked"])
    assert store.acquire_run_lock("locked", run) is True  # the killed holder's lock
    assert store.acquire_run_lock("locked", run) is True  # re-entrant for its holder
    with engine.connect() as connection:
        lock = connection.execute(select(models.RunLock).where(
            models.RunLock.source == "locked")).one()
        statuses = {run_id: status for run_id, status in connection.execute(
            select(models.CrawlRun.id, models.CrawlRun.status))}
    assert (lock.pid, lock.run_id) == (os.getpid(), run)
    # start_run noticed that the killed child's run could never finish.
    assert sorted(statuses.values()) == ["interrupted", "running"] and statuses[run] == "running"
    assert store.release_run_lock("locked") is True
    assert store.run_lock_holder("locked") is None


def test_locks_from_another_host_are_never_taken_over(engine):
    store = ArchiveStore(engine)
    with engine.begin() as connection:
        connection.execute(models.RunLock.__table__.insert().values(
            source="remote", pid=1, hostname="elsewhere.invalid", acquired_at=T0))
    assert store.acquire_run_lock("remote") is False
