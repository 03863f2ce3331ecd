"""The soak site: thousands of unique articles with about 1 % hostile pages mixed in.

Built for ``benchmarks.soak`` on the bundled demo site's pieces (``newscrawler.demo``: the
``Site`` model with conditional GET, robots.txt and sitemap markup). Every article is
reachable twice: from a sitemap (robots.txt -> sitemap index -> sitemaps of 1,000) and from
a section page (home -> sections of 100 links). Hostile URLs sit among them in both; each
kind is what a real site does to a crawler (``KINDS``). A few kinds are still articles that
must be archived exactly once (``ARTICLE_KINDS``); the others must leave nothing behind.

Generated text is deterministic (seeded per article) and unique, so no article is a
duplicate of another; the server only moves bytes and counts what it answered.
"""

from __future__ import annotations

import random
import struct
import threading
import zlib
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import SplitResult, urlsplit

from newscrawler.demo import markup
from newscrawler.demo.markup import esc
from newscrawler.demo.site import (
    ArticleSpec,
    Response,
    Site,
    html_response,
    text_response,
    xml_response,
)

KINDS = ("dropped_mid_body", "never_answers", "gzip_bomb", "redirect_loop", "invalid_utf8",
         "pdf_as_html", "nested_divs", "soft_404", "consent_wall", "tracking_duplicates")
# Hostile kinds that are still articles: archived once, under their clean URL.
ARTICLE_KINDS = ("invalid_utf8", "tracking_duplicates")
SECTION_SIZE = 100
SITEMAP_SIZE = 1000
TRACKING = ("utm_source=newsletter&utm_medium=email", "utm_campaign=spring&utm_content=top",
            "fbclid=IwAR0x", "gclid=EAIa1", "utm_source=twitter", "mc_cid=9f&mc_eid=1a",
            "utm_term=city", "ref=homepage&utm_source=rss", "_ga=2.1.2.3", "yclid=77",
            "utm_source=fb&utm_medium=social", "igshid=abc", "utm_id=5", "msclkid=42",
            "utm_reader=feedly", "dclid=3", "utm_name=x", "oly_enc_id=1", "vero_id=8",
            "utm_source=a&utm_medium=b&utm_campaign=c")
BOMB_BYTES = 256 << 20  # 16 times the crawler's DOWNLOAD_MAXSIZE once inflated
NESTED_DIVS = 100_000
_WORDS = (
    "council budget harbour river bridge school teachers parents nurses hospital museum "
    "festival market farmers weather storm rain summer winter election mayor minister "
    "report study survey police court judge trial village city district railway station "
    "tram bus cyclists road traffic energy prices housing rents tenants workers union "
    "strike factory company profits jobs library students university research scientists "
    "forest park garden water supply drought flood coast fishermen boats port airport "
    "flights tourists hotel restaurant chefs bakery theatre concert orchestra exhibition "
    "painting history archive newspaper reporters readers neighbours residents volunteers "
    "charity donations clinic doctors vaccine children families pensioners community"
).split()
_VERBS = ("announced", "approved", "rejected", "discussed", "reviewed", "delayed", "opened",
          "closed", "planned", "funded", "criticised", "welcomed", "measured", "reported")
_LINKS = ("the", "a", "new", "local", "several", "many", "two", "three", "older", "regional")


@dataclass(frozen=True)
class Hostile:
    kind: str
    number: int

    @property
    def path(self) -> str:
        return f"/news/2025/06/{self.kind.replace('_', '-')}-{self.number}.html"

    @property
    def is_article(self) -> bool:
        return self.kind in ARTICLE_KINDS

    def listed_paths(self) -> list[str]:
        """The URLs sitemaps and sections give for it: tracking variants instead of itself."""
        if self.kind == "tracking_duplicates":
            return [f"{self.path}?{query}" for query in TRACKING]
        return [self.path]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_LINKS), *rng.sample(_WORDS, 3), rng.choice(_VERBS), rng.choice(_LINKS),
             *rng.sample(_WORDS, rng.randint(3, 7))]
    return " ".join(words).capitalize() + "."


def make_article(number: int, path: str | None = None) -> ArticleSpec:
    """Article ``number``: about 300 words of its own, dated in 2025."""
    rng = random.Random(number)
    title = " ".join(rng.sample(_WORDS, 5)).capitalize() + f", report {number}"
    paragraphs = tuple(" ".join(_sentence(rng) for _ in range(rng.randint(3, 5)))
                       + f" (Dispatch {number}, part {part}.)" for part in range(1, 7))
    day = 1 + number % 28
    stamp = f"2025-05-{day:02d}T{8 + number % 10:02d}:{number % 60:02d}:00+02:00"
    return ArticleSpec(
        path=path or f"/news/2025/05/{markup.slugify(title)}-{number}.html", title=title,
        paragraphs=paragraphs, authors=(f"Reporter {number % 37}",), published=stamp,
        modified=stamp, lang="en", section="news", description=paragraphs[0][:150])


