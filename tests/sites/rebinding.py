"""A DNS rebinding attacker under the test's control, for a crawl run in a subprocess.

``python -m tests.sites.rebinding crawl news -a ...`` is ``scrapy crawl news -a ...`` in a
process whose system resolver answers every name under ``rebind.test`` the way an attacker's
DNS server with a zero TTL does: a public address the first time the name is looked up,
127.0.0.1 every time after. Names under ``loopback.test`` always answer 127.0.0.1 (an
intranet name, for the allowlist). That is the system resolver Python's ``socket`` module offers,
which every lookup in the crawl goes through (a check with ``getaddrinfo``, Scrapy's default
resolver with ``gethostbyname``); nothing of the crawler itself is replaced, so the same
test runs against any version of it.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections import Counter
from typing import Any

DOMAIN = "rebind.test"
LOOPBACK_DOMAIN = "loopback.test"
PUBLIC = "93.184.216.34"  # a global unicast address; nothing ever connects to it here
LOOPBACK = "127.0.0.1"

_lookups: Counter[str] = Counter()
_lock = threading.Lock()
_real_getaddrinfo = socket.getaddrinfo
_real_gethostbyname = socket.gethostbyname


def _under(host: object, domain: str) -> bool:
    name = (host.decode() if isinstance(host, bytes) else str(host)).lower().rstrip(".")
    return name == domain or name.endswith("." + domain)


def _rebinds(host: object) -> bool:
    return _under(host, DOMAIN) or _under(host, LOOPBACK_DOMAIN)


def answer(host: str) -> str:
    """The answer for ``host``: for a rebinding name public on the first lookup, then
    loopback; for a loopback name, loopback."""
    if _under(host, LOOPBACK_DOMAIN):
        return LOOPBACK
    with _lock:
        _lookups[host.lower()] += 1
        return PUBLIC if _lookups[host.lower()] == 1 else LOOPBACK


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
    if not _rebinds(host):
        return _real_getaddrinfo(host, port, *args, **kwargs)
    number = port if isinstance(port, int) else int(port or 0)
    address = answer(str(host))
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, number))]


def _gethostbyname(host: str) -> str:
    return answer(host) if _rebinds(host) else _real_gethostbyname(host)


def install() -> None:
    socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]
    socket.gethostbyname = _gethostbyname


if __name__ == "__main__":
    install()
    from scrapy.cmdline import execute

    sys.argv[0] = "scrapy"
    execute()
