"""The replay tools the tests drive, from their own environment (``make tools``): py-wacz's
``wacz validate`` and pywb's ``wb-manager`` and ``wayback``, run on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# .venv/tools beside the running .venv/bin/python (pywb cannot share the crawler's packages).
TOOLS = Path(sys.executable).parent.parent / "tools" / "bin"


def tool(name: str) -> str:
    path = TOOLS / name
    assert path.exists(), f"{path} is missing: run `make tools` (pywb and wacz)"
    return str(path)


def wacz_validate(package: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("wacz"), "validate", "-f", str(package)], capture_output=True,
                          text=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def pywb(workdir: Path, package: Path, collection: str = "c") -> Iterator[str]:
    """pywb serving ``package`` (added with ``--unpack-wacz``); yields the collection URL."""
    for args in (["init", collection], ["add", "--unpack-wacz", collection, str(package)]):
        subprocess.run([tool("wb-manager"), *args], cwd=workdir, check=True,
                       capture_output=True, timeout=120)
    port = _free_port()
    log = open(workdir / "wayback.log", "wb")
    server = subprocess.Popen([tool("wayback"), "-b", "127.0.0.1", "-p", str(port)],
                              cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/{collection}/"
    try:
        _wait_for(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "wayback exited (see wayback.log)"
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise AssertionError("wayback did not start within 60 s")


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and raw body (no decompression: the test checks the encoding)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()
