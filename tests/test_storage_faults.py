"""Storage failing under a crawl: the disk fills, the archive turns read-only, PostgreSQL
restarts. The crawl rides out what passes (a restart) and stops on what does not, exit 1
and one line; it never reports success with articles lost, never leaves a row pointing at a
torn WARC record (the WARC writer never appends to a torn file), and a rerun, once the
storage is fixed, completes the archive.

Real crawls (``scrapy crawl news`` in a subprocess) of a local site of 60 articles
(``tests/sites/storage.py``). The small disks are tmpfs mounts, the read-only archive is
made immutable (``chattr +i``: root ignores permissions), and PostgreSQL is a private
cluster of the test's own on a free port, so the shared server at 127.0.0.1:5432 is never
restarted. Mounting and the private cluster need root and PostgreSQL's binaries: without
them a test is skipped, or fails under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from newscrawler.archive.reconnect import disconnected
from newscrawler.capture.reader import read_capture
from newscrawler.capture.writer import CaptureWriter
from newscrawler.demo import SiteServer
from newscrawler.storage import archive_fault, warc_fault
from tests.conftest import service_missing
from tests.crawling import count_rows, crawl_runs, final_stats, run_crawl, start_crawl
from tests.sites.storage import StorageSite
from tests.test_capture_writer import INFO, _exchange

pytestmark = pytest.mark.e2e

ARTICLES = 60
# Small batches: the crawl stores as it goes. PACED: with a politeness delay, for a few
# seconds, so a test can break the storage under it.
FAST = {"AUTOTHROTTLE_ENABLED": "False", "NEWSCRAWLER_STORE_BATCH": "4"}
PACED = {**FAST, "DOWNLOAD_DELAY": "0.1", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


# --- the storage under test ---------------------------------------------------------------
def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path``, unmounted on exit."""
    path.mkdir()
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    if mounted.returncode != 0:
        service_missing(f"cannot mount a tmpfs (root needed): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        _run("umount", "-l", str(path))


def grow(path: Path, size: str) -> None:
    """Free space: the tmpfs at ``path`` grows to ``size``, its files in place."""
    grown = _run("mount", "-o", f"remount,size={size}", str(path))
    assert grown.returncode == 0, grown.stderr


@contextlib.contextmanager
def immutable_afterwards(paths: list[Path]) -> Iterator[None]:
    """Make ``paths`` writable again on exit, whatever ``chattr +i`` the test did."""
    try:
        yield
    finally:
        for path in paths:
            if path.exists():
                _run("chattr", "-i", str(path))


# --- what the archive holds ---------------------------------------------------------------
def fault_lines(log: str, words: str) -> list[str]:
    return [line for line in log.splitlines() if words in line]


def assert_stopped_by(log: str, returncode: int, words: str, kind: str) -> None:
    """The crawl stopped with exit 1 and one ERROR line saying ``words``, no traceback, and
    counted the fault (``newscrawler/store/KIND``) and the fetches it lost."""
    assert returncode == 1, log[-3000:]
    lines = fault_lines(log, words)
    assert len(lines) == 1 and "ERROR" in lines[0], log[-3000:]
    assert "Traceback" not in log
    stats = final_stats(log)
    assert stats[f"newscrawler/store/{kind}"] >= 1 and stats["newscrawler/store/lost"] >= 1


def assert_whole(db_url: str, warc_dir: Path, expected: set[str] | None = None) -> int:
    """Every article complete, each once, each version's record readable; the number of
    articles. ``expected``: exactly these canonical URLs."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        canonical = conn.scalars(text("SELECT canonical_url FROM articles")).all()
        versions = conn.execute(text(
            "SELECT a.canonical_url, v.url, v.title, v.warc_file, v.warc_offset, v.warc_length "
            "FROM article_versions v JOIN articles a ON a.id = v.article_id")).all()
        bare = conn.scalar(text(  # an article without its version, URL or fetch: partial
            "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_versions "
            "v WHERE v.article_id = a.id) OR NOT EXISTS (SELECT 1 FROM article_urls u WHERE "
            "u.article_id = a.id) OR NOT EXISTS (SELECT 1 FROM fetches f "
            "WHERE f.article_id = a.id)"))
    engine.dispose()
    assert len(canonical) == len(set(canonical)), "an article stored twice"
    assert bare == 0
    assert sorted(row[0] for row in versions) == sorted(canonical)  # one version each
    for _, url, title, warc_file, offset, length in versions:
        assert warc_file is not None, f"{url}: no capture"
        capture = read_capture(warc_dir, warc_file, offset, length)
        assert capture.url == url and capture.status == 200
        assert title.encode() in capture.body
    if expected is not None:
        assert set(canonical) == expected
    return len(canonical)


def assert_torn_only_at_the_end(warc_dir: Path) -> None:
    """Every WARC file is whole gzip members, the last possibly cut short by the fault:
    nothing is ever written after a torn record."""
    for path in warc_dir.glob("*.warc.gz"):
        data, offset = path.read_bytes(), 0
        while offset < len(data):
            member = zlib.decompressobj(zlib.MAX_WBITS + 16)
            try:
                member.decompress(data[offset:])
            except zlib.error as exc:
                raise AssertionError(f"{path.name}: garbage at {offset}: {exc}") from None
            if not member.eof:  # cut short: it must run to the end of the file
                break
            offset = len(data) - len(member.unused_data)


def run_statuses(db_url: str) -> list[str]:
    return [run["status"] for run in crawl_runs(db_url)]


@pytest.fixture
def site() -> Iterator[tuple[StorageSite, str]]:
    storage_site = StorageSite(ARTICLES)
    with SiteServer(storage_site) as server:
        yield storage_site, server.base_url


# --- disk full ----------------------------------------------------------------------------
def test_disk_full_writing_the_archive_stops_the_crawl_and_a_rerun_completes_it(
        tmp_path, site) -> None:
    storage_site, base = site
    urls = storage_site.urls_file(base, tmp_path / "urls.txt")
    warc = tmp_path / "warc"
    with tmpfs(tmp_path / "disk", "1m") as disk:
        path = disk / "archive.sqlite3"
        db = f"sqlite:///{path}"
        result = run_crawl([f"urls_file={urls}"], db, warc, settings=FAST)

        assert_stopped_by(result.log, result.returncode,
                          f"disk full writing the archive at {path}", "disk_full")
        stored = assert_whole(db, warc)
        assert 0 < stored < ARTICLES  # full mid-crawl; what was stored is whole
        assert "finished" not in run_statuses(db)

        grow(disk, "64m")
        rerun = run_crawl([f"urls_file={urls}"], db, warc, settings=FAST)
        assert rerun.returncode == 0, rerun.log[-3000:]
        assert assert_whole(db, warc, storage_site.article_urls(base)) == ARTICLES
        first, second = run_statuses(db)
        assert first in ("failed", "interrupted") and second == "finished"


def test_disk_full_writing_a_warc_stops_the_crawl_and_a_rerun_completes_it(
        tmp_path, site) -> None:
    storage_site, base = site
    urls = storage_site.urls_file(base, tmp_path / "urls.txt")
    db = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    with tmpfs(tmp_path / "warc", "128k") as warc:
        # Paced: pages are fetched (and captured) no faster than the workers extract them,
        # so some articles are stored before the captures fill the disk, even on a machine
        # slow to start its workers.
        result = run_crawl([f"urls_file={urls}"], db, warc, settings=PACED)

        assert_stopped_by(result.log, result.returncode,
                          f"disk full writing the WARC files in {warc}", "disk_full")
        assert 0 < assert_whole(db, warc) < ARTICLES
        assert_torn_only_at_the_end(warc)
        assert run_statuses(db) == ["failed"]

        grow(warc, "64m")
        rerun = run_crawl([f"urls_file={urls}"], db, warc, settings=FAST)
        assert rerun.returncode == 0, rerun.log[-3000:]
        assert assert_whole(db, warc, storage_site.article_urls(base)) == ARTICLES
        assert_torn_only_at_the_end(warc)
        assert run_statuses(db) == ["failed", "finished"]


def test_the_writer_abandons_a_torn_file_and_writes_on_in_a_new_one(tmp_path) -> None:
    """On a full disk a record tears: its file is never appended to again, every record
    returned before is whole, and once there is room the next record opens a new file."""
    with tmpfs(tmp_path / "warc", "64k") as warc:
        writer = CaptureWriter(warc, INFO)
        refs, payload = [], os.urandom(6000)  # incompressible: fills the disk quickly
        with pytest.raises(OSError) as full:
            while True:
                refs.append(writer.write_response(_exchange(payload=payload)))
        assert full.value.errno == errno.ENOSPC and refs
        torn = {ref.warc_file for ref in refs}
        grow(warc, "1m")
        after = writer.write_response(_exchange(payload=payload))
        writer.close()
        assert after.warc_file not in torn
        for ref in [*refs, after]:
            assert read_capture(warc, ref.warc_file, ref.offset, ref.length).body == payload
        assert_torn_only_at_the_end(warc)


def test_storage_errors_are_told_from_other_errors(tmp_path) -> None:
    """Real errors: SQLite's own for a read-only file, a file system's for a full disk;
    a constraint violation is no storage fault."""
    path = tmp_path / "a.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER UNIQUE)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with pytest.raises(IntegrityError) as duplicate, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert archive_fault(duplicate.value, f"sqlite:///{path}") is None
    engine.dispose()
    readonly = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(OperationalError) as refused, readonly.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
    readonly.dispose()
    fault = archive_fault(refused.value, f"sqlite:///{path}")
    assert fault is not None and fault.kind == "read_only"
    assert fault.line().startswith(f"the archive at {path} is read-only")
    assert not disconnected(refused.value)
    full = warc_fault(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), tmp_path)
    assert full.kind == "disk_full"
    assert full.line().startswith(f"disk full writing the WARC files in {tmp_path}")


# --- read-only ----------------------------------------------------------------------------
def _wait_for_articles(db_url: str, proc: subprocess.Popen[bytes], at_least: int) -> int:
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        found = count_rows(db_url, "SELECT count(*) FROM articles")
        if found >= at_least:
            return found
        time.sleep(0.05)
    raise AssertionError(f"the crawl ended or stalled before storing {at_least} articles")


def test_archive_made_read_only_mid_crawl_stops_the_crawl_and_a_rerun_completes_it(
        tmp_path, site) -> None:
    storage_site, base = site
    urls = storage_site.urls_file(base, tmp_path / "urls.txt")
    path, warc, log = tmp_path / "archive.sqlite3", tmp_path / "warc", tmp_path / "crawl.log"
    db = f"sqlite:///{path}"
    # The database and its write-ahead log; SQLite maps the -shm file into memory, where a
    # refused write is a SIGBUS, not an error: an administrator's chattr would not spare it
    # either, but that is a crash, tested elsewhere (SIGKILL).
    files = [path, path.with_name(path.name + "-wal")]
    with immutable_afterwards(files):
        proc = start_crawl([f"urls_file={urls}"], db, warc, log, settings=PACED)
        try:
            _wait_for_articles(db, proc, 8)
            for file in files:
                made = _run("chattr", "+i", str(file))
                if made.returncode != 0:
                    service_missing(f"chattr +i refused (root on ext4 needed): {made.stderr}")
            returncode = proc.wait(timeout=90)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, 9)
        output = log.read_text()
        assert_stopped_by(output, returncode, f"the archive at {path} is read-only", "read_only")

    stored = assert_whole(db, warc)
    assert 8 <= stored < ARTICLES
    assert "finished" not in run_statuses(db)
    rerun = run_crawl([f"urls_file={urls}"], db, warc, settings=FAST)
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert assert_whole(db, warc, storage_site.article_urls(base)) == ARTICLES
    first, second = run_statuses(db)
    assert first in ("failed", "interrupted") and second == "finished"


# --- PostgreSQL restarted -------------------------------------------------------------------
class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb as user postgres, trust auth,
    127.0.0.1 on a free port), to stop and start under a crawl."""

    def __init__(self) -> None:
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                          key=lambda p: int(Path(p).parts[-3]))
        if not versions or os.geteuid() != 0 or shutil.which("runuser") is None:
            service_missing("a private PostgreSQL needs root, runuser and the server binaries "
                            "(/usr/lib/postgresql/*/bin)")
        self.bin = Path(versions[-1]).parent
        self.data = Path(tempfile.mkdtemp(prefix="newscrawler-pg-"))
        shutil.chown(self.data, "postgres", "postgres")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    def _as_postgres(self, *args: str) -> None:
        done = _run("runuser", "-u", "postgres", "--", *args)
        assert done.returncode == 0, done.stdout + done.stderr

    def init(self) -> None:
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off")
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                          "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                          "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        _run("runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data),
             "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


def test_postgresql_restarted_mid_crawl_is_ridden_out(tmp_path, site, private_postgres) -> None:
    storage_site, base = site
    urls = storage_site.urls_file(base, tmp_path / "urls.txt")
    db = private_postgres.create_database("restarted")
    warc, log = tmp_path / "warc", tmp_path / "crawl.log"
    proc = start_crawl([f"urls_file={urls}"], db, warc, log, settings=PACED)
    try:
        _wait_for_articles(db, proc, 8)
        private_postgres.stop()  # every connection dropped, new ones refused
        time.sleep(2)
        private_postgres.start()
        returncode = proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
    output = log.read_text()
    assert returncode == 0, output[-3000:]
    assert "Traceback" not in output
    stats = final_stats(output)
    assert stats["newscrawler/store/reconnects"] >= 1
    assert "newscrawler/store/lost" not in stats
    assert assert_whole(db, warc, storage_site.article_urls(base)) == ARTICLES
    assert run_statuses(db) == ["finished"]


def test_postgresql_down_past_the_retries_stops_the_crawl_and_a_rerun_completes_it(
        tmp_path, site, private_postgres) -> None:
    storage_site, base = site
    urls = storage_site.urls_file(base, tmp_path / "urls.txt")
    db = private_postgres.create_database("down")
    warc, log = tmp_path / "warc", tmp_path / "crawl.log"
    proc = start_crawl([f"urls_file={urls}"], db, warc, log,
                       settings={**PACED, "NEWSCRAWLER_DB_RETRY_SECONDS": "2"})
    try:
        _wait_for_articles(db, proc, 8)
        private_postgres.stop()
        returncode = proc.wait(timeout=90)
    finally:
        private_postgres.start()
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
    output = log.read_text()
    assert_stopped_by(output, returncode, f"the archive at {db} is unreachable", "unreachable")
    assert 8 <= assert_whole(db, warc) < ARTICLES
    assert run_statuses(db) == ["running"]  # closed by the next run

    rerun = run_crawl([f"urls_file={urls}"], db, warc, settings=FAST)
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert assert_whole(db, warc, storage_site.article_urls(base)) == ARTICLES
    assert run_statuses(db) == ["interrupted", "finished"]
