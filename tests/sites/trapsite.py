"""The trap site: a WordPress-like French defence news blog that tries to fool crawlers.

Real articles are reachable through robots.txt, a sitemap index (regular, Google News and
gzipped sitemaps), RSS, home and archive pages. Around them: tracking parameters, an AMP
copy, three awkward encodings, a robots-forbidden article, and the traps of ``traps.py``.
"""

from __future__ import annotations

import gzip
import secrets
import zlib
from collections.abc import Callable
from datetime import datetime
from urllib.parse import SplitResult, parse_qs

from newscrawler.demo import markup
from newscrawler.demo.markup import esc, slugify
from newscrawler.demo.site import ArticleSpec, Response, Site, html_response, text_response
from tests.sites import traps
from tests.sites import wordpress as wp
from tests.sites import wordpress_post as post
from tests.sites.french import AUTHORS, comments_for, draft
from tests.sites.trapsite_pages import Listing, page_response

TRACKING = "?utm_source=twitter&utm_medium=social"
PAGE_SIZE = 5
# (meta tag, Content-Type header, codec, prefix bytes) for each way a page can be encoded.
ENCODINGS = {
    "utf-8": ('<meta charset="UTF-8">', "text/html; charset=UTF-8", "utf-8", b""),
    "windows-1252": (
        '<meta charset="windows-1252">',
        "text/html; charset=windows-1252",
        "cp1252",
        b"",
    ),
    # The meta lies: the bytes are UTF-8. Browsers and good crawlers detect it.
    "mismatch": (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
        "text/html",
        "utf-8",
        b"",
    ),
    "bom": ("", "text/html", "utf-8", b"\xef\xbb\xbf"),
}


