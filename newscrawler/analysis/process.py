"""One extraction worker process: the parent's handle on it, and the worker's own loop.

A worker is ``python -P -m newscrawler.analysis.process FUNCTION INITIALIZER``: it imports
only the function's module (no Scrapy, Twisted or SQLAlchemy), runs the initializer, then
answers frames on its stdin (a 4-byte big-endian length and a pickle of ``(args, kwargs)``)
with frames on its stdout. It exits at end of file on stdin, or as soon as its parent is
gone even mid-job, so a crawl process that dies, even by SIGKILL, leaves no workers
behind. POSIX only (``poll`` on pipes). ``newscrawler.analysis.pool`` runs several.
"""

from __future__ import annotations

import importlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

_HEADER = struct.Struct(">I")
_PROTOCOL = 5


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


def exit_cause(returncode: int) -> str:
    if returncode < 0:
        return f"exited with signal {-returncode}"
    return f"exited with status {returncode}"


def one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def child_env() -> dict[str, str]:
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


class ReceiveTimeout(Exception):
    pass


class WorkerProcess:
    """One worker process and the parent's ends of its pipes."""

    def __init__(self, function: str, initializer: str | None, env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-P", "-m", __name__, function, initializer or ""],
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
        """The next frame; None at end of file; raise ReceiveTimeout after ``deadline``."""
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
                raise ReceiveTimeout
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
        except ReceiveTimeout:
            self.stop(0)
            raise WorkerStartError(f"worker did not start within {timeout:g} s") from None
        if reply is None:
            raise WorkerStartError(f"worker {exit_cause(self.stop(1.0))} while starting"
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


def frame(obj: Any) -> bytes:
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
            data = frame(message)
        except Exception as exc:  # an unpicklable result
            data = frame(("error", one_line(exc), traceback.format_exc()))
        replies.write(data)
        replies.flush()

    try:
        function = _load(function_spec)
        if initializer_spec:
            _load(initializer_spec)()
    except Exception as exc:
        reply(("error", one_line(exc), traceback.format_exc()))
        return 1
    reply(("ready", os.getpid()))
    while header := requests.read(_HEADER.size):
        payload = requests.read(_HEADER.unpack(header)[0])
        try:
            args, kwargs = pickle.loads(payload)
            message: tuple[Any, ...] = ("ok", function(*args, **kwargs))
        except Exception as exc:
            message = ("error", one_line(exc), traceback.format_exc())
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
