"""Riding out a database server that restarts: lost connections retried for a bounded time.

A PostgreSQL restart (an upgrade, a failover, an administrator's ``pg_ctl restart``) drops
every connection, then refuses new ones for a few seconds. The engines' ``pool_pre_ping``
replaces a dead pooled connection on checkout, but a statement already under way, or a
connection made while the server is down, still fails. ``retry_disconnects`` runs such work
again, with a growing pause, until it succeeds or ``seconds`` have passed; then the error
is the caller's (the crawl stops with one line: ``newscrawler.storage``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from newscrawler.redact import redact

__all__ = ["default_seconds", "disconnected", "retry_disconnects"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

_FIRST_PAUSE, _LONGEST_PAUSE = 0.25, 4.0
# PostgreSQL SQLSTATEs of a server going away or not back yet: admin_shutdown,
# crash_shutdown, cannot_connect_now; class 08 is every connection exception.
_GONE = ("57P01", "57P02", "57P03")


def disconnected(exc: BaseException) -> bool:
    """``exc`` says the connection to the database server was lost or refused."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    # Only PostgreSQL drivers set ``sqlstate``; a connection-level failure (refused, closed)
    # has none. SQLite's errors (full, locked, read-only) have no such attribute at all.
    if not hasattr(exc.orig, "sqlstate"):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _GONE


def default_seconds() -> float:
    """``NEWSCRAWLER_DB_RETRY_SECONDS`` from the environment, else its default."""
    from newscrawler.settings import env_setting

    return float(env_setting("NEWSCRAWLER_DB_RETRY_SECONDS"))


def retry_disconnects(work: Callable[[], T], seconds: float,
                      on_retry: Callable[[], None] | None = None) -> T:
    """``work()``, again after each lost connection until ``seconds`` have passed.

    ``on_retry`` is called before each new attempt (a counter); the first retry of an
    outage is logged once, as a warning.
    """
    deadline = time.monotonic() + seconds
    pause = _FIRST_PAUSE
    while True:
        try:
            result = work()
        except DBAPIError as exc:
            if not disconnected(exc) or time.monotonic() + pause > deadline:
                raise
            _outage.begin(exc, seconds)
            if on_retry is not None:
                on_retry()
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
        else:
            if pause != _FIRST_PAUSE:
                _outage.end()
            return result


class _Outage:
    """One warning when the process loses the archive, one line when it has it back,
    however many threads retry meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lost = False

    def begin(self, exc: DBAPIError, seconds: float) -> None:
        with self._lock:
            if self._lost:
                return
            self._lost = True
        detail = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        logger.warning("Lost the connection to the archive (%s): retrying for up to %.0f s",
                       redact(detail), seconds)

    def end(self) -> None:
        with self._lock:
            if not self._lost:
                return
            self._lost = False
        logger.info("Connected to the archive again")


_outage = _Outage()
