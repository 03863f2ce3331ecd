"""What the archive's captures are read for, on SQLite and PostgreSQL: the WACZ of a
selection (its records and the run's context, no other article) and re-extraction."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from newscrawler.analysis.page import analyse_page
from newscrawler.archive.captures import capture_record
from newscrawler.archive.query import Filters, articles_query
from newscrawler.archive.records import CaptureRecord, Record
from newscrawler.archive.store import ArchiveStore, ArticleRecord
from newscrawler.capture.export import export_wacz
from newscrawler.capture.records import Exchange, WarcInfo
from newscrawler.capture.refs import CaptureRef
from newscrawler.capture.writer import CaptureWriter
from newscrawler.extraction import EXTRACTOR
from newscrawler.reextract import reextract
from tests import reextract_jobs
from tests.test_store import T0

BASE = "https://news.example"
HEADERS = {"content-type": "text/html; charset=utf-8"}
PAGES = {  # path: (language, title)
    "/sciences/comets.html": ("fr", "Les comètes reviennent"),
    "/culture/festival.html": ("en", "The festival is back"),
}


def _html(lang: str, title: str) -> bytes:
    body = "".join(f"<p>{title}: paragraph {n} of a story long enough to be an article, "
                   "with details, names and places.</p>" for n in range(8))
    return (f"<html lang='{lang}'><head><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{body}</article></body></html>").encode()


def _row(ref: CaptureRef) -> CaptureRecord:
    record = capture_record(ref)
    assert record is not None
    return record


def _crawl(store: ArchiveStore, warc: Path) -> int:
    """What one crawl run leaves: a home page, two articles with their metadata records."""
    run = store.start_run({}, [])
    records: list[Record] = []
    with CaptureWriter(warc, WarcInfo("newscrawler/test", "h")) as writer:
        home = writer.write_response(Exchange(BASE + "/", 200, list(HEADERS.items()),
                                              b"<html>home</html>", T0))
        records.append(_row(home))
        for path, (lang, title) in PAGES.items():
            url, body = BASE + path, _html(lang, title)
            ref = writer.write_response(Exchange(url, 200, list(HEADERS.items()), body, T0))
            analysis = analyse_page(body, url, HEADERS, force_article=True)
            assert analysis.article is not None
            meta = writer.write_metadata(ref, {"title": title})
            records += [_row(ref), _row(meta), ArticleRecord(
                article=analysis.article, url=url, canonical_url=url, source="news",
                content_hash=analysis.content_hash, fetched_at=T0, warc_file=ref.warc_file,
                warc_offset=ref.offset, warc_length=ref.length, minhash=analysis.minhash)]
    store.store_many(records, run)
    return run


def test_a_wacz_holds_the_selection_and_its_context_only(store, tmp_path) -> None:
    _crawl(store, tmp_path / "warc")
    package = tmp_path / "fr.wacz"
    french = articles_query(Filters(lang="fr"))
    summary = export_wacz(store.engine, package, tmp_path / "warc", french)
    with zipfile.ZipFile(package) as wacz:
        warcs = [name for name in wacz.namelist() if name.startswith("archive/")]
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                   for name in warcs for r in ArchiveIterator(io.BytesIO(wacz.read(name)))]
        pages = [json.loads(line) for line in
                 wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
    article = BASE + "/sciences/comets.html"
    assert sorted(records) == sorted([
        ("warcinfo", None), ("response", BASE + "/"), ("request", BASE + "/"),
        ("response", article), ("request", article), ("metadata", article)])
    assert [(p["url"], p["title"]) for p in pages] == [(article, "Les comètes reviennent")]
    assert summary.pages == 1 and summary.records == 5


def test_reextract_reproduces_then_applies_an_extractor_change(store, tmp_path,
                                                               monkeypatch) -> None:
    _crawl(store, tmp_path / "warc")
    same = reextract(store.engine, tmp_path / "warc", articles_query(Filters()), workers=0)
    assert (same.articles, same.changed, same.unchanged) == (2, 0, 2)
    monkeypatch.setattr("newscrawler.reextract.FUNCTION", "tests.reextract_jobs:altered")
    dry = reextract(store.engine, tmp_path / "warc", articles_query(Filters()), workers=0,
                    dry_run=True)
    assert dry.changed == 1
    news = articles_query(Filters(source="news"))
    done = reextract(store.engine, tmp_path / "warc", news, workers=0)
    assert (done.changed, done.extractors) == (1, {reextract_jobs.EXTRACTOR: 2})
    again = reextract(store.engine, tmp_path / "warc", articles_query(Filters()), workers=0)
    assert again.changed == 0
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT url, version, extractor FROM articles "
                                 "ORDER BY url")).all()
    assert [tuple(r) for r in rows] == [
        (BASE + "/culture/festival.html", 1, EXTRACTOR),
        (BASE + "/sciences/comets.html", 2, reextract_jobs.EXTRACTOR)]


@pytest.mark.parametrize("missing", ["file", "offset"])
def test_reextract_counts_what_it_cannot_read(store, tmp_path, missing) -> None:
    _crawl(store, tmp_path / "warc")
    if missing == "file":
        for path in (tmp_path / "warc").iterdir():
            path.unlink()
    else:
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE articles SET warc_offset = warc_offset + 5"))
    summary = reextract(store.engine, tmp_path / "warc", articles_query(Filters()), workers=0)
    assert (summary.articles, summary.unreadable, summary.changed) == (2, 2, 0)
