"""CPU per archived article: batched ``store_many`` against one ``store()`` per article.

Extracts unique copies of the eval pages once (as the crawl's workers would), then writes
the same records into two fresh SQLite archives in this process: in batches of 50 (what the
crawl's store pipeline does) and one transaction per record (the path a batch falls back
a caller of ``store`` gets). Prints milliseconds of this process's CPU time per article for
each and their ratio, and checks both archives hold the same articles and clusters.
Offline; the product never reads it.

    .venv/bin/python -m benchmarks.store_path [EVAL_DIR] [COUNT]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from newscrawler.analysis.page import analyse_page
from newscrawler.archive.engine import open_archive
from newscrawler.archive.store import ArchiveStore, ArticleRecord

from .corpus import DEFAULT_EVAL_DIR, copy_path, load_pages, unique_copy

BATCH = 50


def records(eval_dir: Path, count: int) -> list[ArticleRecord]:
    pages = load_pages(eval_dir)
    now = datetime.now(UTC)
    found = []
    for number in range(count):
        url = f"http://127.0.0.1:8000{copy_path(number)}"
        analysis = analyse_page(unique_copy(pages, number), url, {"content-type": "text/html"},
                                force_article=True)
        if analysis.article is not None:
            found.append(ArticleRecord(
                article=analysis.article, url=url, canonical_url=url, source="bench",
                content_hash=analysis.content_hash, fetched_at=now, warc_file="bench.warc.gz",
                warc_offset=number, aliases=[url], minhash=analysis.minhash))
    return found


def timed(path: Path, batch: list[ArticleRecord], batched: bool) -> tuple[float, list[tuple]]:
    """CPU seconds to archive ``batch``; then every article's URL and cluster head URL."""
    store = ArchiveStore(open_archive(f"sqlite:///{path}"))
    run_id = store.start_run({}, ["bench"])
    started = time.process_time()
    if batched:
        for start in range(0, len(batch), BATCH):
            store.store_many(batch[start:start + BATCH], run_id)
    else:
        for record in batch:
            store.store(record, run_id)
    seconds = time.process_time() - started
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.canonical_url, h.canonical_url FROM articles a "
            "JOIN articles h ON h.id = CAST(a.cluster_id AS INTEGER) ORDER BY 1")).all()
    store.engine.dispose()
    return seconds, [tuple(row) for row in rows]


def main(eval_dir: Path, count: int) -> None:
    batch = records(eval_dir, count)
    with tempfile.TemporaryDirectory(prefix="newscrawler-store-") as tmp:
        single, single_rows = timed(Path(tmp) / "single.sqlite3", batch, batched=False)
        many, many_rows = timed(Path(tmp) / "batched.sqlite3", batch, batched=True)
    per = 1000 / len(batch)
    print(f"{len(batch)} articles, SQLite, CPU ms per article:")
    print(f"  one store() per article      {single * per:6.2f}")
    print(f"  store_many, batches of {BATCH}   {many * per:6.2f}")
    print(f"  ratio {single / many:.1f}x; same articles and clusters: {single_rows == many_rows}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_EVAL_DIR,
         int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
