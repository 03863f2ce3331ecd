"""The archive: SQLAlchemy models, engines with migrations on first use, and the store.

A crawl reads it through ``lookup`` (which URLs are archived, which articles are due) and
writes it through ``store.ArchiveStore.store_many`` and ``ingest``, the one write path;
researchers read it through ``newscrawler.api.Archive``.
"""

from newscrawler.archive.engine import ArchiveError, make_engine, open_archive, upgrade
from newscrawler.archive.store import ArchiveStore, ArticleRecord, FetchRecord, content_hash

__all__ = [
    "ArchiveError",
    "ArchiveStore",
    "ArticleRecord",
    "FetchRecord",
    "content_hash",
    "make_engine",
    "open_archive",
    "upgrade",
]
