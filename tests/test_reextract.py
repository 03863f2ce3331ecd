"""``newscrawler reextract``: the crawl's extraction again, from the WARC records alone.

On a crawl of the demo site: the same extractor reproduces every article (no new version,
nothing written); an altered extractor (``tests.reextract_jobs``) makes exactly the new
versions expected, and ``--dry-run`` counts them without writing. On a larger synthetic
archive: a run killed with SIGKILL, then run again, leaves the archive one uninterrupted
run leaves.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from newscrawler.analysis.page import analyse_page
from newscrawler.archive.captures import capture_record
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore, ArticleRecord
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.writer import CaptureWriter
from newscrawler.cli import main
from newscrawler.demo import SiteServer, demo_site
from tests import reextract_jobs
from tests.crawling import ROOT, run_crawl
from tests.test_store import T0
from tests.test_store_batch import dump

pytestmark = pytest.mark.e2e

ALTERED = "tests.reextract_jobs:altered"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("reextract")
    site = demo_site()
    with SiteServer(site) as server:
        result = run_crawl([f"url={server.base_url}/"], f"sqlite:///{tmp / 'a.sqlite3'}",
                           tmp / "warc", settings={"AUTOTHROTTLE_ENABLED": "False"})
    assert result.returncode == 0, result.log[-3000:]
    return {"db": tmp / "a.sqlite3", "warc": tmp / "warc", "site": site,
            "base": server.base_url}


@pytest.fixture
def archive(crawled, tmp_path, monkeypatch) -> str:
    """A copy of the crawl's archive, for one test to change."""
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(crawled["db"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    monkeypatch.setenv("NEWSCRAWLER_WARC_DIR", str(crawled["warc"]))
    return f"sqlite:///{copy}"


def _reextract(db: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, "reextract", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_same_extractor_reproduces_every_article(archive, crawled) -> None:
    engine = create_engine(archive)
    before = dump(engine)
    out = _reextract(archive, "--workers", "2")
    n = len(crawled["site"].articles)
    assert out.startswith(f"0 new versions of {n} articles; {n} unchanged, 0 now rejected")
    assert dump(engine) == before  # nothing written at all
    engine.dispose()


def test_an_extractor_change_makes_exactly_the_versions_expected(archive, crawled,
                                                                 monkeypatch) -> None:
    monkeypatch.setattr("newscrawler.reextract.FUNCTION", ALTERED)
    changed = {u for u in crawled["site"].article_urls(crawled["base"])
               if reextract_jobs.CHANGED in u}
    engine = create_engine(archive)
    before = dump(engine)
    dry = _reextract(archive, "--dry-run", "--workers", "0")
    assert dry.startswith(f"{len(changed)} of 12 articles would change")
    assert dump(engine) == before
    assert _reextract(archive, "--workers", "2").startswith(f"{len(changed)} new versions")
    with engine.connect() as conn:
        versions = conn.execute(text(
            "SELECT a.canonical_url, v.version, v.text, v.extractor, v.fetched_at, "
            "v.warc_offset, c.warc_date FROM article_versions v JOIN articles a "
            "ON a.id = v.article_id JOIN captures c ON c.warc_file = v.warc_file "
            "AND c.warc_offset = v.warc_offset WHERE v.version = 2")).all()
        fetches = conn.scalars(text("SELECT url FROM fetches WHERE outcome = 'reextracted' "
                                    "AND run_id IS NULL")).all()
    assert {v.canonical_url for v in versions} == changed == set(fetches)
    for version in versions:
        assert version.text.endswith(reextract_jobs.NOTE)
        assert version.extractor == reextract_jobs.EXTRACTOR
        assert str(version.fetched_at) == str(version.warc_date)  # when the bytes were fetched
    assert _reextract(archive, "--workers", "0").startswith("0 new versions")  # resumable
    engine.dispose()


def test_an_unreadable_capture_is_counted_and_kept(archive, crawled, tmp_path,
                                                   monkeypatch) -> None:
    monkeypatch.setenv("NEWSCRAWLER_WARC_DIR", str(tmp_path / "elsewhere"))
    out = _reextract(archive, "--workers", "0", "--limit", "3")
    assert out.startswith("0 new versions of 3 articles; 0 unchanged, 0 now rejected (kept), "
                          "3 without a readable capture")


# --- interrupted and resumed -----------------------------------------------------------------
WORDS = ("budget conseil ville école route hôpital marché récolte orage musée tribunal "
         "élection port usine pont rivière forêt quartier train théâtre").split()
SYNTHETIC = 240


def _page(n: int, rng: random.Random) -> bytes:
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)) + f" (dépêche {n}).</p>"
        for _ in range(5))
    return (f"<html lang='fr'><head><title>Dépêche {n}</title></head><body><article>"
            f"<h1>Dépêche {n}</h1>{paragraphs}</article></body></html>").encode()


def _synthetic_archive(db: str, warc: Path) -> None:
    """Articles stored as a crawl stores them: their records first, then the rows."""
    rng, records = random.Random(7), []
    headers = {"content-type": "text/html; charset=utf-8"}
    with CaptureWriter(warc, WarcInfo("newscrawler/test", "h")) as writer:
        for n in range(SYNTHETIC):
            url, body = f"https://news.example/{n}.html", _page(n, rng)
            ref = writer.write_response(Exchange(url, 200, list(headers.items()), body,
                                                 T0 + timedelta(seconds=n)))
            analysis = analyse_page(body, url, headers, force_article=True)
            assert analysis.article is not None
            records += [capture_record(ref), ArticleRecord(
                article=analysis.article, url=url, canonical_url=url, source="synthetic",
                content_hash=analysis.content_hash, fetched_at=ref.date,
                warc_file=ref.warc_file, warc_offset=ref.offset, warc_length=ref.length,
                minhash=analysis.minhash)]
    engine = open_archive(db)
    ArchiveStore(engine).store_many(records, None)
    engine.dispose()


def _reextracted(db_path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM fetches "
                                "WHERE outcome = 'reextracted'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_sigkill_then_rerun_equals_one_uninterrupted_run(tmp_path, monkeypatch) -> None:
    warc = tmp_path / "warc"
    once, killed = tmp_path / "once.sqlite3", tmp_path / "killed.sqlite3"
    _synthetic_archive(f"sqlite:///{once}", warc)
    with sqlite3.connect(once) as source, sqlite3.connect(killed) as target:
        source.backup(target)
    code = ("import newscrawler.reextract as r; r.FUNCTION = 'tests.reextract_jobs:slow_altered'; "
            "r.BATCH = 20; from newscrawler.cli import main; "
            f"main(['--db', 'sqlite:///{killed}', 'reextract', '--workers', '2'])")
    env = {**os.environ, "NEWSCRAWLER_WARC_DIR": str(warc), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and _reextracted(killed) < 20:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 20 <= _reextracted(killed) < SYNTHETIC  # killed midway, batches committed

    monkeypatch.setenv("NEWSCRAWLER_WARC_DIR", str(warc))
    monkeypatch.setattr("newscrawler.reextract.FUNCTION", "tests.reextract_jobs:slow_altered")
    _reextract(f"sqlite:///{killed}", "--workers", "2")  # the rerun
    assert _reextract(f"sqlite:///{once}", "--workers", "2").startswith(
        f"{SYNTHETIC} new versions")
    first, second = create_engine(f"sqlite:///{once}"), create_engine(f"sqlite:///{killed}")
    assert dump(first) == dump(second)
    assert len(dump(first)["versions"]) == 2 * SYNTHETIC
    first.dispose()
    second.dispose()
