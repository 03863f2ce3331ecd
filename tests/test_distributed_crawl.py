"""Distributed crawls end to end: several ``scrapy crawl news -a run=ID`` workers sharing one
frontier in the local Redis, one killed with SIGKILL; their shared politeness; what is
refused with one error line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from bisect import bisect_left
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newscrawler.archive.runs import this_host
from newscrawler.demo import SiteServer
from newscrawler.distributed.keys import RunKeys
from tests.conftest import REDIS_URL
from tests.crawling import ROOT, archive_counts, count_rows, crawl_runs, run_crawl, start_crawl
from tests.sites.trapsite import trap_site

pytestmark = pytest.mark.e2e

N_ARTICLES = 1500
REDIS = {"NEWSCRAWLER_REDIS_URL": REDIS_URL}
FAST = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "NEWSCRAWLER_EXTRACT_WORKERS": "1"}


def _stored_by(db_url: str, worker: str) -> int:
    """Articles a worker has stored so far (its fetches that made a new article)."""
    return count_rows(db_url, "SELECT count(*) FROM fetches f JOIN crawl_runs r ON "
                              f"r.id = f.run_id WHERE r.worker = '{worker}' AND f.outcome = 'new'")


def test_two_workers_and_a_killed_one_then_one_rerun_archive_every_article_once(
        tmp_path, fresh_pg_url, run_id, redis):
    db = fresh_pg_url
    with SiteServer(trap_site(n_articles=N_ARTICLES)) as site:
        args = [f"sitemap={site.base_url}/sitemap_index.xml", f"run={run_id}"]
        workers = {n: start_crawl([*args, f"worker={n}"], db, tmp_path / "warc",
                                  tmp_path / f"worker{n}.log", FAST, env=REDIS) for n in (1, 2, 3)}
        deadline = time.monotonic() + 240
        while _stored_by(db, f"{this_host()}/3") < 100 and time.monotonic() < deadline:
            assert workers[3].poll() is None, (tmp_path / "worker3.log").read_text()[-3000:]
            time.sleep(0.1)
        os.killpg(workers[3].pid, signal.SIGKILL)
        workers[3].wait()
        killed_at = count_rows(db, "SELECT count(*) FROM articles")
        # Worker 1 of this run, started again on this host while it runs: refused at once.
        again = run_crawl([*args, "worker=1"], db, tmp_path / "warc", settings=FAST, env=REDIS)
        survivors = [workers[n].wait(timeout=600) for n in (1, 2)]
        logs = {n: (tmp_path / f"worker{n}.log").read_text() for n in (1, 2)}
        assert survivors == [0, 0], logs[1][-3000:] + logs[2][-3000:]
        assert list(redis.scan_iter(f"newscrawler:run:{run_id}:*")) == []  # the run is done
        rerun = run_crawl([*args, "worker=3"], db, tmp_path / "warc", settings=FAST, env=REDIS)
    assert again.returncode == 75 and "another run of" in again.log, again.log[-2000:]
    assert f"run={run_id} worker={this_host()}/1" in again.log
    assert killed_at < N_ARTICLES  # killed mid-run
    assert "requests leased by dead workers are queued again" in logs[1] + logs[2]
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert archive_counts(db) == {"articles": N_ARTICLES, "distinct": N_ARTICLES,
                                  "versions": N_ARTICLES}
    rows = {r["worker"]: r for r in crawl_runs(db) if r["run"] == run_id}
    survivors_rows = [rows[f"{this_host()}/{n}"] for n in (1, 2)]
    assert all(r["status"] == "finished" and r["pages_fetched"] > 0 for r in survivors_rows)
    listed = _newscrawler(db, "runs", "--run", run_id, "--format", "jsonl")
    runs = [json.loads(line) for line in listed.splitlines()]
    assert sorted(r["worker"].rsplit("/", 1)[1] for r in runs) == ["1", "2", "3", "3"]
    assert {r["run"] for r in runs} == {run_id}
    assert sorted(r["status"] for r in runs) == ["finished", "finished", "finished",
                                                 "interrupted"]


def test_a_rerun_resumes_the_run_of_a_killed_lone_worker(tmp_path, sqlite_url, run_id, redis):
    """The only worker of a run killed: its queue, seen-set and leases stay in Redis, and the
    same command run again resumes the run, its dead lease queued again."""
    total = 300
    with SiteServer(trap_site(n_articles=total)) as site:
        args = [f"sitemap={site.base_url}/sitemap_index.xml", f"run={run_id}"]
        worker = start_crawl(args, sqlite_url, tmp_path / "warc", tmp_path / "first.log", FAST,
                             env=REDIS)
        deadline = time.monotonic() + 180
        while count_rows(sqlite_url, "SELECT count(*) FROM articles") < 60:
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        keys = RunKeys(run_id)
        left = (redis.zcard(keys.queue), redis.hlen(keys.leases))
        rerun = run_crawl(args, sqlite_url, tmp_path / "warc", settings=FAST, env=REDIS)
    # Killed mid-run with requests in flight. Whether some were still queued depends on
    # how far the worker had got (under load it may have leased every request: fetched
    # pages wait for extraction, and a lease lasts until the page is stored).
    assert left[1] > 0, left
    assert rerun.returncode == 0, rerun.log[-3000:]
    if left[0]:
        assert f"Run {run_id}: resuming, {left[0]} requests queued" in rerun.log
    assert f"{left[1]} requests leased by dead workers are queued again" in rerun.log
    assert archive_counts(sqlite_url) == {"articles": total, "distinct": total,
                                          "versions": total}
    assert list(redis.scan_iter(f"newscrawler:run:{run_id}:*")) == []


def _newscrawler(db_url: str, *args: str) -> str:
    exe = os.path.join(os.path.dirname(sys.executable), "newscrawler")
    return subprocess.run([exe, "--db", db_url, *args], capture_output=True, text=True,
                          check=True, cwd=ROOT).stdout


CRAWL_DELAY = 0.1
PAGES = 100


class _TimedHandler(BaseHTTPRequestHandler):
    """robots.txt with a Crawl-delay, a sitemap, small pages; every request's time noted."""

    def do_GET(self) -> None:  # noqa: N802
        base = f"http://{self.headers['Host']}"
        if self.path == "/robots.txt":
            body = f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\nSitemap: {base}/sitemap.xml\n"
            self._send("text/plain", body)
            return
        if self.path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base}/p/{n}.html</loc></url>" for n in range(PAGES))
            self._send("application/xml", "<urlset xmlns='http://www.sitemaps.org/schemas/"
                                          f"sitemap/0.9'>{urls}</urlset>")
            return
        self.server.times.append(time.monotonic())  # type: ignore[attr-defined]
        self._send("text/html", f"<html><body><h1>{self.path}</h1><p>A short page.</p>"
                                "</body></html>")

    def _send(self, content_type: str, body: str) -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TimedHandler)
    server.times = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _peak(times: list[float], window: float = 3.0) -> float:
    """The most requests in any ``window`` seconds, per second."""
    times = sorted(times)
    return max(bisect_left(times, t + window) - i for i, t in enumerate(times)) / window


