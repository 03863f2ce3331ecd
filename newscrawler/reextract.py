"""``newscrawler reextract``: extraction run again over the archive's captures, no network.

Each selected article's current version is read back from its WARC record (a revisit
resolved through the archive's ``captures`` table), its payload decoded, and analysed by
the crawl's own function (``analysis.page.analyse_page``) in a ``WorkerPool`` of one
process per core. The article's stored title, date, authors and language are passed as
hints, as feeds and sitemaps hinted them during the crawl: fallbacks only, where the page
itself says nothing.

A result whose content hash differs from the article's is stored as a new version through
the one write path (``ArchiveStore.store_many``, a batch per transaction, with
``ArticleRecord.reextracted``): the version's ``fetched_at`` is the capture's date (when
those bytes were fetched), its ``extractor`` the one that read it now, its fetch row has
the outcome ``reextracted`` with the capture's status and no crawl run, and the article's
freshness (last seen, next check, validators) stays as it was. A result equal to the stored
text writes nothing, so an interrupted run resumes by running again: the articles already
given their new version now match, and the archive ends as one uninterrupted run leaves
it. Pages the extractor now rejects, and articles without a readable capture, are counted
and left as they are.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.orm import Session

from newscrawler.analysis.page import PageAnalysis
from newscrawler.analysis.pool import (
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    WorkerStartError,
    WorkerTimeout,
)
from newscrawler.archive import models
from newscrawler.archive.captures import ArchiveCaptures
from newscrawler.archive.records import ArticleRecord
from newscrawler.archive.store import ArchiveStore
from newscrawler.capture.decoding import DecodingError
from newscrawler.capture.reader import Capture, WarcError, read_capture
from newscrawler.extraction import Rejected

__all__ = ["BATCH", "FUNCTION", "Summary", "reextract"]

logger = logging.getLogger(__name__)

#: What the workers run: the crawl's analysis (a test points it at an altered extractor).
FUNCTION = "newscrawler.analysis.page:analyse_page"
BATCH = 50  # new versions per transaction
PAGE = 200  # articles read from the archive at a time
# Transport headers of the stored payload: the body handed to extraction is decoded.
_TRANSPORT = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass
class Summary:
    """What a run did: ``changed`` articles got (or, dry, would get) a new version."""

    articles: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    unreadable: int = 0
    extractors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Job:
    """One article and the capture its current version came from."""

    row: Any  # the article's columns (see ``_articles``)
    capture: Capture


def reextract(engine: Engine, warc_dir: str | Path, selected: Select[Any], *,
              limit: int | None = None, dry_run: bool = False, workers: int | None = None,
              progress: Callable[[], None] | None = None) -> Summary:
    """Re-extract the articles ``selected`` (an ``articles_query`` statement) selects;
    store what changed unless ``dry_run``."""
    summary, pending = Summary(), []
    store = ArchiveStore(engine)
    size = (os.cpu_count() or 1) if workers is None else workers
    with _Analyser(size) as analyse:
        for job, analysis in analyse.each(_jobs(engine, warc_dir, selected, limit, summary,
                                                progress)):
            record = _compare(job, analysis, summary)
            if progress is not None:
                progress()
            if record is not None and not dry_run:
                pending.append(record)
                if len(pending) >= BATCH:
                    store.store_many(pending, None)
                    pending = []
    if pending:
        store.store_many(pending, None)
    return summary


def _jobs(engine: Engine, warc_dir: str | Path, selected: Select[Any], limit: int | None,
          summary: Summary, progress: Callable[[], None] | None) -> Iterator[_Job]:
    captures = ArchiveCaptures(engine)
    for row in _articles(engine, selected, limit):
        summary.articles += 1
        try:
            if row.warc_file is None:
                raise WarcError("archived without a capture")
            capture = read_capture(warc_dir, row.warc_file, row.warc_offset, row.warc_length,
                                   locate=captures.locate)
            capture.body  # noqa: B018 - decoded here, so a corrupt payload is counted now
        except (WarcError, DecodingError) as exc:
            logger.warning("Article %d (%s) not re-extracted: %s", row.id, row.url, exc)
            summary.unreadable += 1
            if progress is not None:
                progress()
            continue
        yield _Job(row, capture)


def _articles(engine: Engine, selected: Select[Any], limit: int | None) -> Iterator[Any]:
    """The selected articles with their current record's location, in id order, a page of
    rows per short read (no read transaction stays open while batches are written)."""
    article, version = models.Article, models.ArticleVersion
    statement = selected.with_only_columns(
        article.id, article.url, article.canonical_url, article.content_hash, article.title,
        article.published_at, article.authors, article.language, article.warc_file,
        article.warc_offset, version.warc_length, models.Source.name.label("source"),
    ).outerjoin(version, (version.article_id == article.id)
                & (version.version == article.version)
                & (version.warc_offset == article.warc_offset))
    last, left = 0, limit
    while left is None or left > 0:
        page = PAGE if left is None else min(PAGE, left)
        with Session(engine) as session:
            rows = session.execute(statement.where(article.id > last).limit(page)).all()
        yield from rows
        if len(rows) < page:
            return
        last = rows[-1].id
        left = None if left is None else left - len(rows)


def _compare(job: _Job, analysis: PageAnalysis, summary: Summary) -> ArticleRecord | None:
    """The new version ``analysis`` makes of the job's article, or None if none."""
    article, row, capture = analysis.article, job.row, job.capture
    if article is None:
        reason = analysis.rejection.reason if analysis.rejection else "?"
        logger.warning("Article %d (%s) is now rejected (%s): kept as it was",
                       row.id, row.url, reason)
        summary.rejected += 1
        return None
    summary.extractors[article.extractor] = summary.extractors.get(article.extractor, 0) + 1
    if analysis.content_hash == row.content_hash:
        summary.unchanged += 1
        return None
    summary.changed += 1
    return ArticleRecord(
        article=article, url=row.url, canonical_url=row.canonical_url, source=row.source,
        content_hash=analysis.content_hash, fetched_at=capture.ref.date,
        status=capture.status or 200, warc_file=row.warc_file, warc_offset=row.warc_offset,
        warc_length=row.warc_length, minhash=analysis.minhash, reextracted=True)


