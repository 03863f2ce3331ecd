"""The article page of the trap site: Yoast metadata, the post, and what plug-ins add after it.

Share bar, author box, related posts, newsletter box, post navigation and comments: the
boilerplate an extractor must leave out of the body (texts in ``wordpress``'s constants).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newscrawler.demo.markup import esc, json_ld, paragraphs_html, person
from newscrawler.demo.site import ArticleSpec
from tests.sites.wordpress import (
    AUTHOR_BOX_TITLE,
    CATEGORIES,
    NEWSLETTER_TEXT,
    RELATED_TITLE,
    SHARE_TEXT,
    SITE_NAME,
    french_date,
)


@dataclass
class ArticleExtras:
    """The blocks around one article: authors (slug, name, bio), related, comments."""

    authors: list[tuple[str, str, str]]
    related: list[tuple[str, str, str]]  # (url, title, published iso)
    comments: list[tuple[str, str]]  # (name, text)
    post_id: int
    amp_url: str = ""
    prev_next: list[tuple[str, str, str]] = field(default_factory=list)  # (rel, url, title)


def article_head(base: str, a: ArticleSpec, extras: ArticleExtras) -> str:
    """Yoast-style metadata: canonical, Open Graph, article times, a JSON-LD ``@graph``."""
    url = base + a.path
    amp = f'<link rel="amphtml" href="{extras.amp_url}">\n' if extras.amp_url else ""
    return (
        f'<link rel="canonical" href="{url}">\n{amp}'
        f'<meta name="description" content="{esc(a.description)}">\n'
        '<meta property="og:locale" content="fr_FR">\n<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{esc(a.title)}">\n'
        f'<meta property="og:url" content="{url}">\n'
        f'<meta property="og:site_name" content="{esc(SITE_NAME)}">\n'
        f'<meta property="article:published_time" content="{a.published}">\n'
        f'<meta property="article:modified_time" content="{a.modified}">\n'
        f'<meta name="author" content="{esc(", ".join(a.authors))}">\n'
        + json_ld(_graph(base, a, extras))
    )


def _graph(base: str, a: ArticleSpec, extras: ArticleExtras) -> dict[str, object]:
    url = base + a.path
    people = [person(name, f"{base}/author/{slug}/") for slug, name, _ in extras.authors]
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebSite",
                "@id": f"{base}/#website",
                "url": f"{base}/",
                "name": SITE_NAME,
                "inLanguage": "fr-FR",
            },
            {
                "@type": "WebPage",
                "@id": url,
                "url": url,
                "name": a.title,
                "isPartOf": {"@id": f"{base}/#website"},
                "inLanguage": "fr-FR",
            },
            {
                "@type": "NewsArticle",
                "@id": f"{url}#article",
                "headline": a.title,
                "description": a.description,
                "datePublished": a.published,
                "dateModified": a.modified,
                "author": people if len(people) > 1 else people[0],
                "articleSection": CATEGORIES.get(a.section, a.section),
                "keywords": list(a.tags),
                "mainEntityOfPage": {"@id": url},
                "inLanguage": "fr-FR",
                "publisher": {"@type": "Organization", "name": SITE_NAME},
            },
        ],
    }


def article_main(base: str, a: ArticleSpec, extras: ArticleExtras, tag_slugs: list[str]) -> str:
    """The post, then the blocks a WordPress theme and its plug-ins add after it."""
    url = base + a.path
    byline = " et ".join(
        f'<span class="author vcard"><a class="url fn n" href="{base}/author/{slug}/">'
        f"{esc(name)}</a></span>"
        for slug, name, _ in extras.authors
    )
    tags = ", ".join(
        f'<a href="{base}/tag/{s}/" rel="tag">{esc(t)}</a>'
        for s, t in zip(tag_slugs, a.tags, strict=True)
    )
    return (
        f'<article id="post-{extras.post_id}" class="post-{extras.post_id} post type-post '
        f'status-publish format-standard hentry category-{a.section}">\n'
        f'<header class="entry-header"><span class="cat-links"><a href="{base}/category/'
        f'{a.section}/" rel="category tag">{CATEGORIES.get(a.section, a.section)}</a></span>'
        f'<h1 class="entry-title">{esc(a.title)}</h1>\n<div class="entry-meta">'
        f'<span class="posted-on">Publié le <a href="{url}" rel="bookmark">'
        f'<time class="entry-date published" datetime="{a.published}">'
        f'{french_date(a.published)}</time><time class="updated" datetime="{a.modified}">'
        f'{french_date(a.modified)}</time></a></span><span class="byline"> par {byline}</span>'
        f"</div></header>\n{_share_bar(url, a.title)}\n"
        f'<div class="entry-content">\n{paragraphs_html(a.paragraphs)}\n</div>\n'
        f'<footer class="entry-footer"><span class="tags-links">Mots-clés : {tags}</span>'
        f"</footer>\n</article>\n{_author_box(base, extras)}\n{_related(extras)}\n"
        f"{_newsletter(base)}\n{_post_navigation(extras)}\n{_comments(base, a, extras)}"
    )


def _share_bar(url: str, title: str) -> str:
    links = [
        ("facebook", SHARE_TEXT, f"https://www.facebook.com/sharer/sharer.php?u={url}"),
        ("twitter", "Partager sur Twitter", f"https://twitter.com/intent/tweet?url={url}"),
        (
            "linkedin",
            "Partager sur LinkedIn",
            f"https://www.linkedin.com/shareArticle?mini=true&url={url}",
        ),
    ]
    items = "".join(
        f'<li class="share-{k}"><a rel="nofollow noopener noreferrer" target="_blank" '
        f'href="{esc(h)}" title="{esc(title)}"><span>{esc(t)}</span></a></li>'
        for k, t, h in links
    )
    return (
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        f'sd-social"><h3 class="sd-title">Partager cet article :</h3><ul>{items}</ul></div></div>'
    )


def _author_box(base: str, extras: ArticleExtras) -> str:
    boxes = "".join(
        f'<div class="author-box"><h4 class="author-box-title">{AUTHOR_BOX_TITLE} : '
        f'{esc(name)}</h4><p class="author-description">{esc(bio)}</p>'
        f'<a class="author-link" href="{base}/author/{slug}/">Voir tous ses articles</a></div>'
        for slug, name, bio in extras.authors
    )
    return f'<div class="author-info">{boxes}</div>'


def _related(extras: ArticleExtras) -> str:
    posts = "".join(
        f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title">'
        f'<a href="{esc(u)}">{esc(t)}</a></h4><p class="jp-relatedposts-post-date">'
        f"{french_date(d)}</p></div>"
        for u, t, d in extras.related
    )
    return (
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
        f'<em>{RELATED_TITLE}</em></h3><div class="jp-relatedposts-items">{posts}</div></div>'
    )


def _newsletter(base: str) -> str:
    return (
        '<div class="newsletter-box widget_mc4wp_form_widget"><h3>Newsletter</h3>'
        f'<p>{esc(NEWSLETTER_TEXT)}</p><form method="post" action="{base}/newsletter/">'
        '<input type="email" name="EMAIL" placeholder="Votre adresse e-mail" required>'
        '<input type="submit" value="Je m’inscris"></form></div>'
    )


def _post_navigation(extras: ArticleExtras) -> str:
    links = "".join(
        f'<div class="nav-{rel}"><a href="{esc(u)}" rel="{rel}">{esc(t)}</a></div>'
        for rel, u, t in extras.prev_next
    )
    return f'<nav class="navigation post-navigation"><div class="nav-links">{links}</div></nav>'


def _comments(base: str, a: ArticleSpec, extras: ArticleExtras) -> str:
    items = "".join(
        f'<li id="comment-{extras.post_id * 10 + i}" class="comment even thread-even depth-1">'
        f'<article class="comment-body"><footer class="comment-meta"><div class="comment-author '
        f'vcard"><b class="fn">{esc(name)}</b> <span class="says">dit :</span></div>'
        f'<div class="comment-metadata"><time datetime="{a.modified}">{french_date(a.modified)}'
        f'</time></div></footer><div class="comment-content"><p>{esc(text)}</p></div>'
        "</article></li>"
        for i, (name, text) in enumerate(extras.comments)
    )
    return (
        f'<div id="comments" class="comments-area"><h2 class="comments-title">'
        f"{len(extras.comments)} réflexions sur « {esc(a.title)} »</h2>"
        f'<ol class="comment-list">{items}</ol><div id="respond" class="comment-respond">'
        '<h3 id="reply-title" class="comment-reply-title">Laisser un commentaire</h3>'
        f'<form action="{base}/wp-comments-post.php" method="post" id="commentform">'
        '<textarea id="comment" name="comment"></textarea><input name="submit" type="submit" '
        'value="Laisser un commentaire"></form></div></div>'
    )