def test_workers_share_one_request_rate_per_host(tmp_path, run_id):
    """Three workers against one host that asks for a Crawl-delay: never more than 10 % above
    the rate of one worker alone, counted at the server."""
    # Extraction inline (the pages are tiny): no worker process competes for the CPU, so one
    # crawl alone keeps up with the Crawl-delay.
    settings = {"AUTOTHROTTLE_ENABLED": "False", "NEWSCRAWLER_EXTRACT_WORKERS": "0"}
    rates = {}
    for workers in (1, 3):
        server = _serve()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        db = f"sqlite:///{tmp_path / f'{workers}.sqlite3'}"
        try:
            procs = [start_crawl(
                [f"sitemap={base}/sitemap.xml",
                 *([f"run={run_id}", f"worker={n}"] if workers > 1 else [])],
                db, tmp_path / "warc", tmp_path / f"{workers}-{n}.log", settings, env=REDIS)
                for n in range(1, workers + 1)]
            codes = [proc.wait(timeout=300) for proc in procs]
        finally:
            server.shutdown()
        assert codes == [0] * workers, (tmp_path / f"{workers}-1.log").read_text()[-3000:]
        times = server.times  # type: ignore[attr-defined]
        assert len(times) == PAGES
        rates[workers] = (_peak(times), (len(times) - 1) / (max(times) - min(times)))
    fetched = [count_rows(f"sqlite:///{tmp_path / '3.sqlite3'}",
                          "SELECT count(*) FROM fetches f JOIN crawl_runs r ON r.id = f.run_id "
                          f"WHERE r.worker = '{this_host()}/{n}'") for n in (1, 2, 3)]
    assert all(fetched), fetched  # every worker took part
    (alone_peak, alone_mean), (shared_peak, shared_mean) = rates[1], rates[3]
    assert shared_peak <= 1.1 * alone_peak, rates
    assert shared_mean <= 1.1 * alone_mean, rates


@pytest.mark.parametrize(("args", "env", "code", "message"), [
    (["run=r1"], {"NEWSCRAWLER_REDIS_URL": ""}, 2, "-a run=r1 needs Redis: set "
     "NEWSCRAWLER_REDIS_URL"),
    (["run="], REDIS, 2, "-a run='': use 1 to 64 letters"),
    (["run=a b"], REDIS, 2, "-a run='a b': use 1 to 64 letters"),
    (["worker=2"], REDIS, 2, "-a worker= names a worker of a distributed run"),
    (["run=r1"], {"NEWSCRAWLER_REDIS_URL": "redis://someone:Pw-s3cret@127.0.0.1:1/0"}, 1,
     "cannot reach Redis at redis://someone:***@127.0.0.1:1/0 (NEWSCRAWLER_REDIS_URL)"),
])
def test_distributed_mode_refused_with_one_line(tmp_path, args, env, code, message):
    result = run_crawl(["url=http://127.0.0.1:9/", *args], f"sqlite:///{tmp_path / 'a.sqlite3'}",
                       tmp_path / "warc", env=env, timeout=120)
    errors = [line for line in result.log.splitlines() if line.startswith("Error:")]
    assert result.returncode == code, result.log[-2000:]
    assert len(errors) == 1 and message in errors[0], result.log[-2000:]
    assert "Traceback" not in result.log and "s3cret" not in result.log
