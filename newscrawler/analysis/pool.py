"""A small pool of worker processes that call one function, over pipes.

Why not ``concurrent.futures.ProcessPoolExecutor``: its queues use named semaphores, so
multiprocessing starts a ``resource_tracker`` process (~13 MiB that does nothing here); one
worker that dies (a segfault in lxml, an OOM kill) breaks the whole pool for good, so a
crawl would silently stop storing; and nothing stops a job that never returns.

Each worker is a ``newscrawler.analysis.process``: it imports only the function's module.
In the parent, one thread per worker does the blocking pipe I/O; a worker that dies or
overruns its timeout fails its job only, and is replaced by a fresh one (one that died
between jobs is replaced before the next).
"""

from __future__ import annotations

import logging
import queue
import reprlib
import threading
import time
from concurrent.futures import Future
from typing import Any

from newscrawler.analysis.process import (
    ReceiveTimeout,
    WorkerCrashed,
    WorkerError,
    WorkerPoolError,
    WorkerProcess,
    WorkerStartError,
    WorkerTimeout,
    child_env,
    exit_cause,
    frame,
    one_line,
)

__all__ = ["WorkerCrashed", "WorkerError", "WorkerPool", "WorkerPoolError", "WorkerStartError",
           "WorkerTimeout"]

logger = logging.getLogger(__name__)

_CLOSE_GRACE = 3.0  # seconds a worker has to exit after end of file before it is killed


class _Summary(reprlib.Repr):
    """Short reprs for error messages: a page body is a few bytes, a URL stays whole."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 2, 100, 40

    def repr_bytes(self, obj: bytes, level: int) -> str:
        return repr(obj[:20]) + ("..." if len(obj) > 20 else "")


def _summary(args: tuple[Any, ...]) -> str:
    return _Summary().repr(args[0]) if args else "()"


class _Job:
    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.args, self.kwargs = args, kwargs
        self.future: Future[Any] = Future()


class WorkerPool:
    """``size`` worker processes calling ``function`` (a ``"module:name"`` string).

    ``initializer`` (also ``"module:name"``) runs once in each worker before its first job,
    e.g. to import and warm caches. A job running longer than ``timeout`` seconds is failed
    with WorkerTimeout and its worker replaced.
    """

    def __init__(self, size: int, function: str = "newscrawler.analysis.page:analyse_page",
                 initializer: str | None = "newscrawler.analysis.page:warm_up",
                 timeout: float = 120.0) -> None:
        if size < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {size}")
        self.size, self.function, self.initializer, self.timeout = (
            size, function, initializer, timeout)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._processes: list[WorkerProcess | None] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self, wait: bool = True) -> None:
        """Start every worker; with ``wait``, block until all have run the initializer.

        With ``wait`` a worker that cannot start raises WorkerStartError (every worker is
        stopped). Without it the workers warm up while the caller goes on (a crawl fetches
        its first pages meanwhile); each takes its first job once ready, and one that cannot
        start fails its jobs with WorkerStartError.
        """
        if self._threads or self._closed:
            raise RuntimeError("a worker pool starts once")
        env = child_env()
        processes = [WorkerProcess(self.function, self.initializer, env) for _ in range(self.size)]
        if wait:
            try:
                for process in processes:  # they warm up in parallel
                    process.wait_ready(self.timeout)
            except BaseException:
                for process in processes:
                    process.stop(0.0)
                raise
        self._processes = list(processes)
        for slot in range(self.size):
            thread = threading.Thread(target=self._serve, args=(slot, env, not wait),
                                      daemon=True, name=f"workerpool-{slot}")
            thread.start()
            self._threads.append(thread)

    def submit(self, *args: Any, **kwargs: Any) -> Future[Any]:
        """Queue ``function(*args, **kwargs)``. The arguments are pickled when a worker
        takes the job, so queued jobs hold no second copy of a page."""
        if self._closed or not self._threads:
            raise RuntimeError("worker pool is not running")
        job = _Job(args, kwargs)
        self._jobs.put(job)
        return job.future

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` in a worker, awaited on the running asyncio loop
        (the result arrives through ``loop.call_soon_threadsafe``)."""
        import asyncio

        return await asyncio.wrap_future(self.submit(*args, **kwargs))

    def close(self) -> None:
        """Fail queued jobs, let running ones finish for a few seconds, stop every worker."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._cancel_queued()
        for _ in self._threads:
            self._jobs.put(None)
        deadline = time.monotonic() + _CLOSE_GRACE
        for slot, thread in enumerate(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
            process = self._processes[slot]
            if thread.is_alive() and process is not None:
                process.popen.kill()  # a job still running: it fails as crashed
            thread.join()
        self._cancel_queued()  # submitted while closing

    def _cancel_queued(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job.future.cancel()

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self, slot: int, env: dict[str, str], starting: bool) -> None:
        """One worker's dispatcher: take jobs until close(), replacing the worker if needed.

        ``starting``: the worker was started without waiting; it must be ready first.
        """
        process = self._processes[slot]
        if starting and process is not None:
            try:
                process.wait_ready(self.timeout)
            except WorkerStartError:
                self._processes[slot] = None  # its next job tries again, and says why
        while (job := self._jobs.get()) is not None:
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                result = self._call(slot, job, env)
            except BaseException as exc:
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)
        process = self._processes[slot]
        if process is not None:
            process.stop(_CLOSE_GRACE)

    def _call(self, slot: int, job: _Job, env: dict[str, str]) -> Any:
        process = self._processes[slot]
        if process is not None and process.popen.poll() is not None:
            # It died between jobs (an OOM kill, say): not this job's doing.
            cause = exit_cause(process.stop(0.0))
            logger.warning("extraction worker pid %d %s while idle; starting another",
                           process.popen.pid, cause)
            process = self._processes[slot] = None
        process = process or self._restart(slot, env)
        try:
            process.send(frame((job.args, job.kwargs)))
            reply = process.receive(time.monotonic() + self.timeout)
        except ReceiveTimeout:
            process.stop(0)
            self._replace(slot, env, f"pid {process.popen.pid} was killed after a timeout")
            raise WorkerTimeout(f"worker timed out after {self.timeout:g} s on "
                                f"{_summary(job.args)}") from None
        except OSError:  # a broken pipe: the worker is gone
            reply = None
        if reply is None:
            cause = exit_cause(process.stop(1.0))
            self._replace(slot, env, f"pid {process.popen.pid} {cause}")
            raise WorkerCrashed(f"worker {cause} on {_summary(job.args)}")
        if reply[0] == "error":
            logger.debug("worker traceback:\n%s", reply[2])
            raise WorkerError(reply[1])
        return reply[1]

    def _replace(self, slot: int, env: dict[str, str], cause: str) -> None:
        """Replace a failed worker now, so its next job need not wait for the start; if it
        cannot start, that next job tries again (and fails with WorkerStartError)."""
        self._processes[slot] = None
        try:
            process = self._restart(slot, env)
        except WorkerStartError as exc:
            if not self._closed:
                logger.error("cannot replace worker %s: %s", cause, exc)
        else:
            logger.info("worker %s; worker pid %d replaces it", cause, process.popen.pid)

    def _restart(self, slot: int, env: dict[str, str]) -> WorkerProcess:
        """A new worker in ``slot``, ready; raise WorkerStartError if it cannot start."""
        if self._closed:
            raise WorkerStartError("worker pool is closing")
        try:
            process = WorkerProcess(self.function, self.initializer, env)
        except OSError as exc:
            raise WorkerStartError(f"cannot start a worker: {one_line(exc)}") from exc
        process.wait_ready(self.timeout)
        self._processes[slot] = process
        return process

