"""End to end, over several runs: versions, 304s, clusters, crashes, overlapping runs; each
on a SQLite archive, then on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newscrawler.api import Archive
from newscrawler.archive.captures import ArchiveCaptures
from newscrawler.archive.engine import open_archive
from newscrawler.capture.reader import read_capture, read_record_at
from newscrawler.demo import SiteServer, demo_site
from tests.crawling import ROOT, archive_counts, count_rows, crawl_runs, run_crawl, start_crawl
from tests.sites.trapsite import trap_site

pytestmark = pytest.mark.e2e

N_ARTICLES = 1500
FAST = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}


def _newscrawler(db_url: str, *args: str) -> str:
    exe = os.path.join(os.path.dirname(sys.executable), "newscrawler")
    return subprocess.run([exe, "--db", db_url, *args], capture_output=True, text=True,
                          check=True, cwd=ROOT).stdout


def test_recrawl_versions_only_real_changes(tmp_path, db_url):
    site = demo_site()
    db = db_url
    with SiteServer(site) as server:
        args = [f"url={server.base_url}/"]
        assert run_crawl(args, db, tmp_path / "warc").returncode == 0
        first = {r["canonical_url"]: r for r in Archive(db).records()}
        assert len(first) == len(site.articles)

        edited = site.edit_article(0, "Mise à jour : la mairie a publié le rapport complet "
                                      "ce soir, avec les chiffres détaillés par quartier.")
        site.set_sidebar("Nouveau : notre édition spéciale du week-end est en kiosque.")
        added = site.add_article()
        second = run_crawl(args + ["recheck=all"], db, tmp_path / "warc",
                           settings={"LOG_LEVEL": "INFO"})
        assert second.returncode == 0, second.log[-2000:]
        after = {r["canonical_url"]: r for r in Archive(db).records()}

        third = run_crawl(args + ["recheck=all"], db, tmp_path / "warc",
                          settings={"LOG_LEVEL": "INFO"})
        assert third.returncode == 0
        final = {r["canonical_url"]: r for r in Archive(db).records()}

    edited_url = server.base_url + edited.path
    added_url = server.base_url + added.path
    assert set(after) == set(first) | {added_url}
    assert after[edited_url]["version"] == 2
    assert "la mairie a publié le rapport complet" in after[edited_url]["text"]
    assert [u for u, r in after.items() if r["version"] != 1] == [edited_url]
    for url, record in first.items():
        if url != edited_url:
            assert after[url]["content_hash"] == record["content_hash"]
    versions = [json.loads(line) for line in
                _newscrawler(db, "versions", edited_url, "--format", "jsonl").splitlines()]
    assert [v["version"] for v in versions] == [1, 2]
    assert "la mairie" not in versions[0]["text"] and "la mairie" in versions[1]["text"]

    def content(records: dict) -> dict:  # a re-check moves last_seen_at, nothing else
        return {u: {k: v for k, v in r.items() if k != "last_seen_at"} for u, r in records.items()}

    assert content(final) == content(after)  # a third run with nothing new changes nothing
    assert all(final[u]["last_seen_at"] > after[u]["last_seen_at"] for u in final)
    runs = crawl_runs(db)
    assert [(r["articles_new"], r["versions_new"]) for r in runs] == [
        (len(site.articles) - 1, 0), (1, 1), (0, 0)]
    assert "'downloader/response_status_count/304': " in third.log
    assert third.log.count("newscrawler/stored/not_modified") == 1


class _WireHandler(BaseHTTPRequestHandler):
    STORY = [
        "Les ministres européens de la Défense se sont réunis mardi à Bruxelles pour "
        "examiner un plan commun d'achat de munitions, a-t-on appris de source officielle.",
        "Le plan prévoit de mutualiser les commandes de obus de 155 mm auprès de plusieurs "
        "industriels afin de réduire les délais de livraison et les coûts unitaires.",
        "Selon un diplomate, les discussions ont porté sur la répartition du financement "
        "entre les États membres et sur le rôle de l'Agence européenne de défense.",
        "Une décision formelle est attendue lors du prochain Conseil européen, en juin, "
        "après consultation des parlements nationaux concernés par les engagements.",
    ]
    OTHER = [
        "Le club de football local a remporté dimanche son troisième match consécutif "
        "devant un public venu nombreux malgré la pluie battante sur le stade municipal.",
        "L'entraîneur a salué l'état d'esprit de ses joueurs et promis de faire tourner "
        "l'effectif lors de la prochaine rencontre de coupe prévue mercredi soir.",
    ] * 2

    def do_GET(self) -> None:  # noqa: N802
        pages = {
            "/robots.txt": None,
            "/site-a/defense-munitions": ("Quotidien A", "Défense : un plan européen pour "
                                          "les munitions", self.STORY, "Lire aussi : la météo"),
            "/site-b/europe-munitions-plan": ("Journal B", "Munitions : l'Europe prépare "
                                              "un plan commun", self.STORY[:3] + [
                self.STORY[3].replace("en juin", "au mois de juin")], "Abonnez-vous !"),
            "/site-a/football": ("Quotidien A", "Football : une troisième victoire",
                                 self.OTHER, "Lire aussi : la météo"),
        }
        if self.path not in pages:
            self.send_error(404)
            return
        page = pages[self.path]
        body = b"User-agent: *\nAllow: /\n" if page is None else _wire_page(*page).encode()
        self.send_response(200)
        ctype = "text/plain" if page is None else "text/html; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _wire_page(site: str, title: str, paragraphs: list[str], extra: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html lang='fr'><head><title>{title}</title><meta property='og:type' "
            f"content='article'></head><body><header><nav>{site} · Accueil · Monde</nav>"
            f"</header><article><h1>{title}</h1>{body}</article><aside><p>{extra}</p></aside>"
            f"<footer>© {site}</footer></body></html>")


def test_wire_story_at_two_urls_shares_a_cluster(tmp_path, db_url):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WireHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(f"{base}{p}\n" for p in (
        "/site-a/defense-munitions", "/site-b/europe-munitions-plan", "/site-a/football")))
    db = db_url
    try:
        result = run_crawl([f"urls_file={urls}"], db, tmp_path / "warc")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.log[-2000:]
    records = {r["url"].split("/", 3)[3]: r for r in Archive(db).records()}
    assert len(records) == 3
    a, b = records["site-a/defense-munitions"], records["site-b/europe-munitions-plan"]
    other = records["site-a/football"]
    assert a["id"] != b["id"]
    assert a["cluster_id"] == b["cluster_id"] is not None
    assert other["cluster_id"] != a["cluster_id"]


@pytest.fixture(scope="module")
def big_site():
    with SiteServer(trap_site(n_articles=N_ARTICLES)) as server:
        yield server


def _sitemap_args(server: SiteServer) -> list[str]:
    return [f"sitemap={server.base_url}/sitemap_index.xml"]


ARTICLES = "SELECT count(*) FROM articles"
# Articles without their first version or their fetch: a half-written article.
HALF_WRITTEN = (
    "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_versions v "
    "WHERE v.article_id = a.id AND v.version = 1) OR NOT EXISTS (SELECT 1 FROM fetches f "
    "WHERE f.article_id = a.id) OR NOT EXISTS (SELECT 1 FROM article_urls u "
    "WHERE u.article_id = a.id)")


def _integrity(db_url: str) -> str:
    """SQLite's own check of the file; on both backends, no article half written."""
    if db_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        if verdict != "ok":
            return verdict
    return "ok" if count_rows(db_url, HALF_WRITTEN) == 0 else "half-written articles"


