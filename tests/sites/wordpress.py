"""Page layout of the trap site, shaped like a real WordPress news theme.

Masthead, menu, sidebar widgets, footer and cookie banner around every page, plus archive
listings and WordPress pages. The boilerplate texts are constants so tests can look for them
(``wordpress_post`` renders the article page itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newscrawler.demo.markup import esc
from tests.sites.french import MONTHS

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
