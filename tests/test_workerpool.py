"""The extraction worker pool and the page analyser on it, with real worker processes:
results, errors, crashes, timeouts, no stray processes (no resource_tracker, none left after
close or a SIGKILL)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawler import memory
from newscrawler.analysis.analyzer import PageAnalyzer
from newscrawler.analysis.page import PageAnalysis
from newscrawler.analysis.pool import (
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    WorkerStartError,
    WorkerTimeout,
)
from newscrawler.extraction import Article

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "fixtures" / "pages" / "en_news_article.html"
URL = "https://coastal.example/news/harbour-bridge-reopens"
JOBS = "tests.workerpool_jobs:call"


def children(pid: int) -> dict[int, str]:
    """Live (not zombie) child processes of ``pid``, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if int(ppid) == pid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(2, JOBS, None, timeout=30) as started:
        yield started


def test_results_come_back_from_workers_in_parallel(pool):
    assert pool.submit("square", 7).result(10) == 49
    began = time.monotonic()
    naps = [pool.submit("nap", 1.0) for _ in range(2)]
    pids = {nap.result(10) for nap in naps}
    assert time.monotonic() - began < 1.8
    assert len(pids) == 2 and os.getpid() not in pids


def test_run_awaits_on_the_asyncio_loop(pool):
    async def main() -> list[int]:
        return list(await asyncio.gather(*(pool.run("square", i) for i in range(20))))

    assert asyncio.run(main()) == [i * i for i in range(20)]


def test_an_exception_is_a_one_line_worker_error_and_the_worker_survives():
    with WorkerPool(1, JOBS, None) as pool:
        before = pool.submit("pid").result(10)
        with pytest.raises(WorkerError, match=r"^ValueError: bad page on two lines$"):
            pool.submit("fail", "bad page\non two lines").result(10)
        assert pool.submit("pid").result(10) == before


@pytest.mark.parametrize(("job", "cause"), [
    (("kill_self",), "exited with signal 9"),
    (("exit_now", 3), "exited with status 3"),
])
def test_a_crash_fails_its_job_only_and_the_worker_is_replaced(job, cause):
    with WorkerPool(1, JOBS, None) as pool:
        before = pool.submit("pid").result(10)
        with pytest.raises(WorkerCrashed, match=f"^worker {cause} on '{job[0]}'$"):
            pool.submit(*job).result(10)
        assert pool.submit("square", 3).result(10) == 9
        assert pool.submit("pid").result(10) != before
        assert not alive(before)


def test_a_job_past_the_timeout_is_killed_and_the_pool_recovers():
    with WorkerPool(1, JOBS, None, timeout=1) as pool:
        before = pool.submit("pid").result(10)
        began = time.monotonic()
        with pytest.raises(WorkerTimeout, match=r"^worker timed out after 1 s on 'nap'$"):
            pool.submit("nap", 60).result(10)
        assert time.monotonic() - began < 5
        assert not alive(before)
        assert pool.submit("square", 4).result(10) == 16


def test_stdout_writes_in_the_function_do_not_break_the_replies(pool):
    assert pool.submit("print_noise", 5).result(10) == 5  # the noise goes to stderr
    assert pool.submit("square", 5).result(10) == 25


def test_workers_get_a_malloc_arena_cap(pool):
    assert pool.submit("env", "MALLOC_ARENA_MAX").result(10) == os.environ.get(
        "MALLOC_ARENA_MAX", "2")


def test_no_process_but_the_workers_and_none_after_close():
    before = children(os.getpid())
    pool = WorkerPool(2, JOBS, None)
    pool.start()
    assert [pool.submit("square", i).result(10) for i in range(4)] == [0, 1, 4, 9]
    started = {pid: cmd for pid, cmd in children(os.getpid()).items() if pid not in before}
    assert len(started) == 2, started
    assert all("-m newscrawler.analysis.process" in cmd for cmd in started.values()), started
    assert not any(children(pid) for pid in started)  # the workers start nothing either
    pool.close()
    pool.close()  # idempotent
    assert not any(alive(pid) for pid in started)
    assert set(children(os.getpid())) <= set(before)
    assert not [t for t in threading.enumerate() if t.name.startswith("workerpool")]


def test_a_worker_that_cannot_start_is_a_clear_error_and_leaves_nothing():
    before = children(os.getpid())
    with pytest.raises(WorkerStartError,
                       match=r"^worker failed to start: RuntimeError: no warm-up today$"):
        WorkerPool(2, JOBS, "tests.workerpool_jobs:fail_warm_up").start()
    with pytest.raises(WorkerStartError, match="ModuleNotFoundError: No module named 'nowhere'"):
        WorkerPool(1, "nowhere:function", None).start()
    assert set(children(os.getpid())) <= set(before)


