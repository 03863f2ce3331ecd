"""What the write path takes: one record per fetch, an extracted article or any other fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newscrawler.extraction.article import Article

__all__ = ["ArticleRecord", "FetchRecord", "Record"]


@dataclass
class ArticleRecord:
    """An extracted article and how it was fetched.

    ``content_hash`` is ``normalise.content_hash(title, text)`` and ``minhash`` the text's
    signature, both computed in the extraction workers; left empty, they are computed here.
    """

    article: Article
    url: str
    canonical_url: str
    source: str | None
    content_hash: str
    fetched_at: datetime
    status: int = 200
    warc_file: str | None = None
    warc_offset: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    # Other canonicalised URLs this page answered at (request URL before redirects, etc.).
    aliases: list[str] = field(default_factory=list)
    minhash: bytes | None = None

    def urls(self) -> list[str]:
        """The record's URLs, canonical first, without repeats or blanks."""
        return list(dict.fromkeys(u for u in (self.canonical_url, self.url, *self.aliases) if u))


@dataclass
class FetchRecord:
    """A fetch that stored no article: ``not_modified`` (a 304), ``dropped:<reason>``, ..."""

    url: str
    status: int
    outcome: str
    fetched_at: datetime


Record = ArticleRecord | FetchRecord
