"""What a distributed run keeps in Redis, and the names of its workers.

Every key of run ``ID`` starts with ``newscrawler:run:ID:``: ``requests`` (the queue, a sorted
set), ``seen`` (request fingerprints), ``leases`` (requests popped and not yet done, by
lease number), ``workers`` and ``seeding`` (who works on the run, who still reads its start
requests), ``alive:OWNER`` (a worker's heartbeat, expiring), ``serial`` (lease numbers and
queue order). The per-host request slots (``newscrawler:host:HOST:next``) are shared by every
run, so two runs crawling one site stay polite together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from newscrawler.archive.runs import this_host

__all__ = ["RunKeys", "Worker", "host_slot_key", "parse_owner"]

PREFIX = "newscrawler"


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one run."""

    run: str

    def _key(self, name: str) -> str:
        return f"{PREFIX}:run:{self.run}:{name}"

    @property
    def queue(self) -> str:
        return self._key("requests")

    @property
    def seen(self) -> str:
        return self._key("seen")

    @property
    def leases(self) -> str:
        return self._key("leases")

    @property
    def workers(self) -> str:
        return self._key("workers")

    @property
    def seeding(self) -> str:
        return self._key("seeding")

    @property
    def serial(self) -> str:
        return self._key("serial")

    @property
    def alive_prefix(self) -> str:
        return self._key("alive:")

    def alive(self, owner: str) -> str:
        return self.alive_prefix + owner

    def all(self) -> list[str]:
        """The run's fixed keys (heartbeats expire on their own)."""
        return [self.queue, self.seen, self.leases, self.workers, self.seeding, self.serial]


@dataclass(frozen=True)
class Worker:
    """One worker process: ``name`` (``host/N``, stable across restarts, what the run lock
    and ``newscrawler runs`` show) and ``owner`` (``host/N/pid``, what its leases carry)."""

    host: str
    number: str
    pid: int

    @classmethod
    def this(cls, number: str) -> Worker:
        return cls(this_host(), number, os.getpid())

    @property
    def name(self) -> str:
        return f"{self.host}/{self.number}"

    @property
    def owner(self) -> str:
        return f"{self.name}/{self.pid}"


def parse_owner(owner: str) -> tuple[str, int]:
    """(host, pid) of a lease owner ``host/N/pid``."""
    host, _, rest = owner.partition("/")
    pid = rest.rpartition("/")[2]
    return host, int(pid) if pid.isdigit() else 0


def host_slot_key(netloc: str) -> str:
    return f"{PREFIX}:host:{netloc}:next"
