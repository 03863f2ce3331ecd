"""Secrets stay secret and remote controls stay off in a real crawl.

A PostgreSQL archive reached with a password (a throwaway role on the local server): the
password must appear nowhere in the crawl's output, stats included, nor in what it stores.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawler import settings
from tests.conftest import pg_password_url
from tests.crawling import CrawlResult, final_stats, run_crawl

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pg_with_password() -> Iterator[tuple[str, str]]:
    """(URL with a password, the password) of a fresh database owned by a fresh role."""
    password = f"Pw-{secrets.token_hex(6)}-x9Q"
    with pg_password_url(password) as url:
        yield url, password


@pytest.fixture(scope="module")
def crawled(pg_with_password, fault_server, tmp_path_factory) -> tuple[CrawlResult, Path]:
    """One crawl at DEBUG level: an article, a failing page and a refused redirect."""
    url, _ = pg_with_password
    tmp = tmp_path_factory.mktemp("secrets")
    urls = tmp / "urls.txt"
    urls.write_text("".join(fault_server.url(p) + "\n" for p in
                            ["/article/plain", "/transport/drop-mid-body", "/redirect/private"]))
    result = run_crawl([f"urls_file={urls}"], url, tmp / "warc", timeout=180,
                       settings={"LOG_LEVEL": "DEBUG", "NEWSCRAWLER_EXTRACT_WORKERS": "0"})
    return result, tmp


def test_the_database_password_is_in_no_log_line_nor_stat(crawled, pg_with_password):
    result, _ = crawled
    _, password = pg_with_password
    assert result.returncode == 0, result.log[-3000:]
    assert final_stats(result.log)["newscrawler/stored/new"] == 1
    assert password not in result.log


def test_nor_in_what_the_crawl_stored(crawled, pg_with_password):
    _, tmp = crawled
    url, password = pg_with_password
    for path in (tmp / "warc").rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT CAST(args AS TEXT), sources FROM crawl_runs")).all()
    engine.dispose()
    assert runs and not any(password in str(row) for row in runs)


def test_an_archive_that_cannot_be_opened_is_named_without_its_password(tmp_path):
    password = f"Pw-{secrets.token_hex(4)}"
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/x\n")
    for db_url in (f"postgresql+psycopg://someone:{password}@127.0.0.1:1/nodb",
                   f"postgresql+psycopg://someone:{password}@127.0.0.1:notaport/nodb"):
        result = run_crawl([f"urls_file={urls}"], db_url, tmp_path / "warc", timeout=60)
        assert result.returncode == 1
        assert "Error: cannot open the archive" in result.log
        assert "someone:***@127.0.0.1" in result.log and password not in result.log


def test_telnet_console_and_remote_control_are_off(crawled):
    result, _ = crawled
    assert settings.TELNETCONSOLE_ENABLED is False
    assert settings.EXTENSIONS["scrapy.extensions.telnet.TelnetConsole"] is None
    assert settings.EXTENSIONS["scrapy.extensions.remote_control.RemoteControl"] is None
    enabled = result.log[result.log.find("Enabled extensions:"):][:2000]
    assert "Enabled extensions:" in result.log and "LogStats" in enabled
    assert "Telnet" not in result.log and "RemoteControl" not in enabled
