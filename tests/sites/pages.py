"""HTML for the fault server: a plain article, and the hostile pages built around it.

Every page that should read as an article has the markers of one (``og:type``, JSON-LD
``NewsArticle``, a byline, several paragraphs), so that whatever the crawler does with it
is about the fault, not about a page too thin to be an article.
"""

from __future__ import annotations

import json
from html import escape

PARAGRAPHS = (
    "The harbour authority confirmed on Tuesday that the new breakwater will be finished "
    "before the winter storms, three months later than planned but within its budget.",
    "Engineers said the delay came from a shortage of the granite blocks that protect the "
    "outer wall, which had to be brought in by barge from a quarry two hundred miles away.",
    "Fishermen, who lost a dozen boats in last year's storms, welcomed the news but asked "
    "for the inner basin to be dredged as well, a request the authority said it would study.",
)

# (query string) the same article is linked under: campaign, click and session parameters.
TRACKING_VARIANTS = tuple(
    f"?{query}" for query in (
        "utm_source=twitter", "utm_source=facebook&utm_medium=social",
        "utm_campaign=spring&utm_content=top", "utm_term=harbour", "fbclid=IwAR0abc",
        "gclid=Cj0KCQ", "msclkid=5f1a", "mc_cid=77&mc_eid=88", "igshid=xyz", "_ga=2.1.3",
        "ref_src=twsrc", "xtor=RSS-1", "at_medium=custom7&at_campaign=64", "smid=tw-share",
        "sessionid=ab12cd34", "PHPSESSID=0f9e8d", "jsessionid=A1B2", "pk_campaign=news",
        "mtm_source=letter", "ocid=msn",
    )
)


def page(title: str, body: str, *, head: str = "", charset: str = "utf-8",
         lang: str = "en") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}">'
            f"<title>{escape(title)}</title>{head}</head><body>{body}</body></html>")


def article(title: str, paragraphs: tuple[str, ...] = PARAGRAPHS, *,
            published: str | None = "2025-03-12T08:15:00+01:00", date_text: str = "",
            canonical: str = "", extra_body: str = "", charset: str = "utf-8",
            jsonld_date: object = None) -> str:
    """A news article page; ``published=None`` leaves every machine-readable date out."""
    node: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle",
                               "headline": title, "author": {"name": "Ann Example"}}
    head = '<meta property="og:type" content="article">'
    if published is not None:
        head += f'<meta property="article:published_time" content="{escape(published)}">'
        node["datePublished"] = published
    if jsonld_date is not None:
        node["datePublished"] = jsonld_date
    if canonical:
        head += f'<link rel="canonical" href="{escape(canonical)}">'
    head += f'<script type="application/ld+json">{json.dumps(node)}</script>'
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    byline = f'<p class="byline">By Ann Example{escape(date_text)}</p>'
    body = f"<article><h1>{escape(title)}</h1>{byline}{text}{extra_body}</article>"
    return page(title, body, head=head, charset=charset)


def nested_divs(depth: int = 100_000) -> str:
    return page("Nested", "<div>" * depth + "<p>deep inside</p>" + "</div>" * depth)


def huge_text_node(size: int = 10 * 2**20) -> str:
    return article("A ten megabyte paragraph", (*PARAGRAPHS, "word " * (size // 5)))


def many_links(count: int = 50_000) -> str:
    links = "".join(f'<li><a href="/links/{i}">Story {i}</a></li>' for i in range(count))
    return page("Every story", f"<ul>{links}</ul>")


def meta_refresh(target: str) -> str:
    return page("Moved", "<p>Moved.</p>",
                head=f'<meta http-equiv="refresh" content="0; url={escape(target)}">')


def consent_wall() -> str:
    return page("Before you continue", (
        '<div class="consent"><h1>We value your privacy</h1><p>We and our 843 partners store '
        "and access information on your device, such as cookies, to personalise content and "
        "ads. Click Accept all to agree, or Manage options to choose.</p><button>Accept all"
        "</button><button>Manage options</button></div>"))


def paywall_teaser() -> str:
    teaser = (PARAGRAPHS[0],)
    wall = ('<div class="paywall"><h2>Subscribe to keep reading</h2><p>This article is for '
            "subscribers. Start your free trial today: one month for 1 euro.</p></div>")
    return article("Breakwater finished before winter", teaser, extra_body=wall)


def soft_404() -> str:
    return page("Page not found", (
        "<h1>Page not found</h1><p>Sorry, the page you are looking for does not exist or has "
        "been moved. Try the search box or go back to the home page.</p>"))


def tracking_index() -> str:
    links = "".join(f'<li><a href="/tracking/article{q}">The story, shared</a></li>'
                    for q in TRACKING_VARIANTS)
    return page("Shared links", f"<ul>{links}</ul>")
