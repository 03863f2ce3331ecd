"""A site whose one article carries 50,000 links to one URL shape (``/x/N/``), each a 404.

Crawled with ``-a url=`` it shows what one hostile page can make a crawler schedule: every
link of one shape passes a budget that counts only pages already answered.
"""

from __future__ import annotations

from urllib.parse import SplitResult

from newscrawler.demo.site import ArticleSpec, Response, Site, html_response, text_response

LINKS = 50_000
STORY = ArticleSpec(
    path="/2025/03/harbour-bridge.html", title="Harbour bridge reopens after repairs",
    paragraphs=tuple(f"Paragraph {n}: the harbour bridge reopened on Monday after eight months "
                     "of repairs, the city's transport office said in a statement." for n in
                     range(8)),
    authors=("Ada Writer",), published="2025-03-12T08:15:00+01:00",
    modified="2025-03-12T08:15:00+01:00", lang="en")


class ManyLinksSite(Site):
    name = "manylinks"

    def __init__(self) -> None:
        super().__init__([STORY], sidebar="")

    def route(self, url: SplitResult, base: str) -> Response:
        if url.path == "/robots.txt":
            return text_response("User-agent: *\nAllow: /\n")
        if url.path == "/":
            return html_response(f"<html><body class='home'><a href='{STORY.path}'>"
                                 f"{STORY.title}</a></body></html>")
        if url.path == STORY.path:
            links = "".join(f"<a href='/x/{n}/'>{n}</a>" for n in range(LINKS))
            body = "".join(f"<p>{p}</p>" for p in STORY.paragraphs)
            return html_response(
                f"<html lang='en'><head><title>{STORY.title}</title></head><body><article>"
                f"<h1>{STORY.title}</h1>{body}</article><footer>{links}</footer></body></html>")
        return html_response("<html><body>Not found</body></html>", status=404)
