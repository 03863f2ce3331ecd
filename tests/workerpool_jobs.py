"""Functions for tests/test_workerpool.py, called in worker processes (importable there)."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any


def call(name: str, *args: Any) -> Any:
    """The pools in the tests run this: one pool can then run every job below."""
    return globals()[name](*args)


def square(x: int) -> int:
    return x * x


def pid() -> int:
    return os.getpid()


def nap(seconds: float) -> int:
    """Sleep, then say which process slept (for parallelism and timeouts)."""
    time.sleep(seconds)
    return os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def exit_now(status: int) -> None:
    os._exit(status)


def kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def modules() -> list[str]:
    return sorted(sys.modules)


def extract(body: bytes, url: str) -> tuple[str, list[str]]:
    """The real page analysis, then what it made the worker import."""
    from newscrawler.analysis.page import analyse_page

    analysis = analyse_page(body, url, {}, force_article=True)
    return type(analysis.result).__name__, sorted(sys.modules)


def gc_state() -> tuple[int, int]:
    """Objects the collector no longer walks, and its youngest generation's threshold."""
    import gc

    return gc.get_freeze_count(), gc.get_threshold()[0]


def print_noise(x: int) -> int:
    """Writes to stdout, which must not corrupt the reply pipe."""
    print("noise " * 2000)
    os.write(1, b"more noise\n")
    return x


def fail_warm_up() -> None:
    raise RuntimeError("no warm-up today")


def env(name: str) -> str | None:
    return os.environ.get(name)


def extract_or_fail(body: bytes, url: str, headers: dict[str, str], **options: Any) -> Any:
    """``analyse_page``, unless the body asks to crash, hang or raise (analyser tests)."""
    from newscrawler.analysis.page import analyse_page

    if b"WORKERPOOL-CRASH" in body:
        kill_self()
    if b"WORKERPOOL-HANG" in body:
        time.sleep(60)
    if b"WORKERPOOL-RAISE" in body:
        fail("lxml said no")
    return analyse_page(body, url, headers, **options)
