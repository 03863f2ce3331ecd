"""Versions, fetches and revisits in the store, on SQLite files and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from newscrawler.analysis.normalise import normalise
from newscrawler.archive import models
from newscrawler.archive.lookup import ArchiveLookup, DueArticle
from newscrawler.archive.store import FetchRecord, content_hash
from newscrawler.revisit import RevisitPolicy
from tests.test_store import T0, make_record

TEXT = "Le ministre a dit: \u00ab c'est fini \u00bb.\nDeuxi\u00e8me paragraphe \u2014 la suite."


def rows(store, model, *order):
    with store.engine.connect() as connection:
        return connection.execute(select(model).order_by(*order)).all()


def test_normalisation():
    assert normalise("\u201cQuote\u201d \u2013 it\u2019s\u00a0here\u2026 ") == \
        '"Quote" - it\'s here...'
    assert normalise("e\u0301te\u0301\u00ad x\u200b") == "\u00e9t\u00e9 x"
    assert normalise("Case Kept") != normalise("case kept")
    assert content_hash("T", "a \u2018b\u2019\n\n c") == content_hash("T", "a 'b' c")


def test_version_only_when_the_words_change(store):
    run = store.start_run({}, ["demo"])
    first = make_record("https://ex.com/v", text=TEXT)
    assert store.store(first, run) == "new"
    cosmetic = TEXT.replace("\u2014", "-").replace("\u00ab", '"').replace("\u00bb", '"') \
        .replace("\n", "\n\n  ").replace("c'est", "c\u2019est")
    hour = timedelta(hours=1)
    assert store.store(make_record("https://ex.com/v", text=cosmetic, fetched_at=T0 + hour),
                       run) == "unchanged"
    assert store.store(make_record("https://ex.com/v", text=TEXT.replace("fini", "Fini"),
                                   fetched_at=T0 + 2 * hour), run) == "version"
    assert store.store(make_record("https://ex.com/v", text=TEXT.replace("fini", "Fini"),
                                   title="New title", fetched_at=T0 + 3 * hour), run) == "version"
    versions = rows(store, models.ArticleVersion, models.ArticleVersion.version)
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[0].text == TEXT and versions[2].title == "New title"
    assert versions[1].fetched_at == T0 + 2 * hour
    fetches = rows(store, models.Fetch, models.Fetch.id)
    assert [(f.outcome, f.status, f.run_id) for f in fetches] == [
        ("new", 200, run), ("unchanged", 200, run), ("version", 200, run), ("version", 200, run)]
    assert [f.fetched_at for f in fetches] == [T0 + n * hour for n in range(4)]
    assert fetches[0].content_hash == fetches[1].content_hash != fetches[2].content_hash
    article = rows(store, models.Article)[0]
    assert article.last_changed_at == T0 + 3 * hour and article.version == 3


def test_store_computes_a_missing_hash(store):
    # The crawl computes the hash in its extraction workers; other callers may leave it out.
    record = replace(make_record("https://ex.com/h"), content_hash="")
    store.store(record, None)
    assert rows(store, models.Article)[0].content_hash == content_hash("Title", "Body text.")


def test_next_check_and_due_articles(store):
    fast = RevisitPolicy.from_config({"steps": [["1d", "10m"]], "after": "2d"})
    store.store(make_record("https://ex.com/young", etag='"v1"', last_modified="Wed, 01 May"),
                None)
    store.store(make_record("https://ex.com/fast", text="Fast.", source="other"), None,
                policy=fast)
    store.store(make_record("https://ex.com/old", text="Old."), None)
    store.store(make_record("https://ex.com/old", text="Old.", fetched_at=T0 + timedelta(days=9)),
                None)
    by_url = {a.canonical_url: a for a in rows(store, models.Article)}
    assert by_url["https://ex.com/young"].next_check_at == T0 + timedelta(minutes=15)
    assert by_url["https://ex.com/fast"].next_check_at == T0 + timedelta(minutes=10)
    assert by_url["https://ex.com/old"].next_check_at == T0 + timedelta(days=16)

    lookup = ArchiveLookup(store.engine)

    def due(when, source=None, **options):
        return [a for page in lookup.article_pages(source, due_at=when, **options) for a in page]

    assert due(T0) == []
    ids = {a.canonical_url: a.id for a in by_url.values()}
    assert due(T0 + timedelta(minutes=15)) == [  # soonest due first
        DueArticle(ids["https://ex.com/fast"], "https://ex.com/fast", "https://ex.com/fast",
                   None, None),
        DueArticle(ids["https://ex.com/young"], "https://ex.com/young", "https://ex.com/young",
                   '"v1"', "Wed, 01 May")]
    assert [d.url for d in due(T0 + timedelta(days=30), "demo")] == \
        ["https://ex.com/young", "https://ex.com/old"]
    assert [d.url for d in due(T0 + timedelta(days=30), page=1)] == \
        ["https://ex.com/fast", "https://ex.com/young", "https://ex.com/old"]  # page by page
    assert due(T0 + timedelta(days=30), "nosuchsource") == []
    assert {a.url for a in due(None, "demo")} == {"https://ex.com/young", "https://ex.com/old"}
    assert len(due(None)) == 3
    assert [a.url for a in due(None, urls=["https://ex.com/old", "https://ex.com/x"])] == \
        ["https://ex.com/old"]


def test_not_modified(store):
    run = store.start_run({}, ["demo"])
    store.store(make_record("https://ex.com/n", aliases=["https://ex.com/n?amp=1"]), run)
    later = T0 + timedelta(days=2)
    assert store.store(FetchRecord("https://ex.com/n?amp=1", 304, "not_modified", later),
                       run) == "not_modified"
    assert store.store(FetchRecord("https://ex.com/unknown", 304, "not_modified", later),
                       run) == "unknown_not_modified"
    article = rows(store, models.Article)[0]
    assert article.last_seen_at == later and article.version == 1
    assert article.next_check_at == later + timedelta(hours=4)  # unchanged for 2 days
    fetch, unknown = rows(store, models.Fetch, models.Fetch.id)[-2:]
    assert (fetch.status, fetch.outcome, fetch.article_id, fetch.run_id, fetch.fetched_at) == \
        (304, "not_modified", article.id, run, later)
    assert (unknown.article_id, unknown.outcome) == (None, "not_modified")  # recorded too
    assert len(rows(store, models.Fetch)) == 3 and len(rows(store, models.ArticleVersion)) == 1
