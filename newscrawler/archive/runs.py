"""Crawl runs that died, and the per-source lock that keeps two runs of one source apart.

A process killed with SIGKILL closes nothing: its run stays ``running`` and its lock row
stays in ``run_locks``. Both are recognised by a pid that is no longer alive on the host that
wrote them, and cleaned up by the next run there. A lock held from another host is never
taken over automatically: we cannot tell whether that process is alive.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.upsert import LostRace, insert_ignoring


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this pid exists on this host (one we may not signal counts)."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def this_host() -> str:
    return socket.gethostname()


def dead_here(pid: int | None, hostname: str | None) -> bool:
    """A process recorded on this host that no longer runs."""
    return hostname == this_host() and pid != os.getpid() and not pid_alive(pid)


def mark_interrupted(session: Session, now: datetime) -> list[int]:
    """Close the ``running`` runs of dead processes on this host as ``interrupted``."""
    running = session.execute(
        select(models.CrawlRun.id, models.CrawlRun.pid)
        .where(models.CrawlRun.status == "running", models.CrawlRun.hostname == this_host())
    ).all()
    stale = [run_id for run_id, pid in running if dead_here(pid, this_host())]
    if stale:
        session.execute(
            update(models.CrawlRun).where(models.CrawlRun.id.in_(stale),
                                          models.CrawlRun.status == "running")
            .values(status="interrupted", finished_at=now)
        )
    return stale


def acquire(session: Session, source: str, run_id: int | None, now: datetime) -> bool:
    """Take the lock on ``source``; False when a live process (or another host) holds it.

    Of two processes inserting the lock at once, one inserts it and the other finds it held
    (``ON CONFLICT DO NOTHING``); takeovers are a conditional UPDATE on the old holder, so
    only one of two racing processes wins.
    """
    me = {"run_id": run_id, "pid": os.getpid(), "hostname": this_host(), "acquired_at": now}
    inserted = session.execute(
        insert_ignoring(session, models.RunLock.__table__, ["source"]), {"source": source, **me})
    if getattr(inserted, "rowcount", 0) == 1:
        return True
    held = session.get(models.RunLock, source)
    if held is None:  # released between our insert and this read: the caller retries
        raise LostRace(f"the lock on {source!r} was released while taking it")
    if (held.pid, held.hostname) == (me["pid"], me["hostname"]):
        held.run_id = run_id if run_id is not None else held.run_id
        return True
    if not dead_here(held.pid, held.hostname):
        return False
    lock = models.RunLock
    taken = session.execute(
        update(lock).where(lock.source == source, lock.pid == held.pid,
                           lock.hostname == held.hostname).values(**me)
        .execution_options(synchronize_session=False)
    )
    session.expire(held)
    return bool(getattr(taken, "rowcount", 0) == 1)


def release(session: Session, source: str) -> bool:
    """Drop this process's lock on ``source``; False if it did not hold it."""
    held = session.get(models.RunLock, source)
    if held is None or (held.pid, held.hostname) != (os.getpid(), this_host()):
        return False
    session.delete(held)
    return True


def holder(session: Session, source: str) -> models.RunLock | None:
    """Who holds the lock on ``source``, for the refusal message."""
    return session.scalars(select(models.RunLock).where(models.RunLock.source == source)).first()
