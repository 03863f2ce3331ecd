"""The site model shared by the bundled offline sites: articles, responses, conditional GET.

A ``Site`` is pure: ``handle(method, path, headers)`` returns a ``Response`` without any I/O,
so tests can call it directly and ``SiteServer`` only moves bytes. Its state is mutable
(edit an article, change the sidebar, publish a new article) so that re-crawl tests can
watch the crawler notice changes, and it answers ``If-None-Match`` / ``If-Modified-Since``.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit


@dataclass(frozen=True)
class ArticleSpec:
    """One real article of a site: what a crawler must archive, and what it must find."""

    path: str
    title: str
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...]
    published: str  # ISO 8601 with offset, e.g. 2025-03-12T08:15:00+01:00
    modified: str
    lang: str  # ISO 639-1
    section: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""

    @property
    def text(self) -> str:
        """The body as the archive stores it: paragraphs separated by newlines."""
        return "\n".join(self.paragraphs)

    @property
    def modified_at(self) -> datetime:
        return datetime.fromisoformat(self.modified)


@dataclass
class Response:
    """What a site answers. ``drip`` > 0 makes the server send the body one byte at a time."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    last_modified: datetime | None = None
    cacheable: bool = True  # traps opt out of ETag / Last-Modified
    drip: float = 0.0


def html_response(html: str, *, status: int = 200, modified: datetime | None = None) -> Response:
    """A UTF-8 HTML page with its charset declared in the header, as most sites serve."""
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return Response(status, headers, html.encode("utf-8"), last_modified=modified)


def xml_response(xml: str, content_type: str = "application/xml; charset=utf-8") -> Response:
    return Response(200, {"Content-Type": content_type}, xml.encode("utf-8"))


def text_response(text: str, status: int = 200) -> Response:
    return Response(status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8"))


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, {"Location": location, "Content-Type": "text/html"}, cacheable=False)


def now_iso() -> str:
    """The current time to the second, as an ISO string with offset (UTC)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Site:
    """Base of the bundled sites: state, locking, conditional GET; subclasses route."""

    name = "site"
    #: path prefixes a polite crawler must never request (robots.txt ``Disallow``).
    forbidden_paths: tuple[str, ...] = ()

    def __init__(self, articles: list[ArticleSpec], sidebar: str) -> None:
        # RLock: routes read state while edits may come from a test thread mid-crawl.
        self._lock = threading.RLock()
        self.articles = articles
        self.sidebar = sidebar

    # -- what tests and the demo driver read ------------------------------------------
    def article_urls(self, base_url: str) -> set[str]:
        """Canonical URLs of every article a crawler must archive."""
        with self._lock:
            return {base_url.rstrip("/") + a.path for a in self.articles}

    def expected(self, base_url: str) -> list[dict[str, Any]]:
        """Per article: the record fields a good extraction gives, and snippets to check."""
        base = base_url.rstrip("/")
        with self._lock:
            return [self._expected_one(i, a, base) for i, a in enumerate(self.articles)]

    def _expected_one(self, index: int, article: ArticleSpec, base: str) -> dict[str, Any]:
        middle = article.paragraphs[len(article.paragraphs) // 2]
        return {
            "url": base + article.path,
            "canonical_url": base + article.path,
            "title": article.title,
            "authors": list(article.authors),
            "published_at": article.published,
            "modified_at": article.modified,
            "language": article.lang,
            "snippets": [article.paragraphs[0][:80], middle[:80], article.paragraphs[-1][-80:]],
            "absent": self.boilerplate_snippets(index),
        }

    def boilerplate_snippets(self, index: int) -> list[str]:
        """Text on article ``index``'s page that must not end up in its extracted body."""
        return [self.sidebar]

    # -- mutable state for re-crawl tests ----------------------------------------------
    def edit_article(self, index: int, paragraph: str, modified: str | None = None) -> ArticleSpec:
        """Append ``paragraph`` to article ``index``; its modified time becomes ``modified``."""
        with self._lock:
            old = self.articles[index]
            paragraphs = (*old.paragraphs, paragraph)
            new = replace(old, paragraphs=paragraphs, modified=modified or now_iso())
            self.articles[index] = new
            return new

    def set_sidebar(self, text: str) -> None:
        """Change boilerplate shown on every page (the body text of articles is unchanged)."""
        with self._lock:
            self.sidebar = text

    def add_article(self, spec: ArticleSpec | None = None) -> ArticleSpec:
        """Publish ``spec``, or the site's next generated article; it appears in every listing."""
        with self._lock:
            article = spec or self._next_article()
            self.articles.insert(0, article)  # newest first, as listings show them
            return article

    def _next_article(self) -> ArticleSpec:
        raise NotImplementedError

    # -- HTTP ---------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: Any) -> Response:
        """Answer one request. ``headers``: any mapping (case-insensitive lookup is done here)."""
        lowered = {str(k).lower(): str(v) for k, v in dict(headers.items()).items()}
        base = "http://" + lowered.get("host", "localhost")
        with self._lock:
            response = self.route(urlsplit(path), base)
        if response.cacheable and response.status == 200:
            return _conditional(response, lowered)
        return response

    def route(self, url: SplitResult, base: str) -> Response:
        raise NotImplementedError

    def find(self, path: str) -> ArticleSpec | None:
        return next((a for a in self.articles if a.path == path), None)


def _conditional(response: Response, headers: dict[str, str]) -> Response:
    """Add a content-derived ETag and Last-Modified; answer 304 when the client is current."""
    etag = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
    response.headers["ETag"] = etag
    if response.last_modified is not None:
        response.headers["Last-Modified"] = format_datetime(
            response.last_modified.astimezone(UTC), usegmt=True
        )
    if _not_modified(etag, response.last_modified, headers):
        kept = {k: v for k, v in response.headers.items() if k in ("ETag", "Last-Modified")}
        return Response(304, kept, cacheable=False)
    return response


def _not_modified(etag: str, modified: datetime | None, headers: dict[str, str]) -> bool:
    # RFC 9110 13.1.3: If-None-Match wins; If-Modified-Since is only read without it.
    if "if-none-match" in headers:
        tags = [t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")]
        return etag in tags or "*" in tags
    since = headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        client = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if client.tzinfo is None:
        client = client.replace(tzinfo=UTC)
    return modified.replace(microsecond=0) <= client


__all__ = [
    "ArticleSpec",
    "Response",
    "Site",
    "html_response",
    "now_iso",
    "redirect",
    "text_response",
    "xml_response",
]
