"""A small pool of worker processes that call one function, over pipes.

Why not ``concurrent.futures.ProcessPoolExecutor``: its queues use named semaphores, so
multiprocessing starts a ``resource_tracker`` process (~13 MiB that does nothing here); one
worker that dies (a segfault in lxml, an OOM kill) breaks the whole pool for good, so a
crawl would silently stop storing; and nothing stops a job that never returns.

Here each worker is ``python -m newscrawler.workerpool FUNCTION INITIALIZER``: it imports
only the function's module (no Scrapy, Twisted or SQLAlchemy), runs the initializer, then
answers frames on its stdin (a 4-byte big-endian length and a pickle of ``(args, kwargs)``)
with frames on its stdout. It exits at end of file on stdin, or as soon as its parent is
gone even mid-job, so a crawl process that dies, even by SIGKILL, leaves no workers
behind. In the parent, one thread per worker does the blocking pipe I/O; a worker that
dies or overruns its timeout fails its job only, and is replaced by a fresh one (one that
died between jobs is replaced before the next). POSIX only (``poll`` on pipes).
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import queue
import reprlib
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from typing import IO, Any

logger = logging.getLogger(__name__)

_HEADER = struct.Struct(">I")
_PROTOCOL = 5
_CLOSE_GRACE = 3.0  # seconds a worker has to exit after end of file before it is killed


class WorkerPoolError(Exception):
    """A job that did not return a result."""


class WorkerError(WorkerPoolError):
    """The function raised; the message is the worker's one-line ``ExcType: message``."""


class WorkerCrashed(WorkerPoolError):
    """The worker process died during the job (it is replaced)."""


class WorkerTimeout(WorkerPoolError):
    """The job ran longer than the pool's timeout; its worker was killed (and replaced)."""


class WorkerStartError(WorkerCrashed):
    """A worker could not start: no process, or the function or initializer failed."""


class _Summary(reprlib.Repr):
    """Short reprs for error messages: a page body is a few bytes, a URL stays whole."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 2, 100, 40

    def repr_bytes(self, obj: bytes, level: int) -> str:
        return repr(obj[:20]) + ("..." if len(obj) > 20 else "")


def _summary(args: tuple[Any, ...]) -> str:
    return _Summary().repr(args[0]) if args else "()"


def _exit_cause(returncode: int) -> str:
    if returncode < 0:
        return f"exited with signal {-returncode}"
    return f"exited with status {returncode}"


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def _child_env() -> dict[str, str]:
    """The parent's environment, plus what the child cannot guess.

    ``PYTHONPATH``: the parent's whole ``sys.path``, in order (the child runs with ``-P``,
    so nothing else comes first), because entries such as pytest's ``pythonpath`` or a
    script's directory are in no environment variable; the child imports what the parent
    would. ``MALLOC_ARENA_MAX``: see ``newscrawler.memory``.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p or os.getcwd() for p in sys.path))
    env.setdefault("MALLOC_ARENA_MAX", "2")
    return env


class _Timeout(Exception):
    pass