class SoakSite(Site):
    """``pages`` URLs: articles plus ``max(pages // 100, len(KINDS))`` hostile ones."""

    name = "soak"
    forbidden_paths = ("/private/",)

    def __init__(self, pages: int) -> None:
        count = max(pages // 100, len(KINDS))
        self.hostile = [Hostile(KINDS[i % len(KINDS)], i) for i in range(count)]
        normal = [make_article(n) for n in range(count, max(pages, 2 * count))]
        for h in self.hostile:
            if h.is_article:
                normal.append(make_article(h.number, h.path))
        super().__init__(normal, "Subscribe to the Soak Gazette morning letter")
        self._by_path = {a.path: a for a in self.articles}
        self._hostile_by_path = {h.path: h for h in self.hostile}
        self._entries = self._mixed_entries()

    def _mixed_entries(self) -> list[str]:
        """Every listed path, hostile ones spread evenly among the articles."""
        plain = [a.path for a in self.articles if a.path not in self._hostile_by_path]
        listed = [[p] for p in plain]
        step = max(1, len(listed) // len(self.hostile))
        for i, h in enumerate(self.hostile):
            listed.insert(min(len(listed), i * (step + 1)), h.listed_paths())
        return [path for group in listed for path in group]

    def expected_articles(self, base_url: str) -> set[str]:
        return self.article_urls(base_url)

    def hostile_paths(self) -> dict[str, str]:
        """Path of each hostile page -> its kind."""
        return {h.path: h.kind for h in self.hostile}

    def find(self, path: str) -> ArticleSpec | None:
        return self._by_path.get(path)

    # -- routes ---------------------------------------------------------------------------
    def route(self, url: SplitResult, base: str) -> Response:
        path = url.path
        article = self.find(path)
        if article is not None:
            body = self._article_page(base, article)
            hostile = self._hostile_by_path.get(path)
            if hostile is not None and hostile.kind == "invalid_utf8":
                return _invalid_utf8(body, article)
            return html_response(body, modified=article.modified_at)
        if path == "/robots.txt":
            return text_response(markup.robots_txt(base, ["/private/"], "/sitemap_index.xml"))
        sitemaps = range(0, len(self._entries), SITEMAP_SIZE)
        if path == "/sitemap_index.xml":
            paths = [f"/sitemaps/{n // SITEMAP_SIZE}.xml" for n in sitemaps]
            return xml_response(markup.sitemap_index(base, paths, "2025-06-01"))
        if path == "/":
            links = [f"/section/{n // SECTION_SIZE}/"
                     for n in range(0, len(self._entries), SECTION_SIZE)]
            return self._listing(base, "The Soak Gazette", links)
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[1].removesuffix(".xml").isdigit() and parts[0] in (
                "sitemaps", "section"):
            return self._slice(base, parts[0], int(parts[1].removesuffix(".xml")))
        return html_response(self._shell(base, "Not found", "<h1>404 Not found</h1>"), status=404)

    def _slice(self, base: str, kind: str, number: int) -> Response:
        size = SITEMAP_SIZE if kind == "sitemaps" else SECTION_SIZE
        entries = self._entries[number * size:(number + 1) * size]
        if not entries:
            return html_response(self._shell(base, "Not found", "<h1>404</h1>"), status=404)
        if kind == "sitemaps":
            return xml_response(markup.urlset(base, [(p, None) for p in entries]))
        # A link robots.txt forbids: a polite crawler never asks for it.
        return self._listing(base, f"Section {number}", [*entries, f"/private/{number}.html"])

    def _listing(self, base: str, title: str, paths: list[str]) -> Response:
        items = "".join(f'<li><a href="{esc(base + p)}">{esc(p)}</a></li>' for p in paths)
        return html_response(self._shell(base, title, f"<h1>{esc(title)}</h1><ul>{items}</ul>"))

    def _article_page(self, base: str, a: ArticleSpec) -> str:
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
              "datePublished": a.published, "dateModified": a.modified, "inLanguage": a.lang,
              "author": [markup.person(n, f"{base}/") for n in a.authors]}
        head = (f'<link rel="canonical" href="{base}{a.path}">'
                f'<meta property="og:type" content="article">'
                f'<meta property="og:title" content="{esc(a.title)}">'
                f'<meta property="article:published_time" content="{a.published}">'
                + markup.json_ld(ld))
        main = (f'<article><h1>{esc(a.title)}</h1><p class="byline">By {esc(a.authors[0])}</p>'
                f'<time datetime="{a.published}">{a.published[:10]}</time>'
                f'<div class="article-body">{markup.paragraphs_html(a.paragraphs)}</div>'
                "</article>")
        return self._shell(base, a.title, main, head)

    def _shell(self, base: str, title: str, main: str, head: str = "") -> str:
        return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f"<title>{esc(title)}</title>{head}</head><body><header>"
                f'<a href="{base}/">The Soak Gazette</a></header><main>{main}</main>'
                f"<aside><p>{esc(self.sidebar)}</p></aside></body></html>\n")


