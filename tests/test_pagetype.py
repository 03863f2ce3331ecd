"""Tests of ``classify_page``: articles versus every kind of non-article page."""

from __future__ import annotations

import json

import pytest

from newscrawler.extraction import KINDS, classify_page
from newscrawler.extraction.core import parse_html

STORY = "".join(
    f"<p>Paragraph {i} of the story: the harbour authority confirmed on Monday that the "
    "old ferry terminal will be demolished next spring to make room for housing.</p>"
    for i in range(6)
)
LINKS = "".join(f'<li><a href="/news/item-{i}">Headline number {i}</a></li>' for i in range(40))


def _page(*, head: str = "", body: str = "", body_class: str = "", title: str = "Site") -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head>"
        f'<body class="{body_class}">{body}</body></html>'
    )


def _ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


OG_ARTICLE = '<meta property="og:type" content="article">'
OG_WEBSITE = '<meta property="og:type" content="website">'

CASES = [
    # articles
    (
        "wp single post",
        _page(body_class="post-template-default single single-post", body=STORY),
        "https://x.example/2024/03/05/ferry/",
        "article",
    ),
    (
        "jsonld graph",
        _page(head=_ld({"@graph": [{"@type": "WebPage"}, {"@type": "ReportageNewsArticle"}]})),
        "https://x.example/ferry",
        "article",
    ),
    (
        "jsonld type list",
        _page(head=_ld([{"@type": ["BlogPosting", "CreativeWork"]}])),
        "https://x.example/ferry",
        "article",
    ),
    (
        "og article",
        _page(head=OG_ARTICLE, body="<p>Short teaser.</p>"),
        "https://x.example/news/ferry",
        "article",
    ),
    (
        "density only",
        _page(body=f"<nav><ul>{LINKS}</ul></nav><div>{STORY}</div>"),
        "https://x.example/news/ferry",
        "article",
    ),
    (
        "og article and text beat a category url",
        _page(head=OG_ARTICLE, body=STORY),
        "https://x.example/category/port/ferry-terminal",
        "article",
    ),
    # listings
    (
        "wp category",
        _page(body_class="archive category category-port", body=STORY),
        "https://x.example/port/",
        "listing",
    ),
    (
        "collection page",
        _page(
            head=_ld(
                {
                    "@type": "CollectionPage",
                    "hasPart": [{"@type": "NewsArticle", "headline": "Teaser"}],
                }
            )
        ),
        "https://x.example/port",
        "listing",
    ),
    (
        "teasers in an item list",
        _page(
            head=_ld({"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle"}]}),
            body=f"<ul>{LINKS}</ul>",
        ),
        "https://x.example/port",
        "listing",
    ),
    ("category url", _page(), "https://x.example/category/port/", "listing"),
    ("pagination url", _page(), "https://x.example/news/page/3/", "listing"),
    ("home page", _page(head=OG_WEBSITE, body=STORY), "https://x.example/", "listing"),
    ("many links", _page(body=f"<ul>{LINKS}</ul>"), "https://x.example/latest", "listing"),
    # tags, authors
    ("wp tag", _page(body_class="archive tag tag-ferry"), "https://x.example/ferry/", "tag"),
    ("tag url", _page(), "https://x.example/tag/ferry/", "tag"),
    (
        "collection page at tag url",
        _page(head=_ld({"@type": "CollectionPage"})),
        "https://x.example/tags/ferry",
        "tag",
    ),
    ("wp author", _page(body_class="archive author author-jane"), "https://x.example/j/", "author"),
    ("profile page", _page(head=_ld({"@type": "ProfilePage"})), "https://x.example/j", "author"),
    ("author url", _page(head=OG_WEBSITE), "https://x.example/author/jane-doe/", "author"),
    # contact
    ("contact page", _page(head=_ld({"@type": "ContactPage"})), "https://x.example/c", "contact"),
    ("contact url", _page(head=OG_WEBSITE), "https://x.example/contact/", "contact"),
    (
        "wp static contact page",
        _page(body_class="page-template-default page page-id-12", body=STORY),
        "https://x.example/nous-contacter/",
        "contact",
    ),
    # calendar
    ("wp date archive", _page(body_class="archive date"), "https://x.example/2024/03/", "calendar"),
    ("year month url", _page(), "https://x.example/2024/03/", "calendar"),
    ("year month day url", _page(), "https://x.example/2024/03/05", "calendar"),
    # search
    ("wp search", _page(body_class="search search-results"), "https://x.example/", "search"),
    ("search query", _page(head=OG_ARTICLE), "https://x.example/?s=ferry", "search"),
    (
        "search results page",
        _page(head=_ld({"@type": "SearchResultsPage"})),
        "https://x.example/find",
        "search",
    ),
    # errors
    ("wp 404", _page(body_class="error404", head=OG_ARTICLE), "https://x.example/gone", "error"),
    (
        "404 title",
        _page(title="404 - Page not found | Site", body=STORY),
        "https://x.example/news/gone",
        "error",
    ),
    (
        "french 404 heading",
        _page(body="<h1>Oups ! Cette page n'existe pas.</h1>"),
        "https://x.example/actu/disparu",
        "error",
    ),
    # other
    (
        "wp static page",
        _page(body_class="page-template-default page page-id-7", body=STORY),
        "https://x.example/about-us/",
        "other",
    ),
    (
        "bare website",
        _page(head=OG_WEBSITE, body="<p>Welcome.</p>"),
        "https://x.example/about",
        "other",
    ),
]


@pytest.mark.parametrize(("html", "url", "kind"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify_page(html: str, url: str, kind: str) -> None:
    assert kind in KINDS
    assert classify_page(html, url) == kind


def test_classify_page_accepts_a_parsed_tree() -> None:
    tree = parse_html(_page(body_class="archive tag"))
    assert tree is not None
    assert classify_page(tree, "https://x.example/x") == "tag"


def test_invalid_jsonld_does_not_break_classification() -> None:
    html = _page(
        head='<script type="application/ld+json">{"@type": "NewsArticle",</script>', body=STORY
    )
    assert classify_page(html, "https://x.example/news/ferry") == "article"


def test_a_url_urllib_cannot_split_is_no_signal() -> None:
    # Found by the property tests: classify_page raised ValueError ("Invalid IPv6 URL").
    assert classify_page(_page(body=STORY), "http://[") == "article"
