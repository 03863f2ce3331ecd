"""Synthetic archives for the search benchmark, built through the archive's own insert path.

``build`` creates (or resumes) an SQLite archive of ``size`` synthetic articles with
``open_archive`` (so the schema, the FTS5 index and its triggers are the product's own) and
inserts the articles with the multi-row ``INSERT ... RETURNING`` the crawl's store issues
for new articles: the triggers index every row as a crawl would. Versions, URLs, fetches
and clusters, which search never reads, are left out. A chunk is one transaction, so a build
interrupted at any moment resumes where it stopped; its seconds are summed in a JSON file
beside the archive.

``insert_throughput`` measures what the triggers cost the crawl: the real write path
(``ArchiveStore.store_many``, batches of 50) into a fresh archive with the index and one
whose search triggers were dropped.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text

from newscrawler.analysis.normalise import content_hash
from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore, ArticleRecord
from newscrawler.extraction.article import Article
from newscrawler.search.sqlite import DDL

from .search_corpus import CHUNK, SOURCES, Corpus, Synthetic

__all__ = ["build", "index_bytes", "insert_throughput"]


def _row(article: Synthetic, source_ids: dict[str, int]) -> dict[str, Any]:
    url = f"https://{article.source}.example/{article.number}"
    return {
        "canonical_url": url, "url": url, "source_id": source_ids[article.source],
        "title": article.title, "authors": [], "published_at": article.published_at,
        "language": article.language, "text": article.text,
        "content_hash": f"{article.number:064x}", "version": 1,
        "first_seen_at": article.first_seen_at, "last_seen_at": article.first_seen_at,
        "cluster_id": str(article.number + 1),
    }


def _sources(engine: Engine) -> dict[str, int]:
    names = [f"source-{n:02d}" for n in range(SOURCES)]
    with engine.begin() as connection:
        known = dict(connection.execute(select(models.Source.name, models.Source.id)).all())
        missing = [{"name": n, "created_at": datetime.now(UTC)} for n in names if n not in known]
        if missing:
            connection.execute(insert(models.Source.__table__), missing)
        return dict(connection.execute(select(models.Source.name, models.Source.id)).all())


def build(path: Path, size: int, corpus: Corpus) -> dict[str, float]:
    """The archive at ``path`` with ``size`` articles; returns build seconds and size."""
    log = path.with_suffix(".json")
    state = json.loads(log.read_text()) if log.exists() else {"seconds": 0.0}
    engine = open_archive(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:  # an archive cached before the index existed
            connection.exec_driver_sql(next(s for s in DDL if "article_search_filters" in s))
        source_ids = _sources(engine)
        with engine.connect() as connection:
            have = connection.scalar(text("SELECT count(*) FROM articles")) or 0
        table = models.Article.__table__
        for start in range(have - have % CHUNK, size, CHUNK):
            started = time.perf_counter()
            rows = [_row(a, source_ids) for a in corpus.articles(start, min(size, start + CHUNK))]
            with engine.begin() as connection:
                connection.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            state["seconds"] += time.perf_counter() - started
            log.write_text(json.dumps(state))
            if (start // CHUNK) % 25 == 0:
                print(f"  {path.name}: {start + CHUNK:,} / {size:,} articles, "
                      f"{state['seconds']:.0f} s", flush=True)
    finally:
        engine.dispose()
    return {"build_seconds": state["seconds"], "file_bytes": path.stat().st_size,
            "index_bytes": index_bytes(path)}


def index_bytes(path: Path) -> int:
    """Bytes of the FTS5 index's tables (dbstat), the search structures' share of the file."""
    engine = open_archive(f"sqlite:///{path}", readonly=True)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'article\\_search%' ESCAPE '\\'"
            )) or 0)
    finally:
        engine.dispose()


def _records(corpus: Corpus, count: int) -> list[ArticleRecord]:
    records = []
    for article in corpus.articles(0, count):
        url = f"https://{article.source}.example/{article.number}"
        body = Article(url=url, title=article.title, text=article.text,
                       language=article.language, published_at=article.published_at)
        records.append(ArticleRecord(
            article=body, url=url, canonical_url=url, source=article.source,
            content_hash=content_hash(article.title, article.text),
            fetched_at=article.first_seen_at))
    return records


def insert_throughput(corpus: Corpus, count: int, batch: int = 50) -> dict[str, float]:
    """Articles/s through ``store_many`` with the search triggers and without them."""
    records = _records(corpus, count)
    result = {}
    with tempfile.TemporaryDirectory(prefix="newscrawler-search-") as tmp:
        for label in ("without_index", "with_index", "without_index_2", "with_index_2"):
            engine = open_archive(f"sqlite:///{Path(tmp) / label}.sqlite3")
            if label.startswith("without"):
                with engine.begin() as connection:
                    for name in ("insert", "update", "delete"):
                        connection.execute(text(f"DROP TRIGGER article_search_{name}"))
            store = ArchiveStore(engine)
            started, cpu = time.perf_counter(), time.process_time()
            for first in range(0, len(records), batch):
                store.store_many(records[first:first + batch], None)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            result[label] = {"articles_per_s": len(records) / wall,
                             "cpu_ms_per_article": 1000 * cpu / len(records)}
            engine.dispose()
    return result
