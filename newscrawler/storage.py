"""Storage faults: a write to the archive or to the WARC files that cannot succeed now.

A disk full, a file or file system made read-only, a failing disk, a database that stays
unreachable: retrying the next batch would fail the same way, and carrying on would fetch
pages only to lose them. ``fault_of`` tells such an error from any other (a bad batch, a
bug), so the crawl can stop at once with one line saying what to fix, and the next run
fetches again whatever was not stored.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from newscrawler.archive.reconnect import disconnected
from newscrawler.redact import redact

__all__ = ["KINDS", "StorageFault", "archive_fault", "fault_of", "warc_fault"]

DISK_FULL, READ_ONLY, IO_ERROR, UNREACHABLE = "disk_full", "read_only", "io_error", "unreachable"
#: Every kind, each counted as ``newscrawler/store/KIND``.
KINDS = (DISK_FULL, READ_ONLY, IO_ERROR, UNREACHABLE)
_ERRNO_KINDS = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EROFS: READ_ONLY,
                errno.EPERM: READ_ONLY, errno.EACCES: READ_ONLY, errno.EIO: IO_ERROR}
# SQLite's primary result codes (the low byte of an extended code): SQLITE_FULL,
# SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN.
_SQLITE_KINDS = {13: DISK_FULL, 8: READ_ONLY, 10: IO_ERROR, 14: READ_ONLY}
# PostgreSQL: disk_full, read_only_sql_transaction (a standby, or default_transaction_read_only).
_SQLSTATE_KINDS = {"53100": DISK_FULL, "25006": READ_ONLY}


@dataclass(frozen=True)
class StorageFault:
    """What failed (``kind``, one of ``KINDS``), where (``target``), and the error's words."""

    kind: str
    target: str  # "the archive at PATH", "the WARC files in DIR"
    detail: str

    def line(self) -> str:
        """The one line the crawl logs when it stops for this fault."""
        what, fix = {
            DISK_FULL: (f"disk full writing {self.target}", "free some space"),
            READ_ONLY: (f"{self.target} is read-only", "make it writable"),
            IO_ERROR: (f"I/O error writing {self.target}", "check the disk"),
            UNREACHABLE: (f"{self.target} is unreachable", "check the database server"),
        }[self.kind]
        return (f"{what} ({redact(self.detail)}): the crawl stops; {fix}, then run it again "
                "to fetch what was not stored")


def archive_fault(exc: BaseException, db_url: str) -> StorageFault | None:
    """The storage fault ``exc`` is, writing the archive at ``db_url``; None for others."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        return fault_of(exc, f"the archive at {redact(db_url)}")
    if url.get_backend_name() == "sqlite" and url.database:
        return fault_of(exc, f"the archive at {url.database}", Path(url.database))
    return fault_of(exc, f"the archive at {url.render_as_string(hide_password=True)}")


def warc_fault(exc: OSError, directory: str | Path) -> StorageFault:
    """The storage fault a failed WARC write is: every one is."""
    fault = fault_of(exc, f"the WARC files in {directory}")
    assert fault is not None
    return fault


def fault_of(exc: BaseException, target: str, path: Path | None = None) -> StorageFault | None:
    """The storage fault ``exc`` is, writing ``target``; None for any other error.

    ``path``: the file written (a SQLite archive), to tell what a bare "disk I/O error"
    means: SQLite reports a write refused on a file made immutable that way.
    """
    if isinstance(exc, OSError):
        kind = _ERRNO_KINDS.get(exc.errno or 0, IO_ERROR)
        return StorageFault(kind, target, exc.strerror or str(exc))
    if not isinstance(exc, DBAPIError):
        return None
    original = exc.orig
    detail = (str(original).strip().splitlines() or [type(original).__name__])[0]
    if disconnected(exc):
        return StorageFault(UNREACHABLE, target, detail)
    code = getattr(original, "sqlite_errorcode", None)
    kind = _SQLITE_KINDS.get(code & 0xFF) if code is not None else _SQLSTATE_KINDS.get(
        getattr(original, "sqlstate", None) or "")
    if kind == IO_ERROR and path is not None:
        kind = _diagnose(path) or kind
    return StorageFault(kind, target, detail) if kind else None


def _diagnose(path: Path) -> str | None:
    """Why writing ``path`` fails, asked of the file system: full, read-only, or unknown."""
    try:
        stats = os.statvfs(path.parent)
        if stats.f_flag & os.ST_RDONLY:
            return READ_ONLY
        if stats.f_bavail == 0:
            return DISK_FULL
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    except OSError as exc:
        return _ERRNO_KINDS.get(exc.errno or 0)
    return None
