"""Captures in the archive: rows written through the one write path, the indexed lookups of
later runs, article versions at their records, and re-extracted versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from newscrawler.archive import models
from newscrawler.archive.captures import MAX_URL_LENGTH, ArchiveCaptures, capture_record
from newscrawler.archive.store import ArchiveStore, FetchRecord
from newscrawler.capture.refs import CaptureRef
from tests.test_store import T0, make_record

URL = "https://ex.com/a"


def ref(n: int, url: str = URL, *, rec_type: str = "response", status: int | None = 200,
        digest: str | None = "sha1:AAAA", truncated: str | None = None,
        refers_to: CaptureRef | None = None) -> CaptureRef:
    return CaptureRef("f.warc.gz", 1000 * n, 900, f"<urn:uuid:{n:08d}>",
                      T0 + timedelta(minutes=n), url, digest, status, rec_type, refers_to,
                      truncated)


def test_capture_rows_go_through_the_batch_with_their_run(store) -> None:
    run = store.start_run({}, [])
    first = ref(1)
    records = [capture_record(first), make_record(URL, warc_file="f.warc.gz", warc_offset=1000,
                                                  warc_length=900),
               capture_record(ref(2, rec_type="metadata", status=None, refers_to=first)),
               FetchRecord(URL + "/tag", 200, "dropped:not_article", T0)]
    assert store.store_many(records, run) == ["captured", "new", "captured",
                                              "dropped:not_article"]
    with store.engine.connect() as conn:
        rows = conn.execute(select(models.Capture).order_by(models.Capture.id)).all()
        version = conn.execute(select(models.ArticleVersion)).one()
    assert [(r.rec_type, r.whole, r.run_id, r.refers_to) for r in rows] == [
        ("response", True, run, None), ("metadata", False, run, first.record_id)]
    assert rows[0].warc_date == first.date and rows[0].payload_digest == "sha1:AAAA"
    assert (version.warc_file, version.warc_offset, version.warc_length) == (
        "f.warc.gz", 1000, 900)
    assert version.extractor == "trafilatura 2.3"


def test_lookups_answer_whole_captures_only(store) -> None:
    cut = ref(3, digest="sha1:BBBB", truncated="length")
    refs = [ref(1), ref(2, digest="sha1:BBBB"), cut, ref(4, status=404, digest="sha1:CCCC"),
            ref(5, rec_type="revisit", digest="sha1:BBBB"), ref(6, URL + "?other")]
    store.store_many([capture_record(r) for r in refs], None)
    captures = ArchiveCaptures(store.engine)
    assert captures.find(URL, "sha1:AAAA") == refs[0]
    assert captures.find(URL, "sha1:BBBB") == refs[1]  # not the cut one, not the revisit
    assert captures.find(URL, "sha1:CCCC") is None  # a 404 is no original
    assert captures.latest(URL) == refs[1]
    assert captures.latest(URL + "?never") is None
    assert captures.locate(cut.record_id) == cut.location
    assert captures.locate("<urn:uuid:none>") is None


def test_a_url_too_long_to_index_is_not_recorded() -> None:
    assert capture_record(ref(1, "https://ex.com/" + "x" * MAX_URL_LENGTH)) is None


def test_the_record_of_an_articles_current_version(store) -> None:
    store.store(make_record(URL, warc_file="f.warc.gz", warc_offset=10, warc_length=5), None)
    store.store(make_record(URL, text="Body text, edited.", warc_file="g.warc.gz",
                            warc_offset=20, warc_length=7, fetched_at=T0 + timedelta(1)), None)
    store.store(make_record("https://ex.com/none", text="Never captured."), None)
    captures = ArchiveCaptures(store.engine)
    with store.engine.connect() as conn:
        ids = dict(conn.execute(select(models.Article.url, models.Article.id)).all())
    assert captures.of_article(ids[URL]) == ("g.warc.gz", 20, 7)
    assert captures.of_article(ids["https://ex.com/none"]) is None


def test_a_reextracted_version_changes_the_content_only(store: ArchiveStore) -> None:
    seen = T0 + timedelta(days=3)
    store.store(make_record(URL, warc_file="f.warc.gz", warc_offset=10, etag='"e1"'), None)
    store.store(make_record(URL, fetched_at=seen, etag='"e2"'), None)  # unchanged re-fetch
    with store.engine.connect() as conn:
        before = conn.execute(select(models.Article)).one()
    reread = make_record(URL, text="Body text, better extracted.", warc_file="f.warc.gz",
                         warc_offset=10, warc_length=5, reextracted=True)
    reread.article = replace(reread.article, extractor="trafilatura 9.9")
    assert store.store(reread, None) == "version"
    with store.engine.connect() as conn:
        after = conn.execute(select(models.Article)).one()
        versions = conn.execute(select(models.ArticleVersion)
                                .order_by(models.ArticleVersion.version)).all()
        fetches = conn.execute(select(models.Fetch.outcome, models.Fetch.fetched_at)
                               .order_by(models.Fetch.id)).all()
    assert (after.version, after.text, after.extractor) == (
        2, "Body text, better extracted.", "trafilatura 9.9")
    for column in ("last_seen_at", "last_changed_at", "etag", "last_modified",
                   "next_check_at", "first_seen_at"):
        assert getattr(after, column) == getattr(before, column), column
    assert [(v.version, v.fetched_at, v.extractor) for v in versions] == [
        (1, T0, "trafilatura 2.3"), (2, T0, "trafilatura 9.9")]
    assert fetches[-1] == ("reextracted", T0)
    assert datetime.now(UTC) > after.last_seen_at == seen