def test_three_sigkills_then_rerun_completes_the_archive(tmp_path, big_site, db_url):
    db = db_url
    log = tmp_path / "crawl.log"
    stored_before_kill = []
    for _ in range(3):  # each run is killed once it has stored another 250 articles
        target = count_rows(db, ARTICLES) + 250
        proc = start_crawl(_sitemap_args(big_site), db, tmp_path / "warc", log, FAST)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if count_rows(db, ARTICLES) >= target:
                break
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stored_before_kill.append(count_rows(db, ARTICLES))
    assert stored_before_kill and stored_before_kill[-1] < N_ARTICLES  # killed mid-crawl
    assert _integrity(db) == "ok"
    result = run_crawl(_sitemap_args(big_site), db, tmp_path / "warc", settings=FAST)
    assert result.returncode == 0, result.log[-2000:]
    counts = archive_counts(db)
    assert counts == {"articles": N_ARTICLES, "distinct": N_ARTICLES, "versions": N_ARTICLES}
    assert _integrity(db) == "ok"
    statuses = [r["status"] for r in crawl_runs(db)]
    assert statuses[-1] == "finished" and "running" not in statuses
    # The search index, kept in each batch's transaction, agrees with the archive.
    assert _indexed(db) == N_ARTICLES
    with Archive(db) as archive:
        for record in list(archive.records())[::100]:  # titles repeat on this site
            hits = archive.search(f'title:"{record["title"]}"', limit=100)
            assert record["id"] in {hit.id for hit in hits}, record["title"]
    _assert_every_pointer_reads_back(db, tmp_path / "warc")


def _assert_every_pointer_reads_back(db: str, warc) -> None:
    """Every article, version and capture row points at a complete record (killed runs
    left torn WARC tails, never a row pointing into one)."""
    from sqlalchemy import text

    engine = open_archive(db)
    captures = ArchiveCaptures(engine)
    with engine.connect() as conn:
        versions = conn.execute(text(
            "SELECT a.url, v.warc_file, v.warc_offset, v.warc_length FROM article_versions v "
            "JOIN articles a ON a.id = v.article_id")).all()
        rows = conn.execute(text("SELECT record_id, warc_file, warc_offset, warc_length "
                                 "FROM captures")).all()
    assert len(versions) == N_ARTICLES
    for url, warc_file, offset, length in versions:
        capture = read_capture(warc, warc_file, offset, length, locate=captures.locate)
        assert (capture.url, capture.status) == (url, 200) and capture.body
    for record_id, warc_file, offset, length in rows:
        assert read_record_at(warc, warc_file, offset, length).ref.record_id == record_id
    engine.dispose()


def _indexed(db: str) -> int:
    """Articles in the full-text index: one row each in SQLite's FTS5 docsize table, or in
    PostgreSQL's tsvector table."""
    table = "article_search_docsize" if db.startswith("sqlite") else "article_search"
    return count_rows(db, f"SELECT count(*) FROM {table}")


def test_overlapping_runs_never_double(tmp_path, big_site, db_url):
    db = db_url
    log = tmp_path / "crawl.log"
    first = start_crawl(_sitemap_args(big_site), db, tmp_path / "warc", log, FAST)
    time.sleep(3)
    # The same run again (cron firing while the last still runs): refused at once.
    same = run_crawl(_sitemap_args(big_site), db, tmp_path / "warc", settings=FAST)
    assert same.returncode == 75, same.log[-2000:]
    assert "another run of" in same.log
    # A different entry point to the same site on the same archive shares it safely.
    other = start_crawl([f"sitemap={big_site.base_url}/post-sitemap.xml"], db,
                        tmp_path / "warc", log, FAST)
    assert first.wait(timeout=400) == 0 and other.wait(timeout=400) == 0
    counts = archive_counts(db)
    assert counts == {"articles": N_ARTICLES, "distinct": N_ARTICLES, "versions": N_ARTICLES}
