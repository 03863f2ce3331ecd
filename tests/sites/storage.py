"""A site of many distinct, sizeable articles, for crawls that fill or lose their storage.

Each article has its own text (words drawn from a seeded vocabulary, so no two share a
content hash and none compresses to nothing), so a crawl of a few dozen of them writes
megabytes to the archive and the WARC files: enough to fill a small tmpfs mid-crawl.
Crawled with ``-a urls_file=`` (``urls_file(base)``) every page is one expected article.
"""

from __future__ import annotations

import random
from pathlib import Path
from urllib.parse import SplitResult

from newscrawler.demo.site import ArticleSpec, Response, Site, html_response, text_response

_VOCABULARY = tuple(
    f"{consonant}{vowel}{ending}" for consonant in "bcdfghklmnprstvz" for vowel in "aeiou"
    for ending in ("", "n", "rt", "ls", "mby", "ck", "ter"))


def _article(index: int, words: int) -> ArticleSpec:
    rng = random.Random(index)
    paragraphs = tuple(
        " ".join(rng.choice(_VOCABULARY) for _ in range(words // 12)).capitalize() + "."
        for _ in range(12))
    return ArticleSpec(
        path=f"/news/2025/story-{index:03d}.html", title=f"Harbour report number {index}",
        paragraphs=paragraphs, authors=("Ada Writer",), published="2025-03-12T08:15:00+01:00",
        modified="2025-03-12T08:15:00+01:00", lang="en")


class StorageSite(Site):
    """``count`` articles of about ``words`` words each, and a robots.txt allowing them."""

    name = "storage"

    def __init__(self, count: int = 60, words: int = 1500) -> None:
        super().__init__([_article(i, words) for i in range(count)], sidebar="")

    def urls_file(self, base_url: str, path: Path) -> Path:
        """Write the article URLs, one a line, for ``-a urls_file=``; return ``path``."""
        path.write_text("".join(f"{u}\n" for u in sorted(self.article_urls(base_url))))
        return path

    def route(self, url: SplitResult, base: str) -> Response:
        if url.path == "/robots.txt":
            return text_response("User-agent: *\nAllow: /\n")
        article = self.find(url.path)
        if article is None:
            return html_response("<html><body>Not found</body></html>", status=404)
        body = "".join(f"<p>{p}</p>" for p in article.paragraphs)
        return html_response(
            f"<!DOCTYPE html><html lang='en'><head><title>{article.title}</title>"
            "<meta property='og:type' content='article'>"
            f"<meta name='author' content='{article.authors[0]}'>"
            f"<meta property='article:published_time' content='{article.published}'></head>"
            f"<body><article><h1>{article.title}</h1>{body}</article></body></html>")
