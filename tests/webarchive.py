"""A small archive for the ``serve`` tests, stored through the crawl's own write path:
French and English articles, a wire story and its copy, an article with two versions, and
one whose title, author and text are HTML that must show as text; a test client that
checks what every answer must carry, and the real command run in a subprocess."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
from sqlalchemy import Engine
from starlette.testclient import TestClient

from newscrawler import Archive
from newscrawler.archive.store import ArchiveStore, ArticleRecord, content_hash
from newscrawler.extraction.article import Article
from newscrawler.web import create_app
from newscrawler.web.security import HEADERS
from tests.test_search import ENGLISH, FRENCH, WIRE

DAY = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_TEXT = 'A ceasefire <img src=x onerror=alert(2)> & "quoted" text.'
BUDGET_V1 = ("Le budget est adopté",
             "Le Parlement a adopté le budget mardi.\nLes débats ont duré trois jours.")
BUDGET_V2 = ("Le budget est adopté de justesse",
             "Le Parlement a adopté le budget mardi soir.\nLes débats ont duré deux jours.\n"
             "L'opposition dénonce un passage en force.")


@dataclass(frozen=True)
class Page:
    source: str
    slug: str
    title: str
    text: str
    day: int | None
    lang: str
    seen: int = 9
    authors: tuple[str, ...] = ()
    description: str | None = None

    @property
    def url(self) -> str:
        return f"https://{self.source}.example/{self.slug}"

    def record(self) -> ArticleRecord:
        published = None if self.day is None else DAY + timedelta(days=self.day)
        article = Article(url=self.url, title=self.title, text=self.text, language=self.lang,
                          published_at=published, extractor="test 1",
                          authors=list(self.authors), sitename=f"{self.source} site",
                          description=self.description)
        return ArticleRecord(article=article, url=self.url, canonical_url=self.url,
                             source=self.source, content_hash=content_hash(self.title, self.text),
                             fetched_at=DAY + timedelta(days=self.seen),
                             warc_file=f"{self.source}-00001.warc.gz", warc_offset=1234)


PAGES = [
    *(Page("journal-fr", *row, "fr") for row in FRENCH),
    *(Page("daily-en", *row, "en") for row in ENGLISH),
    Page("wire-a", "storm", "Storm Ciaran batters the coast", WIRE, 5, "en"),
    Page("wire-b", "storm-copy", "Storm Ciaran batters the coast",
         WIRE.replace("thousands", "many thousands"), 5, "en"),
    Page("daily-en", "hostile", HOSTILE_TITLE, HOSTILE_TEXT, 2, "en",
         authors=("<b>Eve</b>",), description="<i>teaser</i>"),
    Page("journal-fr", "budget", *BUDGET_V1, 3, "fr"),
]
BUDGET_LATER = Page("journal-fr", "budget", *BUDGET_V2, 3, "fr", seen=10)


def populate(engine: Engine) -> None:
    """Store ``PAGES`` in one batch, then the budget article's second version."""
    store = ArchiveStore(engine)
    store.store_many([page.record() for page in PAGES], None)
    assert store.store(BUDGET_LATER.record(), None) == "version"


@contextmanager
def serving(db_url: str) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """``newscrawler --db URL serve --port 0`` in a subprocess: (its address, the line it
    printed, the process), stopped with Ctrl-C (SIGINT)."""
    command = [str(Path(sys.executable).with_name("newscrawler")), "--db", db_url, "serve",
               "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or ()],
                     daemon=True).start()
    try:
        first = lines.get(timeout=60)
        found = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert found, first
        yield found.group(0), first, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


class Site:
    """A test client whose every answer is checked for what every page must have."""

    def __init__(self, client: TestClient, archive: Archive) -> None:
        self.client = client
        self.archive = archive

    def get(self, path: str, status: int = 200, **params: str | int):
        response = self.client.get(path, params=params)
        assert response.status_code == status, (path, params, response.text[:2000])
        for name, value in HEADERS.items():
            assert response.headers[name] == value
        body = response.text
        assert "Traceback" not in body and 'File "' not in body
        if response.headers["content-type"].startswith("text/html"):
            assert "<script" not in body.lower() and "<img" not in body.lower()
        return response

    def page(self, path: str, status: int = 200, **params: str | int):
        return lxml.html.fromstring(self.get(path, status, **params).text)

    def id_of(self, slug: str) -> int:
        url = next(page.url for page in PAGES if page.slug == slug)
        record = self.archive.article(url)
        assert record is not None
        return int(record["id"])


def open_site(engine: Engine) -> Iterator[Site]:
    """The archive populated, and a test client of ``serve``'s application over it."""
    populate(engine)
    url = engine.url.render_as_string(hide_password=False)
    with Archive(url) as archive, TestClient(create_app(url)) as client:
        yield Site(client, archive)


def error_text(page) -> str:
    return " ".join(page.xpath('string(//p[contains(@class, "error")])').split())
