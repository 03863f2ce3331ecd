"""The archive: SQLAlchemy models, engines with migrations on first use, and the store."""

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
