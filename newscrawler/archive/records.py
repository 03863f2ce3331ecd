"""What the write path takes: one record per fetch (an extracted article or any other fetch)
and one per WARC record the crawl wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newscrawler.extraction.article import Article

__all__ = ["ArticleRecord", "CaptureRecord", "FetchRecord", "Record"]


@dataclass
class ArticleRecord:
    """An extracted article and how it was fetched.

    ``content_hash`` is ``normalise.content_hash(title, text)`` and ``minhash`` the text's
    signature, both computed in the extraction workers; left empty, they are computed here.
    ``warc_file``, ``warc_offset`` and ``warc_length`` locate the WARC record the article was
    extracted from. ``reextracted``: the record comes from ``newscrawler reextract`` (the
    same capture read again), so a new version changes the content only, never when the
    article was seen or when it is checked next; its fetch is recorded as ``reextracted``.
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
    warc_length: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    # Other canonicalised URLs this page answered at (request URL before redirects, etc.).
    aliases: list[str] = field(default_factory=list)
    minhash: bytes | None = None
    reextracted: bool = False

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


@dataclass
class CaptureRecord:
    """A WARC record written to disk (and synced) before the batch that records it commits.

    ``rec_type``: ``response``, ``revisit`` or ``metadata``; ``refers_to``: the record id a
    revisit stands on or a metadata record describes; ``whole``: a complete 2xx response,
    which later fetches of the same payload may refer to.
    """

    url: str
    warc_date: datetime
    rec_type: str
    warc_file: str
    warc_offset: int
    warc_length: int
    record_id: str
    status: int | None = None
    payload_digest: str | None = None
    refers_to: str | None = None
    truncated: str | None = None
    whole: bool = False


Record = ArticleRecord | FetchRecord | CaptureRecord