class _Process:
    """One worker process and the parent's ends of its pipes."""

    def __init__(self, function: str, initializer: str | None, env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-P", "-m", "newscrawler.workerpool", function, initializer or ""],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, close_fds=True, env=env)
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self._stdin: IO[bytes] = self.popen.stdin
        self._stdout = self.popen.stdout.fileno()
        self._poll = select.poll()
        self._poll.register(self._stdout, select.POLLIN)

    def send(self, frame: bytes) -> None:
        """Raise OSError (a broken pipe) if the worker is gone."""
        view = memoryview(frame)
        while view:
            view = view[self._stdin.write(view) or 0:]

    def receive(self, deadline: float) -> tuple[Any, ...] | None:
        """The next frame; None at end of file; raise _Timeout after ``deadline``."""
        header = self._read(_HEADER.size, deadline)
        if header is None:
            return None
        body = self._read(_HEADER.unpack(header)[0], deadline)
        return None if body is None else pickle.loads(body)

    def _read(self, size: int, deadline: float) -> bytes | None:
        chunks: list[bytes] = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(remaining * 1000):
                raise _Timeout
            chunk = os.read(self._stdout, min(size, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def wait_ready(self, timeout: float) -> None:
        """Wait for the worker's first frame; raise WorkerStartError (and kill it) if none."""
        try:
            reply = self.receive(time.monotonic() + timeout)
        except _Timeout:
            self.stop(0)
            raise WorkerStartError(f"worker did not start within {timeout:g} s") from None
        if reply is None:
            raise WorkerStartError(f"worker {_exit_cause(self.stop(1.0))} while starting"
                                   " (see its stderr)")
        if reply[0] != "ready":
            self.stop(1.0)
            raise WorkerStartError(f"worker failed to start: {reply[1]}")

    def stop(self, grace: float) -> int:
        """End of file on stdin, SIGKILL if still running after ``grace`` seconds (at once
        with 0); close the pipes and return the exit status."""
        if grace <= 0:
            self.popen.kill()
        try:
            self._stdin.close()
        except OSError:
            pass
        try:
            code = self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            code = self.popen.wait()
        self.popen.stdout.close()  # type: ignore[union-attr]
        return code


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

    def __init__(self, size: int, function: str = "newscrawler.worker:extract_page",
                 initializer: str | None = "newscrawler.worker:warm_up",
                 timeout: float = 120.0) -> None:
        if size < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {size}")
        self.size, self.function, self.initializer, self.timeout = (
            size, function, initializer, timeout)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._processes: list[_Process | None] = []
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
        env = _child_env()
        processes = [_Process(self.function, self.initializer, env) for _ in range(self.size)]
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
            cause = _exit_cause(process.stop(0.0))
            logger.warning("extraction worker pid %d %s while idle; starting another",
                           process.popen.pid, cause)
            process = self._processes[slot] = None
        process = process or self._restart(slot, env)
        try:
            process.send(_frame((job.args, job.kwargs)))
            reply = process.receive(time.monotonic() + self.timeout)
        except _Timeout:
            process.stop(0)
            self._replace(slot, env, f"pid {process.popen.pid} was killed after a timeout")
            raise WorkerTimeout(f"worker timed out after {self.timeout:g} s on "
                                f"{_summary(job.args)}") from None
        except OSError:  # a broken pipe: the worker is gone
            reply = None
        if reply is None:
            cause = _exit_cause(process.stop(1.0))
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

    def _restart(self, slot: int, env: dict[str, str]) -> _Process:
        """A new worker in ``slot``, ready; raise WorkerStartError if it cannot start."""
        if self._closed:
            raise WorkerStartError("worker pool is closing")
        try:
            process = _Process(self.function, self.initializer, env)
        except OSError as exc:
            raise WorkerStartError(f"cannot start a worker: {_one_line(exc)}") from exc
        process.wait_ready(self.timeout)
        self._processes[slot] = process
        return process


def _frame(obj: Any) -> bytes:
    payload = pickle.dumps(obj, protocol=_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


def _load(spec: str) -> Callable[..., Any]:
    module, _, name = spec.partition(":")
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def _child(function_spec: str, initializer_spec: str) -> int:
    """The worker's side: private pipes, set-up, then one reply per request until EOF."""
    # The protocol gets its own descriptors; stray prints go to stderr, reads to /dev/null.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Ctrl-C reaches the whole process group: the crawl decides, the worker waits for EOF.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(os.getppid())

    def reply(message: tuple[Any, ...]) -> None:
        try:
            frame = _frame(message)
        except Exception as exc:  # an unpicklable result
            frame = _frame(("error", _one_line(exc), traceback.format_exc()))
        replies.write(frame)
        replies.flush()

    try:
        function = _load(function_spec)
        if initializer_spec:
            _load(initializer_spec)()
    except Exception as exc:
        reply(("error", _one_line(exc), traceback.format_exc()))
        return 1
    reply(("ready", os.getpid()))
    while header := requests.read(_HEADER.size):
        payload = requests.read(_HEADER.unpack(header)[0])
        try:
            args, kwargs = pickle.loads(payload)
            message: tuple[Any, ...] = ("ok", function(*args, **kwargs))
        except Exception as exc:
            message = ("error", _one_line(exc), traceback.format_exc())
        del payload
        reply(message)
        del message
    return 0


def _exit_with(parent: int, interval: float = 1.0) -> None:
    """Exit as soon as ``parent`` is gone, even in the middle of a job.

    End of file on stdin ends an idle worker; a worker busy on a page that never finishes
    would outlive a crawl killed with SIGKILL without this watch (the parent is the one that
    enforces the timeout). A dead parent's children are re-parented, so ``getppid`` changes.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(_child(*sys.argv[1:3]))
    except BrokenPipeError:  # the parent is gone
        sys.exit(0)
