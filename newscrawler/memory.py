"""Keep long crawls' resident memory flat: glibc heap settings and trims.

CPython and lxml free whole documents, but glibc keeps the freed pages mapped, spread over
one arena per thread that ever allocated; a crawl process (reactor, store thread, DNS
threads) and its extraction workers then hold far more than they use.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_ARENA_MAX = -8  # mallopt parameter, from glibc's malloc.h
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None)


def limit_arenas(count: int = 2) -> None:
    """Cap glibc's malloc arenas (default: 8 per core); call before threads start."""
    if hasattr(_LIBC, "mallopt"):
        _LIBC.mallopt(_M_ARENA_MAX, count)


def trim() -> None:
    """Give freed heap pages back to the system (a no-op without glibc)."""
    if hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)
