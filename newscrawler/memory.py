"""Keep long crawls' resident memory flat and the garbage collector's work small.

CPython and lxml free whole documents, but glibc keeps the freed pages mapped, spread over
one arena per thread that ever allocated; a crawl process (reactor, store thread, DNS
threads) and its extraction workers then hold far more than they use.

CPython's cyclic garbage collector, for its part, walks every tracked object on each full
collection: in a crawl process the start-up heap (Scrapy, Twisted, SQLAlchemy: several
hundred thousand objects that live as long as the process) is most of what it walks, again
and again, and once more at exit. ``settle`` takes what exists once a process is set up out
of its sight (``gc.freeze``) and collects the youngest generation less often; objects are
still freed by reference counting as before, only cycles among the frozen ones are left.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

# New container objects between collections of the youngest generation (CPython: 700). A
# page creates and drops thousands of short-lived objects; collecting every 700 of them
# walks the same survivors often and promotes them to be walked again by older generations.
GC_YOUNG_THRESHOLD = 20_000
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


def settle() -> None:
    """Freeze the objects that exist now (the process is set up: what it imported and built
    lives until it exits) and collect young objects every ``GC_YOUNG_THRESHOLD``.

    Called by the crawl process when its spider opens, by each extraction worker after its
    warm-up, and by the crawl command once the crawl is over (exit then has no last
    collection of the run's objects to make).
    """
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