_DOOMED_PARENT = f"""
import time
from newscrawler.analysis.pool import WorkerPool
pool = WorkerPool(2, {JOBS!r}, None)
pool.start()
pool.submit("nap", 600)  # one worker is busy (for ten minutes) when its parent dies
time.sleep(0.2)
print("ready", flush=True)
time.sleep(60)
"""


def test_workers_exit_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", _DOOMED_PARENT], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline() == "ready\n"
        workers = children(parent.pid)
        assert len(workers) == 2, workers
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]


def test_a_worker_that_died_while_idle_is_replaced_without_failing_the_next_job():
    with WorkerPool(1, JOBS, None) as pool:
        first = pool.submit("pid").result(10)
        os.kill(first, signal.SIGKILL)  # an OOM kill between two jobs
        deadline = time.monotonic() + 5  # until it can be reaped (peeked at, not reaped)
        waitable = os.WEXITED | os.WNOHANG | os.WNOWAIT
        while os.waitid(os.P_PID, first, waitable) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.submit("square", 7).result(30) == 49
        assert pool.submit("pid").result(10) != first


def test_the_real_extraction_imports_no_crawl_machinery():
    with WorkerPool(1, JOBS, "newscrawler.analysis.page:warm_up") as pool:
        kind, modules = pool.submit("extract", PAGE.read_bytes(), URL).result(60)
    assert kind == "Article"
    assert "trafilatura" in modules
    packages = {name.split(".")[0] for name in modules}
    assert not packages & {"scrapy", "twisted", "sqlalchemy", "multiprocessing", "pytest"}


def test_a_warmed_up_worker_has_its_start_up_heap_out_of_the_collectors_sight():
    warmed = "newscrawler.analysis.page:warm_up"
    with WorkerPool(1, JOBS, None) as cold, WorkerPool(1, JOBS, warmed) as warm:
        assert cold.submit("gc_state").result(30) == (0, 700)  # CPython's defaults
        frozen, threshold = warm.submit("gc_state").result(60)
    assert frozen > 10_000 and threshold == memory.GC_YOUNG_THRESHOLD


def test_the_default_pool_runs_analyse_page():
    with WorkerPool(1) as pool:
        analysis = pool.submit(PAGE.read_bytes(), URL, {}, force_article=True).result(60)
    assert isinstance(analysis, PageAnalysis) and isinstance(analysis.result, Article)
    assert analysis.result.title and analysis.minhash and analysis.content_hash


def test_the_analyser_rejects_pages_whose_extraction_fails_and_goes_on(caplog):
    analyzer = PageAnalyzer(1)
    analyzer.function = "tests.workerpool_jobs:extract_or_fail"
    analyzer.timeout = 6  # a real page takes well under a second, even on a loaded machine
    analyzer.start()

    def analyse(marker: str) -> PageAnalysis:
        body = PAGE.read_bytes() + f"<!--WORKERPOOL-{marker}-->".encode()
        return asyncio.run(analyzer.analyse(body, f"{URL}/{marker}", {}, force_article=True))

    try:
        with caplog.at_level(logging.ERROR):
            reasons = [analyse(marker).rejection for marker in ("CRASH", "HANG", "RAISE")]
        assert [r.reason for r in reasons if r] == [
            "extract_crashed", "extract_timeout", "extract_error"]
        assert analyse("NONE").article.title
    finally:
        analyzer.close()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 3
    for error, marker, cause in zip(errors, ["CRASH", "HANG", "RAISE"], [
            "worker exited with signal 9", "worker timed out after 6 s",
            "ValueError: lxml said no"], strict=True):
        assert error.startswith(f"Extraction of {URL}/{marker} failed, page dropped: {cause}")


def test_unpicklable_arguments_fail_their_job_only(pool):
    with pytest.raises(Exception, match="pickle"):
        pool.submit("square", lambda: 1).result(10)
    assert pool.submit("square", 6).result(10) == 36


def test_started_without_waiting_jobs_run_once_workers_are_ready():
    pool = WorkerPool(2, JOBS, "tests.workerpool_jobs:pid")
    pool.start(wait=False)  # returns at once; the jobs wait for a ready worker
    try:
        assert sorted(pool.submit("square", n).result(30) for n in (2, 3)) == [4, 9]
    finally:
        pool.close()


def test_started_without_waiting_a_worker_that_cannot_start_fails_its_jobs_clearly():
    before = children(os.getpid())
    broken = WorkerPool(1, "tests.workerpool_jobs:no_such_function", None)
    broken.start(wait=False)
    try:
        for _ in range(2):  # and keeps saying so: each job tries a fresh worker
            with pytest.raises(WorkerStartError, match="no_such_function"):
                broken.submit().result(30)
    finally:
        broken.close()
    assert set(children(os.getpid())) <= set(before)
