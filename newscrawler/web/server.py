"""Running the application under uvicorn on a socket of our own, so ``--port 0`` works and
the address printed is the one really listened on."""

from __future__ import annotations

import socket
from collections.abc import Callable

from newscrawler.web.security import allowed_hosts, is_loopback

__all__ = ["exposure_warning", "listen", "serve_archive"]


class ListenError(OSError):
    """The address cannot be listened on; the message says which and why."""


def exposure_warning(host: str) -> str | None:
    """The warning printed when ``host`` makes the archive reachable from other machines."""
    if is_loopback(host):
        return None
    return (f"Warning: --host {host} makes the archive visible on the network: anyone who "
            "can reach this machine can read it (read-only, no login).")


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: a free one)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                          "(choose another --port)") from exc
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve_archive(db_url: str, host: str, port: int, say: Callable[[str], None]) -> None:
    """Serve the archive at ``db_url`` until interrupted; ``say`` prints to the user."""
    import uvicorn

    from newscrawler.web.app import create_app

    app = create_app(db_url, allowed_hosts=allowed_hosts(host))
    sock = listen(host, port)
    warning = exposure_warning(host)
    if warning:
        say(warning)
    where = "this machine only" if warning is None else "the network"
    say(f"Serving the archive read-only at {_url(sock)} ({where}; Ctrl-C to stop)")
    config = uvicorn.Config(app, log_level="warning", access_log=False,
                            server_header=False, lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it shut down on
        pass
    finally:
        sock.close()
    say("Stopped.")
