"""The archive's record of WARC captures: revisit lookups across runs, and record locations.

``ArchiveCaptures`` answers the capture middleware's questions (``PreviousCaptures``: an
earlier whole capture of a URL with a given payload digest, or its latest) from the
``captures`` table through its indexes, and tells readers where a record id lies
(``locate``), so resolving a revisit never scans the WARC directory. Lookups ride out a
database restart for ``reconnect_seconds``. Every row was
committed after its record was synced, so every answer is a complete record.
``capture_record`` turns a written record's ``CaptureRef`` into the row the write path stores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, Select, bindparam, select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.reconnect import retry_disconnects
from newscrawler.archive.records import CaptureRecord
from newscrawler.capture.refs import CaptureRef, Location

__all__ = ["MAX_URL_LENGTH", "ArchiveCaptures", "capture_record"]

# Longer URLs (a redirect's Location is not held to URLLENGTH_LIMIT) are not recorded: an
# index entry that long is refused by PostgreSQL, and with it the whole batch.
MAX_URL_LENGTH = 2048
_C = models.Capture


# Built once: asked once per fetch, a lookup must not rebuild its statement every time.
_WHOLE = (select(_C.warc_file, _C.warc_offset, _C.warc_length, _C.record_id, _C.warc_date,
                 _C.url, _C.payload_digest, _C.status, _C.rec_type)
          .where(_C.url == bindparam("url"), _C.whole.is_(True))
          .order_by(_C.warc_date.desc()).limit(1))
_BY_DIGEST = _WHOLE.where(_C.payload_digest == bindparam("digest"))


class ArchiveCaptures:
    """Indexed lookups of the ``captures`` table; safe from any thread (a connection a
    call). Give it a read-only engine: on SQLite a lookup then never waits for the write
    lock the store's transactions hold."""

    def __init__(self, engine: Engine, reconnect_seconds: float = 0.0,
                 on_reconnect: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.reconnect_seconds = reconnect_seconds
        self.on_reconnect = on_reconnect

    def find(self, url: str, payload_digest: str) -> CaptureRef | None:
        """The latest whole capture of ``url`` with this payload digest."""
        return self._first(_BY_DIGEST, {"url": url, "digest": payload_digest})

    def latest(self, url: str) -> CaptureRef | None:
        """The latest whole capture of ``url``: what a 304 says is still current."""
        return self._first(_WHOLE, {"url": url})

    def of_article(self, article_id: int) -> tuple[str, int, int | None] | None:
        """Where the record of an article's current version lies (its length is unknown for
        articles archived before versions recorded it)."""
        article, version = models.Article, models.ArticleVersion
        with Session(self.engine) as session:
            row = session.execute(
                select(article.warc_file, article.warc_offset, version.warc_length)
                .outerjoin(version, (version.article_id == article.id)
                           & (version.version == article.version)
                           & (version.warc_offset == article.warc_offset))
                .where(article.id == article_id)).first()
        if row is None or row[0] is None or row[1] is None:
            return None
        return row[0], row[1], row[2]

    def locate(self, record_id: str) -> Location | None:
        """Where the record ``record_id`` lies, if the archive knows it."""
        with Session(self.engine) as session:
            row = session.execute(select(_C.warc_file, _C.warc_offset, _C.warc_length)
                                  .where(_C.record_id == record_id)).first()
        return (row[0], row[1], row[2]) if row is not None else None

    def _first(self, statement: Select[Any], params: dict[str, str]) -> CaptureRef | None:
        def ask() -> Any:
            with self.engine.connect() as connection:
                return connection.execute(statement, params).first()

        row = retry_disconnects(ask, self.reconnect_seconds, self.on_reconnect)
        return CaptureRef(*row) if row is not None else None  # whole: never truncated


def capture_record(ref: CaptureRef) -> CaptureRecord | None:
    """The ``captures`` row of a written record (None for a URL too long to index)."""
    if len(ref.target_uri) > MAX_URL_LENGTH:
        return None
    original = ref.refers_to.record_id if ref.refers_to is not None else None
    return CaptureRecord(
        url=ref.target_uri, warc_date=ref.date, rec_type=ref.rec_type, warc_file=ref.warc_file,
        warc_offset=ref.offset, warc_length=ref.length, record_id=ref.record_id,
        status=ref.status, payload_digest=ref.payload_digest, refers_to=original,
        truncated=ref.truncated, whole=ref.whole)
