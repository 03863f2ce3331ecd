"""What a crawl asks the archive before fetching: which URLs it has, which articles are due.

Asked in batches, through indexes, so a crawl's cost does not grow with the archive: the
spider never holds the archive's URLs in memory. Read-only work, safe from any thread; the
spider awaits it on the lookup's own threads (``LOOKUP_THREADS``), each with its connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.archive.reconnect import retry_disconnects

__all__ = ["ArchiveLookup", "DueArticle"]

CHUNK = 500
T = TypeVar("T")
# Lookups in flight at once, and so the connections a crawl's lookups hold.
LOOKUP_THREADS = 2


class DueArticle(NamedTuple):
    """An archived article to fetch again, with the validators for a conditional request."""

    id: int
    url: str
    canonical_url: str
    etag: str | None
    last_modified: str | None


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield list(values[start:start + size])


class ArchiveLookup:
    """Batched, indexed questions about an archive."""

    def __init__(self, engine: Engine, threads: int = LOOKUP_THREADS,
                 reconnect_seconds: float = 0.0,
                 on_reconnect: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.reconnect_seconds = reconnect_seconds  # riding out a database restart
        self.on_reconnect = on_reconnect
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="newscrawler-lookup")

    @classmethod
    def open(cls, url: str, reconnect_seconds: float = 0.0,
             on_reconnect: Callable[[], None] | None = None) -> ArchiveLookup:
        """A lookup on the archive at ``url``, with one connection per lookup thread."""
        # Read-only: lookups never take the write lock the store thread needs (SQLite).
        return cls(open_archive(url, readonly=True, pool_size=LOOKUP_THREADS),
                   reconnect_seconds=reconnect_seconds, on_reconnect=on_reconnect)

    async def known_async(self, urls: list[str]) -> set[str]:
        """``known``, awaited off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, self.known, urls)

    async def next_page(self, pages: Iterator[list[DueArticle]]) -> list[DueArticle] | None:
        """The next page of ``article_pages``, awaited off the event loop; None at the end."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, next, pages, None)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        self.engine.dispose()

    def known(self, urls: Iterable[str]) -> set[str]:
        """The URLs (canonicalised by the caller) some archived article is known by."""
        wanted = list(dict.fromkeys(urls))
        return retry_disconnects(lambda: self._known(wanted), self.reconnect_seconds,
                                 self.on_reconnect)

    def _known(self, wanted: list[str]) -> set[str]:
        found: set[str] = set()
        article, alias = models.Article, models.ArticleUrl
        with Session(self.engine) as session:
            for chunk in chunks(wanted):
                found.update(session.scalars(select(alias.url).where(alias.url.in_(chunk))))
                found.update(session.scalars(
                    select(article.canonical_url).where(article.canonical_url.in_(chunk))))
        return found

    def article_pages(self, source: str | None, *, due_at: datetime | None = None,
                      urls: list[str] | None = None, page: int = CHUNK
                      ) -> Iterator[list[DueArticle]]:
        """Archived articles of ``source`` (all if None), ``page`` rows at a time.

        With ``due_at``, only those whose revisit is due then, through the ``next_check_at``
        index: never scheduled first, then soonest due first. With ``urls`` (canonical),
        only the articles known by one of them.
        """
        article = models.Article
        base = select(article.id, article.url, article.canonical_url, article.etag,
                      article.last_modified, article.next_check_at).limit(page)
        if source is not None:
            base = base.join(models.Source, article.source_id == models.Source.id) \
                .where(models.Source.name == source)
        if urls is not None:
            for chunk in chunks(list(dict.fromkeys(urls)), page):
                aliases = select(models.ArticleUrl.article_id).where(
                    models.ArticleUrl.url.in_(chunk))
                yield from self._due_pages(
                    base.where(article.canonical_url.in_(chunk) | article.id.in_(aliases)),
                    due_at, page)
            return
        yield from self._due_pages(base, due_at, page)

    def _due_pages(self, base: Select[Any], due_at: datetime | None, page: int
                            ) -> Iterator[list[DueArticle]]:
        article = models.Article
        if due_at is None:
            yield from self._pages(base.order_by(article.id), page, by_time=False)
            return
        yield from self._pages(base.where(article.next_check_at.is_(None))
                               .order_by(article.id), page, by_time=False)
        yield from self._pages(base.where(article.next_check_at <= due_at)
                               .order_by(article.next_check_at, article.id), page, by_time=True)

    def _pages(self, statement: Select[Any], page: int, *, by_time: bool
               ) -> Iterator[list[DueArticle]]:
        """Keyset pagination: each query starts after the last row of the one before."""
        article = models.Article
        query = statement
        while True:
            with Session(self.engine) as session:
                rows = session.execute(query).all()
            if rows:
                yield [DueArticle(*row[:5]) for row in rows]
            if len(rows) < page:
                return
            last = rows[-1]
            after = (article.next_check_at > last.next_check_at) | (
                (article.next_check_at == last.next_check_at) & (article.id > last.id)) \
                if by_time else article.id > last.id
            query = statement.where(after)
