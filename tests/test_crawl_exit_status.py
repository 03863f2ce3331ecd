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


def test_extraction_workers_that_cannot_start_stop_the_crawl_with_exit_1(tmp_path):
    """A broken install (here: a worker function that does not exist) must not run a whole
    crawl that drops every page: the crawl stops, says why in one line and exits 1."""
    import os
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    from newscrawler.demo import SiteServer, demo_site
    from tests.crawling import ROOT

    db_url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with SiteServer(demo_site()) as server:
        code = ("import sys; from newscrawler.analysis.analyzer import PageAnalyzer; "
                "PageAnalyzer.function = 'tests.workerpool_jobs:no_such_function'; "
                "from scrapy.cmdline import execute; "
                f"execute(['scrapy', 'crawl', 'news', '-a', 'url={server.base_url}/'])")
        env = {**os.environ, "NEWSCRAWLER_DB": db_url,
               "NEWSCRAWLER_WARC_DIR": str(tmp_path / "warc"),
               "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "PYTHONPATH": str(ROOT)}
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    stops = [line for line in result.stderr.splitlines()
             if "Extraction workers cannot start" in line]
    assert len(stops) == 1 and "no_such_function" in stops[0]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT status FROM crawl_runs")) == "failed"
        assert conn.scalar(text("SELECT count(*) FROM articles")) == 0
    engine.dispose()
