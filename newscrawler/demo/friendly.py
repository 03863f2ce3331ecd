"""The friendly bundled demo site, "Le Petit Quotidien / The Daily Demo" (``make demo``).

A small, well-behaved bilingual news site: every discovery path a crawler knows
(robots.txt, a sitemap index, a Google News sitemap, RSS, paginated sections, tag and
author pages) leads to the same dozen articles, each with clean metadata.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from urllib.parse import SplitResult

from newscrawler.demo import markup
from newscrawler.demo.demo_content import SECTIONS, demo_articles
from newscrawler.demo.markup import esc, slugify
from newscrawler.demo.site import (
    ArticleSpec,
    Response,
    Site,
    html_response,
    now_iso,
    text_response,
    xml_response,
)

SITE_NAME = "Le Petit Quotidien / The Daily Demo"
PAGE_SIZE = 3
_WORDS = {
    "fr": ("Par", "et", "Publié le", "Mis à jour le"),
    "en": ("By", "and", "Published", "Updated"),
}


class DemoSite(Site):
    """The demo news site; see the module docstring."""

    name = "demo"

    def __init__(self) -> None:
        super().__init__(
            demo_articles(), "Abonnez-vous à notre lettre du matin / Morning newsletter"
        )
        self._extra = itertools.count(1)

    def route(self, url: SplitResult, base: str) -> Response:
        path = url.path
        if path == "/":
            return self._listing(base, SITE_NAME, self.articles[:6], "", 1)
        document = self._documents(base).get(path)
        if document is not None:
            return document()
        article = self.find(path)
        if article is not None:
            return html_response(self._article_page(base, article), modified=article.modified_at)
        return self._listing_route(base, path.strip("/").split("/"))

    def _listing_route(self, base: str, parts: list[str]) -> Response:
        if len(parts) == 2 and parts[0] in ("tag", "author"):
            key = (lambda a: map(slugify, a.tags)) if parts[0] == "tag" else _author_slugs
            chosen = [a for a in self.articles if parts[1] in key(a)]
            if chosen:
                return self._listing(base, f"{parts[0].title()}: {parts[1]}", chosen, "", 1)
        if parts[0] in SECTIONS and (len(parts) == 1 or (len(parts) == 3 and parts[1] == "page")):
            page = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 1
            chosen = [a for a in self.articles if a.section == parts[0]]
            shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            if shown:
                more = len(chosen) > page * PAGE_SIZE
                return self._listing(
                    base, SECTIONS[parts[0]], shown, parts[0] if more else "", page
                )
        body = self._shell(base, "Page not found / Page introuvable", "<h1>404</h1>", "en")
        return html_response(body, status=404)

    def _next_article(self) -> ArticleSpec:
        n = next(self._extra)
        stamp = now_iso()
        return ArticleSpec(
            path=f"/actualites/{stamp[:4]}/{stamp[5:7]}/flash-info-{n}.html",
            title=f"Flash info n°{n} : la rédaction publie un nouvel article",
            paragraphs=(
                f"Ce flash info numéro {n} vient d’être publié par la rédaction "
                "du Petit Quotidien.",
                "Il permet de vérifier qu’un nouvel article est découvert par le robot d’archivage "
                "grâce au plan du site, au flux RSS et à la page d’accueil.",
                "Les lecteurs fidèles le retrouveront aussi dans la rubrique Actualités.",
            ),
            authors=("Marie Lefort",),
            published=stamp,
            modified=stamp,
            lang="fr",
            section="actualites",
            tags=("flash",),
        )

    # -- pages ------------------------------------------------------------------------
    def _listing(
        self, base: str, title: str, articles: list[ArticleSpec], more: str, page: int
    ) -> Response:
        items = "\n".join(
            f'<li><a href="{base}{a.path}">{esc(a.title)}</a> <time>{a.published[:10]}</time></li>'
            for a in articles
        )
        nav = (
            f'<a rel="next" href="{base}/{more}/page/{page + 1}/">Suite / More</a>' if more else ""
        )
        main = f'<h1>{esc(title)}</h1><ul class="teasers">{items}</ul>{nav}'
        newest = max(a.modified_at for a in self.articles)
        return html_response(self._shell(base, title, main, "fr"), modified=newest)

    def _article_page(self, base: str, a: ArticleSpec) -> str:
        by, and_, published, updated = _WORDS[a.lang]
        authors = f" {and_} ".join(
            f'<a rel="author" href="{base}/author/{slugify(n)}/">{esc(n)}</a>' for n in a.authors
        )
        tags = " ".join(
            f'<a rel="tag" href="{base}/tag/{slugify(t)}/">#{esc(t)}</a>' for t in a.tags
        )
        head = (
            f'<link rel="canonical" href="{base}{a.path}">'
            f'<meta name="description" content="{esc(a.description)}">'
            f'<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{esc(a.title)}">'
            f'<meta property="og:url" content="{base}{a.path}">'
            f'<meta property="article:published_time" content="{a.published}">'
            f'<meta property="article:modified_time" content="{a.modified}">'
            + markup.json_ld(self._news_article(base, a))
        )
        main = (
            f'<article><h1>{esc(a.title)}</h1><p class="byline">{by} {authors}</p>'
            f'<p class="dates">{published} <time datetime="{a.published}">{a.published[:10]}'
            f'</time> · {updated} <time datetime="{a.modified}">{a.modified[:10]}</time></p>'
            f'<div class="article-body">{markup.paragraphs_html(a.paragraphs)}</div>'
            f'<footer class="tags">{tags}</footer></article>'
        )
        return self._shell(base, a.title, main, a.lang, head)

    def _news_article(self, base: str, a: ArticleSpec) -> dict[str, object]:
        return {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a.title,
            "description": a.description,
            "datePublished": a.published,
            "dateModified": a.modified,
            "inLanguage": a.lang,
            "mainEntityOfPage": base + a.path,
            "author": [markup.person(n, f"{base}/author/{slugify(n)}/") for n in a.authors],
            "publisher": {"@type": "Organization", "name": SITE_NAME},
        }

    def _shell(self, base: str, title: str, main: str, lang: str, head: str = "") -> str:
        sections = " | ".join(f'<a href="{base}/{k}/">{esc(v)}</a>' for k, v in SECTIONS.items())
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{esc(title)} – {esc(SITE_NAME)}</title>"
            f'<link rel="alternate" type="application/rss+xml" href="{base}/feed.xml">{head}'
            f'</head><body><header><a href="{base}/">{esc(SITE_NAME)}</a><nav>{sections}</nav>'
            f"</header><main>{main}</main><aside><p>{esc(self.sidebar)}</p></aside>"
            f'<footer><a href="{base}/about/">À propos / About</a> · '
            f"© 2025 {esc(SITE_NAME)}</footer></body></html>\n"
        )

    # -- discovery documents ----------------------------------------------------------
    def _documents(self, base: str) -> dict[str, Callable[[], Response]]:
        newest = max(a.modified_at for a in self.articles).isoformat()
        index = ["/sitemap-news.xml", "/sitemap.xml"]
        pages: list[tuple[str, str | None]] = [("/", None), *((f"/{s}/", None) for s in SECTIONS)]
        posts = [(a.path, a.modified) for a in self.articles]
        about = (
            "<h1>À propos / About</h1><p>Un site d’exemple, servi hors ligne. An offline demo.</p>"
        )
        return {
            "/robots.txt": lambda: text_response(markup.robots_txt(base, [], "/sitemap_index.xml")),
            "/sitemap_index.xml": lambda: xml_response(markup.sitemap_index(base, index, newest)),
            "/sitemap-news.xml": lambda: xml_response(
                markup.news_sitemap(base, self.articles, "Le Petit Quotidien")
            ),
            "/sitemap.xml": lambda: xml_response(markup.urlset(base, posts + pages)),
            "/feed.xml": lambda: xml_response(
                markup.rss_feed(base, SITE_NAME, "fr", self.articles, "/feed.xml"),
                "application/rss+xml; charset=utf-8",
            ),
            "/about/": lambda: html_response(self._shell(base, "À propos / About", about, "fr")),
        }


def _author_slugs(a: ArticleSpec) -> list[str]:
    return [slugify(n) for n in a.authors]


def demo_site() -> DemoSite:
    """A fresh demo site (its own mutable state)."""
    return DemoSite()