class TrapSite(Site):
    """See the module docstring; ``special_paths`` names the pages tests look at."""

    name = "trap"
    forbidden_paths = ("/prive/",)

    def __init__(self, seed: int = 0, n_articles: int = 24) -> None:
        self.seed = seed
        oldest_first = [self._from_draft(i) for i in range(n_articles)]
        super().__init__(oldest_first[::-1], wp.DEFAULT_SIDEBAR)
        self.private_article = self._from_draft(n_articles, prefix="/prive")
        self._next_index = n_articles + 1
        self.encodings: dict[str, str] = {}
        for variant, position in (("windows-1252", 1), ("mismatch", 2), ("bom", 3)):
            if position < n_articles:
                self.encodings[oldest_first[position].path] = variant
        self.amp_article = oldest_first[min(4, n_articles - 1)] if n_articles else None
        self.special_paths = {v: p for p, v in self.encodings.items()}
        self.special_paths["private"] = self.private_article.path
        if self.amp_article is not None:
            self.special_paths["amp"] = self.amp_article.path + "amp/"

    def _from_draft(self, index: int, prefix: str = "") -> ArticleSpec:
        d = draft(self.seed, index)
        day = d.published[:10].replace("-", "/")
        return ArticleSpec(
            path=f"{prefix}/{day}/{d.slug}/",
            title=d.title,
            paragraphs=d.paragraphs,
            authors=tuple(AUTHORS[s][0] for s in d.author_slugs),
            published=d.published,
            modified=d.modified,
            lang="fr",
            section=d.category,
            tags=d.tags,
            description=d.paragraphs[0].split(". ")[0] + ".",
        )

    def _next_article(self) -> ArticleSpec:
        article = self._from_draft(self._next_index)
        self._next_index += 1
        return article

    # -- what tests read ----------------------------------------------------------------
    def boilerplate_snippets(self, index: int) -> list[str]:
        article = self.articles[index]
        texts = [
            wp.COOKIE_TEXT,
            wp.SHARE_TEXT,
            wp.AUTHOR_BOX_TITLE,
            wp.RELATED_TITLE,
            wp.NEWSLETTER_TEXT,
            self.sidebar,
        ]
        texts += [text for _, text in comments_for(self.seed, article.path)]
        texts += [title for _, title, _ in self._related(article, "")[:1]]
        return texts

    # -- routing --------------------------------------------------------------------------
    def route(self, url: SplitResult, base: str) -> Response:
        path, query = url.path, parse_qs(url.query)
        fixed = self._fixed_routes(base).get(path)
        if fixed is not None:
            return fixed()
        trap = self._trap(path, base)
        if trap is not None:
            return trap
        article = self.find(path) or (
            self.private_article if path == self.private_article.path else None
        )
        if article is not None:
            return self._article(base, article)
        if self.amp_article is not None and path == self.amp_article.path + "amp/":
            return html_response(self._amp_page(base, self.amp_article))
        listing = Listing(self, base)
        if path == "/" and query.get("s"):
            return listing.search(query["s"][0])
        return listing.route(path) or page_response(self, base, path)

    def _fixed_routes(self, base: str) -> dict[str, Callable[[], Response]]:
        return {
            "/robots.txt": lambda: text_response(
                markup.robots_txt(base, ["/prive/", "/wp-admin/"], "/sitemap_index.xml")
            ),
            "/sitemap_index.xml": lambda: _xml(
                markup.sitemap_index(
                    base,
                    ["/post-sitemap.xml", "/page-sitemap.xml.gz", "/news-sitemap.xml"],
                    self._newest().isoformat(),
                )
            ),
            "/post-sitemap.xml": lambda: _xml(
                markup.urlset(base, [(a.path, a.modified) for a in self.articles])
            ),
            "/news-sitemap.xml": lambda: _xml(
                markup.news_sitemap(base, self.articles, wp.SITE_NAME)
            ),
            "/page-sitemap.xml.gz": lambda: self._page_sitemap(base),
            "/feed/": lambda: Response(
                200,
                {"Content-Type": "application/rss+xml; charset=UTF-8"},
                markup.rss_feed(base, wp.SITE_NAME, "fr-FR", self.articles[:10], "/feed/").encode(),
            ),
        }

    def _page_sitemap(self, base: str) -> Response:
        pages = [("/", None), ("/a-propos/", None), ("/contact/", None)]
        body = gzip.compress(markup.urlset(base, pages).encode(), mtime=0)
        return Response(200, {"Content-Type": "application/x-gzip"}, body)

    def _trap(self, path: str, base: str) -> Response | None:
        month = traps.calendar_month(path)
        if month is not None:
            return Listing(self, base).calendar(*month, secrets.token_hex(8))
        makers = {
            "/bombe/": traps.bomb_response,
            "/lent/": traps.slow_response,
            "/docs/rapport-annuel/": traps.pdf_as_html,
            "/galerie/photo-du-jour/": traps.png_as_html,
        }
        maker = makers.get(path)
        return maker() if maker else traps.redirect_trap(path, base)

    # -- articles -------------------------------------------------------------------------
    def _article(self, base: str, a: ArticleSpec) -> Response:
        extras = self._extras(base, a)
        tag_slugs = [slugify(t) for t in a.tags]
        meta, content_type, codec, prefix = ENCODINGS[self.encodings.get(a.path, "utf-8")]
        html = wp.shell(
            self.chrome(base),
            title=a.title,
            body_class=f"post-template-default single single-post postid-{extras.post_id} "
            "single-format-standard wp-embed-responsive",
            main=post.article_main(base, a, extras, tag_slugs),
            head=post.article_head(base, a, extras),
            charset_meta=meta,
        )
        body = prefix + html.encode(codec)
        return Response(200, {"Content-Type": content_type}, body, last_modified=a.modified_at)

    def _extras(self, base: str, a: ArticleSpec) -> post.ArticleExtras:
        by_name = {name: (slug, name, bio) for slug, (name, bio) in AUTHORS.items()}
        position = next((i for i, x in enumerate(self.articles) if x.path == a.path), -1)
        prev_next = []
        if 0 <= position < len(self.articles) - 1:
            older = self.articles[position + 1]
            prev_next.append(("prev", base + older.path, older.title))
        if position > 0:
            newer = self.articles[position - 1]
            prev_next.append(("next", base + newer.path, newer.title))
        amp = self.amp_article is not None and a.path == self.amp_article.path
        return post.ArticleExtras(
            authors=[by_name[n] for n in a.authors],
            related=self._related(a, base),
            comments=comments_for(self.seed, a.path),
            post_id=10000 + zlib.crc32(a.path.encode()) % 90000,
            amp_url=base + a.path + "amp/" if amp else "",
            prev_next=prev_next,
        )

    def _related(self, a: ArticleSpec, base: str) -> list[tuple[str, str, str]]:
        """Three posts of the same category; every other link carries tracking parameters."""
        same = [x for x in self.articles if x.section == a.section and x.path != a.path][:3]
        return [
            (base + x.path + (TRACKING if i % 2 == 0 else ""), x.title, x.published)
            for i, x in enumerate(same)
        ]

    def _amp_page(self, base: str, a: ArticleSpec) -> str:
        byline = ", ".join(a.authors)
        return (
            f'<!doctype html>\n<html amp lang="fr-FR"><head><meta charset="utf-8">'
            f"<title>{esc(a.title)}</title>"
            f'<link rel="canonical" href="{base}{a.path}">'
            '<meta name="viewport" content="width=device-width">'
            f'<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{a.published}">'
            f'<meta property="article:modified_time" content="{a.modified}">'
            f'</head><body class="amp-wp"><header><a href="{base}/">{esc(wp.SITE_NAME)}</a>'
            f'</header><article><h1>{esc(a.title)}</h1><p class="byline">{esc(byline)}</p>'
            f"{markup.paragraphs_html(a.paragraphs)}</article></body></html>\n"
        )

    # -- page furniture -------------------------------------------------------------------
    def chrome(self, base: str) -> wp.Chrome:
        tags = sorted({(slugify(t), t) for a in self.articles for t in a.tags})
        newest = self.articles[0].published if self.articles else "2025-01-01"
        return wp.Chrome(
            base=base,
            sidebar=self.sidebar,
            recent=[(base + a.path, a.title) for a in self.articles[:5]],
            tags=tags,
            calendar=f"/calendrier/{newest[:4]}/{newest[5:7]}/",
        )

    def _newest(self) -> datetime:
        return max(a.modified_at for a in self.articles)


def _xml(text: str) -> Response:
    return Response(200, {"Content-Type": "application/xml; charset=UTF-8"}, text.encode())


def trap_site(seed: int = 0, n_articles: int = 24) -> TrapSite:
    """A fresh trap site with ``n_articles`` articles generated from ``seed``."""
    return TrapSite(seed, n_articles)
