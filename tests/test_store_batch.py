"""ArchiveStore.store_many: a batch gives exactly the archive that one store() per record gives.

The write path applies a batch's records in order in memory, then writes every table with
one multi-row statement; these tests hold a batch to the same records stored one at a time,
on SQLite and PostgreSQL, through new articles, versions, re-fetches, copies, aliases,
near-duplicates, 304s and dropped pages, and two records of one URL in one batch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore, FetchRecord
from tests.test_clusters import OTHER, SITE_A, SITE_B
from tests.test_store import T0, make_record

LATER = T0 + timedelta(hours=3)
UNRELATED = ("The city council approved a new budget for public libraries on Monday, adding "
             "evening hours in four neighbourhoods and funds to replace worn-out books. "
             "Librarians welcomed the vote but said staffing remains a concern.")


def batches() -> list[list[Any]]:
    first = [
        make_record("https://a.example/wire", text=SITE_A),
        make_record("https://o.example/eclipse", text=OTHER, source="other"),
        # a near-duplicate of the first, in the same batch: found among the batch's own bands
        make_record("https://b.example/wire", text=SITE_B, title="Retirement age"),
    ]
    second = [
        make_record("https://a.example/wire", text=SITE_A + "\nUpdated with reactions.",
                    fetched_at=LATER),  # a version
        make_record("https://o.example/eclipse", text=OTHER, fetched_at=LATER,
                    source="other"),  # unchanged
        make_record("https://copy.example/eclipse", text=OTHER, fetched_at=LATER),  # a copy
        make_record("https://c.example/wire", text=SITE_B.replace("Advertisement. ", ""),
                    title="Pensions", fetched_at=LATER),  # near-duplicate of archived rows
        make_record("https://n.example/library", text=UNRELATED, fetched_at=LATER,
                    aliases=["https://n.example/library?from=home", "https://n.example/l/1"]),
        make_record("https://n.example/empty", text="...", title="No words", fetched_at=LATER),
    ]
    third = [  # two records of one URL: each must see the other's effect
        make_record("https://d.example/live", text="First take of a developing story.",
                    fetched_at=LATER),
        make_record("https://d.example/live", text="Second take, with more detail.",
                    fetched_at=LATER + timedelta(minutes=5)),
        make_record("https://e.example/new", text="Another new story in the same batch.",
                    fetched_at=LATER),
        FetchRecord("https://o.example/eclipse", 304, "not_modified", LATER),
        FetchRecord("https://n.example/tag/x", 200, "dropped:not_article", LATER),
        make_record("https://d.example/live", text="Third take: the new article's second "
                    "version in this batch.", fetched_at=LATER + timedelta(minutes=9)),
    ]
    return [first, second, third]


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The archive's content without database ids (cluster ids as their first article's URL)."""
    article, version = models.Article, models.ArticleVersion
    with engine.connect() as conn:
        url_of = dict(conn.execute(select(article.id, article.canonical_url)).all())
        source_of = dict(conn.execute(select(models.Source.id, models.Source.name)).all())
        rows = conn.execute(select(article)).all()
        articles = sorted(
            (r.canonical_url, r.url, r.title, r.text, r.version, r.content_hash,
             source_of.get(r.source_id), r.first_seen_at, r.last_seen_at, r.last_changed_at,
             r.next_check_at, r.minhash, tuple(r.authors), r.published_at, r.warc_offset,
             url_of.get(int(r.cluster_id)) if r.cluster_id else None) for r in rows)
        versions = sorted((url_of[r.article_id], r.version, r.content_hash, r.title, r.text,
                           r.url, r.fetched_at) for r in conn.execute(select(version)))
        urls = sorted((r.url, url_of[r.article_id])
                      for r in conn.execute(select(models.ArticleUrl)))
        fetches = sorted((r.url, url_of.get(r.article_id), r.outcome, r.status, r.content_hash,
                          r.fetched_at) for r in conn.execute(select(models.Fetch)))
        bands = sorted((url_of[r.article_id], r.band, r.key)
                       for r in conn.execute(select(models.ArticleBand)))
    return {"articles": articles, "versions": versions, "urls": urls, "fetches": fetches,
            "bands": bands}


def forget_cluster(engine: Engine, url: str) -> None:
    """As an article archived with a signature but before clusters were assigned."""
    with engine.begin() as conn:
        conn.execute(update(models.Article).where(models.Article.canonical_url == url)
                     .values(cluster_id=None))


def test_batches_equal_one_record_at_a_time(store, tmp_path):
    reference = ArchiveStore(open_archive(f"sqlite:///{tmp_path / 'reference.sqlite3'}"))
    got, expected = [], []
    for number, batch in enumerate(batches()):
        if number == 1:
            for archive in (store, reference):
                forget_cluster(archive.engine, "https://b.example/wire")
        got.append(store.store_many(batch, None))
        expected.append([reference.store(record, None) for record in batch])
    assert got == expected == [
        ["new", "new", "new"],
        ["version", "unchanged", "duplicate", "new", "new", "new"],
        ["new", "version", "new", "not_modified", "dropped:not_article", "version"],
    ]
    ours, theirs = dump(store.engine), dump(reference.engine)
    assert ours == theirs
    clusters = {row[0]: row[-1] for row in ours["articles"]}
    assert clusters["https://b.example/wire"] == clusters["https://a.example/wire"]
    assert clusters["https://c.example/wire"] == clusters["https://a.example/wire"]
    assert clusters["https://n.example/library"] == "https://n.example/library"
    assert ("https://n.example/l/1", "https://n.example/library") in ours["urls"]
    reference.engine.dispose()


def test_a_failed_batch_leaves_nothing_and_caches_no_rolled_back_source(store):
    good = make_record("https://f.example/1", text=UNRELATED, source="fresh-source")
    other = make_record("https://f.example/2", text=OTHER, source="fresh-source")
    broken = replace(other, status=None)  # NOT NULL column: the batch's transaction fails
    with pytest.raises(IntegrityError):
        store.store_many([good, broken], None)
    with store.engine.connect() as conn:
        assert conn.scalars(select(models.Article.canonical_url)).all() == []
        assert conn.scalars(select(models.Source.name)).all() == []
    assert store.store_many([good, other], None) == ["new", "new"]
    with store.engine.connect() as conn:
        sources = conn.execute(select(models.Source.id, models.Source.name)).all()
        linked = set(conn.scalars(select(models.Article.source_id)))
    assert [name for _, name in sources] == ["fresh-source"]
    assert linked == {sources[0][0]}
