"""``scrapy crawl news`` exit statuses (INTERFACE.md): what cron scripts test for."""

from __future__ import annotations

import socket

import pytest

from tests.crawling import run_crawl

pytestmark = pytest.mark.e2e


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("args", "message"), [
    (["source=no-such-source"], "no such source"),
    ([], "give exactly one of"),
    (["url=ftp://example.org/"], "not an http(s) URL"),
    (["url=http://127.0.0.1:1/", "recheck=sometimes"], "use one of due, all, none"),
])
def test_invalid_configuration_exits_2_with_one_line(tmp_path, args, message):
    result = run_crawl(args, f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path / "warc")
    assert result.returncode == 2
    errors = [line for line in result.log.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in result.log


def test_unwritable_archive_exits_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_crawl(["url=http://127.0.0.1:1/"], f"sqlite:///{blocker}/a.sqlite3",
                       tmp_path / "warc")
    assert result.returncode == 1
    assert "Error: cannot open the archive" in result.log


def test_every_fetch_failing_exits_1(tmp_path):
    result = run_crawl([f"url=http://127.0.0.1:{_closed_port()}/"],
                       f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path / "warc")
    assert result.returncode == 1
    assert "every fetch failed" in result.log
