"""HTML of the trap site, shaped like a real WordPress news theme (Yoast, Jetpack, cookies).

Everything around the article body is the boilerplate extraction must leave out:
the cookie banner, share bar, author box, related posts, comments, newsletter box,
sidebar widgets and footer. Their texts are constants so tests can look for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newscrawler.demo.french import MONTHS
from newscrawler.demo.markup import esc, json_ld, paragraphs_html, person
from newscrawler.demo.site import ArticleSpec

SITE_NAME = "Ciel & Défense"
TAGLINE = "L’actualité de l’aéronautique et de la défense"
COOKIE_TEXT = (
    "Nous utilisons des cookies pour vous garantir la meilleure expérience sur notre site."
)
SHARE_TEXT = "Partager sur Facebook"
AUTHOR_BOX_TITLE = "À propos de l’auteur"
RELATED_TITLE = "Articles similaires"
NEWSLETTER_TEXT = "Inscrivez-vous à notre lettre d’information pour recevoir nos articles."
DEFAULT_SIDEBAR = "Édition spéciale : suivez le salon du Bourget en direct avec notre rédaction."
CATEGORIES = {"defense": "Défense", "aviation": "Aviation"}


@dataclass
class Chrome:
    """What every page's header, sidebar and footer show."""

    base: str
    sidebar: str
    recent: list[tuple[str, str]]  # (url, title)
    tags: list[tuple[str, str]]  # (slug, name)
    calendar: str  # path of the calendar month linked from the sidebar


@dataclass
class ArticleExtras:
    """The blocks around one article: authors (slug, name, bio), related, comments."""

    authors: list[tuple[str, str, str]]
    related: list[tuple[str, str, str]]  # (url, title, published iso)
    comments: list[tuple[str, str]]  # (name, text)
    post_id: int
    amp_url: str = ""
    prev_next: list[tuple[str, str, str]] = field(default_factory=list)  # (rel, url, title)


def french_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def shell(
    chrome: Chrome,
    *,
    title: str,
    body_class: str,
    main: str,
    head: str = "",
    charset_meta: str = '<meta charset="UTF-8">',
) -> str:
    """A complete page: head, masthead, menu, content, sidebar, footer, cookie banner."""
    b = chrome.base
    menu = "".join(
        f'<li class="menu-item"><a href="{b}{path}">{esc(label)}</a></li>'
        for path, label in [
            ("/", "Accueil"),
            ("/category/defense/", "Défense"),
            ("/category/aviation/", "Aviation"),
            ("/a-propos/", "À propos"),
            ("/contact/", "Contact"),
        ]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="fr-FR">\n<head>\n{charset_meta}\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} – {esc(SITE_NAME)}</title>\n"
        f'<link rel="alternate" type="application/rss+xml" title="{esc(SITE_NAME)} » Flux" '
        f'href="{b}/feed/">\n{head}\n<style>.screen-reader-text{{display:none}}</style>\n'
        f'</head>\n<body class="{body_class}">\n<div id="page" class="site">\n'
        '<a class="skip-link screen-reader-text" href="#content">Aller au contenu</a>\n'
        f'<header id="masthead" class="site-header"><div class="site-branding">'
        f'<p class="site-title"><a href="{b}/" rel="home">{esc(SITE_NAME)}</a></p>'
        f'<p class="site-description">{esc(TAGLINE)}</p></div>\n'
        f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
        f"{menu}</ul></nav>\n"
        f'<form role="search" method="get" class="search-form" action="{b}/">'
        '<input type="search" class="search-field" name="s" placeholder="Rechercher…">'
        "</form></header>\n"
        f'<div id="content" class="site-content"><div id="primary" class="content-area">'
        f'<main id="main" class="site-main">\n{main}\n</main></div>\n'
        f"{_sidebar(chrome)}</div>\n{_footer(b)}</div>\n{_cookie_banner(b)}\n</body>\n</html>\n"
    )


def _sidebar(chrome: Chrome) -> str:
    b = chrome.base
    recent = "".join(f'<li><a href="{u}">{esc(t)}</a></li>' for u, t in chrome.recent)
    cloud = " ".join(
        f'<a href="{b}/tag/{s}/" class="tag-cloud-link">{esc(n)}</a>' for s, n in chrome.tags
    )
    return (
        '<aside id="secondary" class="widget-area">'
        f'<section class="widget widget_text"><div class="textwidget"><p>{esc(chrome.sidebar)}'
        "</p></div></section>"
        '<section class="widget widget_recent_entries"><h2 class="widget-title">Articles récents'
        f"</h2><ul>{recent}</ul></section>"
        '<section class="widget widget_tag_cloud"><h2 class="widget-title">Étiquettes</h2>'
        f'<div class="tagcloud">{cloud}</div></section>'
        '<section class="widget widget_calendar"><h2 class="widget-title">Calendrier</h2>'
        f'<a href="{b}{chrome.calendar}">Les articles du mois</a></section></aside>\n'
    )


def _footer(b: str) -> str:
    return (
        '<footer id="colophon" class="site-footer"><div class="site-info">'
        f'<a href="{b}/a-propos/">À propos</a> | <a href="{b}/contact/">Contact</a> | '
        f'<a href="{b}/politique-de-confidentialite/">Politique de confidentialité</a> | '
        f"© 2025 {esc(SITE_NAME)} – Tous droits réservés. Fièrement propulsé par WordPress."
        "</div></footer>\n"
    )


def _cookie_banner(b: str) -> str:
    return (
        '<div id="cookie-notice" role="dialog" class="cookie-notice-hidden" '
        f'aria-label="Cookies"><div class="cookie-notice-container"><span id="cn-notice-text">'
        f"{esc(COOKIE_TEXT)}</span>"
        '<a href="#" id="cn-accept-cookie" class="cn-set-cookie button">J’accepte</a>'
        f'<a href="{b}/politique-de-confidentialite/" class="cn-more-info">En savoir plus</a>'
        "</div></div>"
    )


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


def listing_main(
    heading: str, teasers: list[tuple[str, str, str, str, str]], pages: list[tuple[str, str]]
) -> str:
    """Teasers ``(url, title, excerpt, published, read_more_url)`` and pagination links."""
    posts = (
        "\n".join(
            '<article class="post type-post status-publish hentry"><header class="entry-header">'
            f'<h2 class="entry-title"><a href="{esc(u)}" rel="bookmark">{esc(t)}</a></h2>'
            f'<time class="entry-date published" datetime="{d}">{french_date(d)}</time></header>'
            f'<div class="entry-summary"><p>{esc(x)} […]</p><a class="more-link" href="{esc(m)}">'
            "Lire la suite</a></div></article>"
            for u, t, x, d, m in teasers
        )
        or '<p class="no-results">Aucun article ne correspond à votre recherche.</p>'
    )
    nav = "".join(f'<a class="page-numbers" href="{esc(u)}">{esc(label)}</a>' for u, label in pages)
    return (
        f'<header class="page-header"><h1 class="page-title">{esc(heading)}</h1></header>\n'
        f'{posts}\n<nav class="navigation pagination"><div class="nav-links">{nav}</div></nav>'
    )


def page_main(title: str, html: str) -> str:
    """A WordPress *page* (not a post): no dates, no author, no og:type article."""
    return (
        '<article class="page type-page status-publish hentry"><header class="entry-header">'
        f'<h1 class="entry-title">{esc(title)}</h1></header>'
        f'<div class="entry-content">{html}</div></article>'
    )
