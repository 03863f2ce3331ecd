"""Discovery documents both sites publish: robots.txt, sitemaps, Google News sitemaps, RSS.

Built from ``ArticleSpec`` lists on every request, so an edited or newly published article
shows up in them at once, like on a real CMS.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from newscrawler.demo.site import ArticleSpec

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def esc(text: str) -> str:
    return escape(text, quote=True)


def robots_txt(base: str, disallow: list[str], sitemap_path: str) -> str:
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in disallow)]
    lines += ["Allow: /", "", f"Sitemap: {base}{sitemap_path}", ""]
    return "\n".join(lines)


def sitemap_index(base: str, paths: list[str], lastmod: str) -> str:
    entries = "".join(
        f"<sitemap><loc>{esc(base + p)}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for p in paths
    )
    return f'{XML_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'


def urlset(base: str, entries: list[tuple[str, str | None]]) -> str:
    """A regular sitemap of ``(path, lastmod or None)``."""
    rows = []
    for path, lastmod in entries:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        rows.append(f"<url><loc>{esc(base + path)}</loc>{mod}</url>\n")
    return f'{XML_HEAD}<urlset xmlns="{SITEMAP_NS}">\n{"".join(rows)}</urlset>\n'


def news_sitemap(base: str, articles: list[ArticleSpec], publication: str) -> str:
    """A Google News sitemap: publication name and language, date and title per article."""
    rows = []
    for a in articles:
        rows.append(
            f"<url><loc>{esc(base + a.path)}</loc><news:news><news:publication>"
            f"<news:name>{esc(publication)}</news:name><news:language>{a.lang}</news:language>"
            f"</news:publication><news:publication_date>{a.published}</news:publication_date>"
            f"<news:title>{esc(a.title)}</news:title></news:news></url>\n"
        )
    return (
        f'{XML_HEAD}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n'
        f"{''.join(rows)}</urlset>\n"
    )


def rss_feed(base: str, title: str, lang: str, articles: list[ArticleSpec], feed_path: str) -> str:
    """An RSS 2.0 feed of ``articles`` (newest first), with Dublin Core creators."""
    items = []
    for a in articles:
        creators = "".join(f"<dc:creator><![CDATA[{n}]]></dc:creator>" for n in a.authors)
        items.append(
            f"<item><title>{esc(a.title)}</title><link>{esc(base + a.path)}</link>"
            f"{creators}<pubDate>{rfc822(a.published)}</pubDate>"
            f'<guid isPermaLink="true">{esc(base + a.path)}</guid>'
            f"<description>{esc(a.description or a.paragraphs[0])}</description></item>\n"
        )
    newest = rfc822(articles[0].published) if articles else ""
    return (
        f'{XML_HEAD}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:atom="http://www.w3.org/2005/Atom"><channel>\n'
        f"<title>{esc(title)}</title><link>{base}/</link><language>{lang}</language>"
        f'<atom:link href="{base}{feed_path}" rel="self" type="application/rss+xml"/>'
        f"<description>{esc(title)}</description><lastBuildDate>{newest}</lastBuildDate>\n"
        f"{''.join(items)}</channel></rss>\n"
    )


def rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso))


def json_ld(data: dict[str, Any]) -> str:
    # "</" must not close the script element early; escaping the slash keeps JSON valid.
    payload = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">{payload}</script>'


def person(name: str, url: str) -> dict[str, str]:
    return {"@type": "Person", "name": name, "url": url}


def paragraphs_html(paragraphs: tuple[str, ...]) -> str:
    return "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)


def slugify(text: str) -> str:
    """``"Vélo électrique"`` -> ``"velo-electrique"``, as CMSs build URL slugs."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