class _Analyser:
    """``FUNCTION`` over jobs in ``workers`` processes (0: inline), results in job order."""

    def __init__(self, workers: int) -> None:
        self.pool = WorkerPool(workers, FUNCTION) if workers > 0 else None
        self.inline = _load(FUNCTION) if workers <= 0 else None
        self.window = 4 * max(1, workers)  # pages decoded and in flight at once

    def __enter__(self) -> _Analyser:
        if self.pool is not None:
            self.pool.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.close()

    def each(self, jobs: Iterator[_Job]) -> Iterator[tuple[_Job, PageAnalysis]]:
        waiting: deque[tuple[_Job, Future[PageAnalysis]]] = deque()
        for job in jobs:
            waiting.append((job, self._submit(job)))
            if len(waiting) >= self.window:
                done, future = waiting.popleft()
                yield done, _result(done, future)
        while waiting:
            done, future = waiting.popleft()
            yield done, _result(done, future)

    def _submit(self, job: _Job) -> Future[PageAnalysis]:
        args, options = _arguments(job)
        if self.pool is not None:
            return self.pool.submit(*args, **options)
        assert self.inline is not None
        future: Future[PageAnalysis] = Future()
        try:
            future.set_result(self.inline(*args, **options))
        except Exception as exc:  # as a worker reports it: the page fails, the run goes on
            future.set_exception(WorkerError(f"{type(exc).__name__}: {exc}"))
        return future


def _load(spec: str) -> Callable[..., PageAnalysis]:
    module, _, name = spec.partition(":")
    function: Callable[..., PageAnalysis] = getattr(importlib.import_module(module), name)
    return function


def _result(job: _Job, future: Future[PageAnalysis]) -> PageAnalysis:
    """The analysis, or a rejection if it crashed or hung its worker (as in the crawl)."""
    try:
        return future.result()
    except WorkerStartError:
        raise
    except (WorkerTimeout, WorkerCrashed, WorkerError) as exc:
        logger.error("Extraction of %s failed: %s", job.row.url, exc)
        return PageAnalysis(Rejected("extract_error", str(exc)))


def _arguments(job: _Job) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``analyse_page``'s arguments: the decoded body, URL and headers, as the crawl gave."""
    capture, row = job.capture, job.row
    headers: dict[str, str] = {}
    for name, value in capture.payload_headers:
        if name.lower() not in _TRANSPORT:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
    hints = {"title": row.title, "published_at": row.published_at,
             "authors": list(row.authors or []), "language": row.language}
    return ((capture.body, capture.url, headers),
            {"force_article": True, "hints": {k: v for k, v in hints.items() if v}})
