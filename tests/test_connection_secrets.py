"""Connection passwords are never printed nor stored: a distributed crawl and the CLI against a
PostgreSQL archive reached as a role with a password, through a Redis user with a password;
and the crawl's connections to PostgreSQL stay within its pools.

Both are real accounts made for the test on the local servers (a PostgreSQL role owning a
fresh database, a Redis ACL user) and removed afterwards. Every line of output, at DEBUG
level, and every ``crawl_runs`` row are searched for the passwords.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from redis import Redis

from tests.conftest import pg_admin, pg_password_url
from tests.crawling import ROOT, crawl_runs, run_crawl
from tests.sites.trapsite import trap_site

pytestmark = pytest.mark.e2e


@pytest.fixture
def pg_role_url() -> Iterator[tuple[str, str]]:
    """(URL with a password, the password) of a fresh database owned by a fresh role."""
    password = f"PgPw-{secrets.token_hex(6)}"
    with pg_password_url(password) as url:
        yield url, password


@pytest.fixture
def redis_user_url(redis: Redis) -> Iterator[tuple[str, str]]:
    """(URL with a password, the password) of a Redis user made for the test."""
    token = secrets.token_hex(6)
    user, password = f"nc_user_{token}", f"RedisPw-{token}"
    redis.execute_command("ACL", "SETUSER", user, "on", f">{password}", "~*", "+@all")
    yield f"redis://{user}:{password}@127.0.0.1:6379/0", password
    redis.execute_command("ACL", "DELUSER", user)


# A crawl's connections: the run lock, the run row, the store's writer, two lookup threads.
CRAWL_CONNECTIONS = 5


@contextlib.contextmanager
def peak_connections(db_url: str) -> Iterator[list[int]]:
    """The most connections to the database of ``db_url`` seen at once, sampled meanwhile."""
    database, peak, stop = db_url.rsplit("/", 1)[1], [0], threading.Event()

    def sample() -> None:
        with pg_admin() as admin:
            while not stop.is_set():
                row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                    (database,)).fetchone()
                peak[0] = max(peak[0], row[0] if row else 0)
                stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()


def _newscrawler(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "newscrawler")
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "NEWSCRAWLER_DB": db})


def test_no_password_in_any_output_nor_in_crawl_runs(tmp_path, pg_role_url, redis_user_url,
                                                     run_id):
    from newscrawler.demo import SiteServer

    db, db_password = pg_role_url
    redis_url, redis_password = redis_user_url
    outputs = []
    with SiteServer(trap_site(n_articles=20)) as site, peak_connections(db) as connections:
        crawl = run_crawl([f"sitemap={site.base_url}/sitemap_index.xml", f"run={run_id}"], db,
                          tmp_path / "warc", settings={"LOG_LEVEL": "DEBUG"},
                          env={"NEWSCRAWLER_REDIS_URL": redis_url})
        assert crawl.returncode == 0, crawl.log[-3000:]
    assert 0 < connections[0] <= CRAWL_CONNECTIONS  # pools sized for their threads
    assert "'newscrawler/stored/new': 20," in crawl.log
    outputs.append(crawl.log)
    closed = db.replace(":5432/", ":1/")
    for args, code in [(("runs",), 0), (("export",), 0), (("db", "upgrade"), 0),
                       (("versions", "https://nowhere.example/"), 1),
                       (("--db", closed, "export"), 1), (("--db", closed, "db", "upgrade"), 1),
                       (("--db", "postgresql+psycopg://u:" + db_password + "@[bad", "runs"), 1)]:
        result = _newscrawler(*args, db=db)
        assert result.returncode == code, (args, result.stderr)
        outputs += [result.stdout, result.stderr]
    refused = run_crawl(["url=http://127.0.0.1:9/", "run=x"], db, tmp_path / "warc",
                        env={"NEWSCRAWLER_REDIS_URL": redis_url.replace(":6379/", ":1/")})
    assert refused.returncode == 1 and "cannot reach Redis" in refused.log
    unopened = run_crawl(["url=http://127.0.0.1:9/"], closed, tmp_path / "warc")
    assert unopened.returncode == 1 and "cannot open the archive" in unopened.log
    outputs += [refused.log, unopened.log]
    rows = crawl_runs(db)
    assert rows and rows[0]["run"] == run_id
    for text in [*outputs, repr(rows)]:
        assert db_password not in text and redis_password not in text
    assert any(":***@" in text for text in outputs)  # the URLs are named, masked
