"""Run a command and sample the RSS of its whole process tree every 0.2 s, from /proc.

The crawl runs extraction in worker processes, so the figure that matters is the sum over
the tree. RSS sums count shared pages (libraries, the interpreter) once per process: an
overestimate; PSS (proportional set size, from /proc/PID/smaps_rollup) splits each shared
page between the processes that map it, so its sum is the tree's real footprint. Both are
reported.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

INTERVAL = 0.2
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    seconds: float
    rss_mib: float  # the whole tree
    main_mib: float  # the process started, alone
    processes: int
    pss_mib: float = 0.0  # the whole tree, shared pages split between processes
    per_process: dict[int, float] = field(default_factory=dict)  # RSS MiB by pid
    progress: int = 0  # what the caller's probe said (pages served so far)
    cpu_s: dict[int, float] = field(default_factory=dict)  # CPU seconds so far, per pid


@dataclass
class Measured:
    returncode: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def peak_mib(self) -> float:
        return max((s.rss_mib for s in self.samples), default=0.0)

    @property
    def peak_pss_mib(self) -> float:
        return max((s.pss_mib for s in self.samples), default=0.0)

    def peak_by_process(self) -> list[float]:
        """Each process's own peak RSS (MiB), largest first."""
        peaks: dict[int, float] = {}
        for sample in self.samples:
            for pid, mib in sample.per_process.items():
                peaks[pid] = max(peaks.get(pid, 0.0), mib)
        return sorted(peaks.values(), reverse=True)

    @property
    def peak_main_mib(self) -> float:
        return max((s.main_mib for s in self.samples), default=0.0)

    @property
    def cpu(self) -> tuple[float, float]:
        """CPU seconds of the whole tree (last figure seen for each process) and of the root."""
        seen: dict[int, float] = {}
        for sample in self.samples:
            seen.update(sample.cpu_s)
        root = next(iter(self.samples[0].cpu_s), 0) if self.samples else 0
        return sum(seen.values()), seen.get(root, 0.0)


def _rss_mib(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0.0
    return int(fields[1]) * PAGE_SIZE / MIB


def _pss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
        except OSError:
            continue
    return found


def tree_pids(root: int) -> list[int]:
    """``root`` and all its descendants (children of every thread, recursively)."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += _children(pid)
    return pids


def sample_tree(root: int, started: float, progress: int = 0) -> Sample:
    pids = tree_pids(root)
    sizes = [_rss_mib(pid) for pid in pids]
    return Sample(seconds=time.monotonic() - started, rss_mib=sum(sizes), main_mib=sizes[0],
                  processes=len(pids), progress=progress,
                  cpu_s={pid: _cpu_s(pid) for pid in pids},
                  pss_mib=sum(_pss_mib(pid) for pid in pids),
                  per_process=dict(zip(pids, sizes, strict=True)))


def run_measured(cmd: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float,
                 logdir: Path, probe: Callable[[], int] | None = None,
                 interval: float = INTERVAL) -> Measured:
    """Run ``cmd`` to the end, sampling its tree's RSS every ``interval`` seconds;
    ``probe()`` is recorded per sample.

    Output goes to ``logdir``/stdout.txt and stderr.txt (a crawl log can be large).
    """
    out_path, err_path = logdir / "stdout.txt", logdir / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err)
        samples = []
        while True:
            samples.append(sample_tree(proc.pid, started, probe() if probe else 0))
            try:
                proc.wait(interval)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - started > timeout:
                    proc.kill()
                    proc.wait()
                    break
        seconds = time.monotonic() - started
    return Measured(proc.returncode, seconds, samples,
                    out_path.read_text("utf-8", "replace"), err_path.read_text("utf-8", "replace"))