def _invalid_utf8(body: str, article: ArticleSpec) -> Response:
    """The page declared UTF-8 with stray Latin-1 and broken sequences in its first paragraph."""
    raw = body.encode("utf-8").replace(b"<p>", b"<p>caf\xe9 \xff\xfe \xc3( ", 1)
    return Response(200, {"Content-Type": "text/html; charset=utf-8"}, raw,
                    last_modified=article.modified_at)


@cache
def gzip_bomb() -> bytes:
    """A gzip stream of ``BOMB_BYTES`` zeros built from one compressed MiB block repeated."""
    mib = bytes(1 << 20)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(mib) + raw.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(BOMB_BYTES >> 20):
        crc = zlib.crc32(mib, crc)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + block * (BOMB_BYTES >> 20)
            + raw.flush(zlib.Z_FINISH) + struct.pack("<II", crc, BOMB_BYTES & 0xFFFFFFFF))


def hostile_response(kind: str, path: str) -> Response | None:
    """The answer of the hostile kinds that are plain responses (the others are socket-level)."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    if kind == "gzip_bomb":
        return Response(200, {**html, "Content-Encoding": "gzip"}, gzip_bomb(), cacheable=False)
    if kind == "redirect_loop":
        target = path.replace(".html", "-b.html") if not path.endswith("-b.html") else (
            path.replace("-b.html", ".html"))
        return Response(302, {"Location": target}, cacheable=False)
    if kind == "pdf_as_html":
        return Response(200, html, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
                        + bytes(range(256)) * 40, cacheable=False)
    if kind == "nested_divs":
        body = "<html><body>" + "<div>" * NESTED_DIVS + "deep" + "</div>" * NESTED_DIVS
        return Response(200, html, (body + "</body></html>").encode(), cacheable=False)
    if kind == "soft_404":
        return Response(200, html, (
            b"<html><head><title>Page not found</title></head><body><h1>Page not found</h1>"
            b"<p>Sorry, the page you are looking for does not exist or has been moved.</p>"
            b"</body></html>"), cacheable=False)
    if kind == "consent_wall":
        return Response(200, html, (
            b"<html><head><title>Before you continue</title></head><body><div class=consent>"
            b"<h1>We value your privacy</h1><p>We and our 843 partners store and access "
            b"information on your device, such as cookies. Click Accept all to agree.</p>"
            b"<button>Accept all</button></div></body></html>"), cacheable=False)
    return None


class SoakServer:
    """Serve a ``SoakSite`` on 127.0.0.1 (port 0) from a background thread.

    ``served`` counts the answers begun (the crawl's progress); ``paths`` holds every path
    asked for, so the soak can check robots.txt was obeyed.
    """

    def __init__(self, site: SoakSite) -> None:
        self.site = site
        self.served = 0
        self.paths: list[str] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._hostile = {path: kind for path, kind in site.hostile_paths().items()
                         if kind not in ARTICLE_KINDS}
        self._hostile.update({p.replace(".html", "-b.html"): "redirect_loop"
                              for p, k in self._hostile.items() if k == "redirect_loop"})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 256
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> SoakServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._thread.join(timeout=10)
        self._httpd.server_close()

    def record(self, path: str) -> None:
        with self._lock:
            self.served += 1
            self.paths.append(path)

    def hostile_kind(self, path: str) -> str | None:
        return self._hostile.get(path)


def _handler_for(server: SoakServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 60

        def do_GET(self) -> None:  # noqa: N802 (stdlib name)
            server.record(self.path)
            path = urlsplit(self.path).path
            kind = server.hostile_kind(path)
            if kind == "never_answers":
                self.close_connection = True
                server.stopping.wait(120)
                return
            if kind == "dropped_mid_body":
                self._headers(200, {"Content-Type": "text/html"}, 40_000)
                self.wfile.write(b"<html><body><p>" + b"Half a story. " * 1000)
                self.close_connection = True
                return
            response = hostile_response(kind, path) if kind else None
            if response is None:
                response = server.site.handle("GET", self.path, self.headers)
            self._headers(response.status, response.headers, len(response.body))
            try:
                self.wfile.write(response.body)
            except OSError:  # the crawler hangs up on a bomb past its size limit
                self.close_connection = True

        def _headers(self, status: int, headers: dict[str, str], length: int) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(length))
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Silent: the soak reads ``SoakServer.paths``."""

    return Handler
