"""``newscrawler serve`` the command: a real server in a subprocess on SQLite and PostgreSQL,
127.0.0.1 by default, the warning for a network address, one-line errors."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from newscrawler.cli import main
from newscrawler.web.security import HEADERS
from newscrawler.web.server import exposure_warning
from tests.test_cli import assert_one_line_error
from tests.webarchive import populate, serving


def test_serve_answers_on_127_0_0_1_and_stops_on_ctrl_c(engine: Engine):
    populate(engine)
    url = engine.url.render_as_string(hide_password=False)
    with serving(url) as (address, banner, process):
        assert banner.startswith(f"Serving the archive read-only at {address} (this "
                                 "machine only")
        with urllib.request.urlopen(f"{address}?q=ceasefire", timeout=30) as response:
            body = response.read().decode()
            assert response.status == 200
            assert response.headers["X-Content-Type-Options"] == HEADERS[
                "X-Content-Type-Options"]
        assert "<mark>Ceasefire</mark> holds in the north" in body and "&lt;script&gt;" in body
        with urllib.request.urlopen(f"{address}search.csv?q=ceasefire", timeout=30) as csv:
            assert csv.read().decode().count("\n") == 3  # header and two hits
    assert process.returncode == 0


@pytest.mark.parametrize("host, warned", [
    ("127.0.0.1", False), ("localhost", False), ("::1", False), ("127.0.0.2", False),
    ("0.0.0.0", True), ("::", True), ("192.168.1.10", True), ("example.org", True),
])
def test_a_network_address_is_warned_about(host, warned):
    warning = exposure_warning(host)
    assert (warning is not None) == warned
    if warning:
        assert "\n" not in warning and "visible on the network" in warning
        assert f"--host {host}" in warning


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_missing_archive_is_one_line(tmp_path):
    result = run("--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", "serve", "--port", "0")
    assert_one_line_error(result, 1, "no archive at")


def test_a_busy_port_is_one_line(engine: Engine):
    populate(engine)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        url = engine.url.render_as_string(hide_password=False)
        result = run("--db", url, "serve", "--port", str(port))
    assert_one_line_error(result, 1, f"cannot listen on 127.0.0.1:{port}")


def test_help_says_read_only_and_local():
    result = run("serve", "--help")
    assert result.exit_code == 0
    assert "Read-only" in result.output and "127.0.0.1" in result.output
    assert "newscrawler serve --port 8080" in result.output
