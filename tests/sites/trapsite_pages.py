"""The trap site's non-article pages: home, archives, search, calendar, WordPress pages, 404s.

None of these is an article, though all of them link to articles; the home page also links
to every trap, so a crawler that follows in-site links meets them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newscrawler.demo.markup import esc, slugify
from newscrawler.demo.site import ArticleSpec, Response, html_response
from tests.sites import traps
from tests.sites import wordpress as wp
from tests.sites.french import AUTHORS, MONTHS

if TYPE_CHECKING:
    from tests.sites.trapsite import TrapSite

HOME_SIZE = 10
ARCHIVE_SIZE = 5
TRACKING = "?utm_source=twitter&utm_medium=social"
PAGES = {
    "/a-propos/": (
        "À propos",
        "<p>Ciel &amp; Défense est un blog indépendant consacré à "
        "l’aéronautique militaire et civile, fondé en 2009 par des passionnés.</p>",
    ),
    "/contact/": (
        "Contact",
        "<p>Pour nous écrire : redaction@ciel-defense.invalid. Nous "
        "répondons à tous les messages, même si cela prend parfois un peu de temps.</p>",
    ),
    "/politique-de-confidentialite/": (
        "Politique de confidentialité",
        "<p>Ce site enregistre les cookies strictement nécessaires à son fonctionnement.</p>",
    ),
    # A soft 404: status 200, but the page says it is gone.
    "/ancien-article/": (
        "Page introuvable",
        "<p>Désolé, cet article n’existe plus ou a été "
        "déplacé. Essayez une recherche ou revenez à l’accueil.</p>",
    ),
}


class Listing:
    """Archive-type pages of ``site`` as seen from ``base``."""

    def __init__(self, site: TrapSite, base: str) -> None:
        self.site = site
        self.base = base

    def route(self, path: str) -> Response | None:
        parts = path.strip("/").split("/") if path != "/" else []
        page = 1
        if len(parts) >= 2 and parts[-2] == "page" and parts[-1].isdigit():
            page, parts = int(parts[-1]), parts[:-2]
        if not parts:
            return self.home(page)
        if len(parts) != 2:
            return None
        kind, slug = parts
        chosen = self._select(kind, slug)
        if not chosen:
            return None
        names = {"category": "Catégorie", "tag": "Étiquette", "author": "Auteur"}
        body_class = f"archive {kind} {kind}-{slug}"
        return self._page(
            f"{names[kind]} : {slug}", body_class, chosen, f"/{kind}/{slug}/", page, ARCHIVE_SIZE
        )

    def _select(self, kind: str, slug: str) -> list[ArticleSpec]:
        articles = self.site.articles
        if kind == "category":
            return [a for a in articles if a.section == slug]
        if kind == "tag":
            return [a for a in articles if slug in {slugify(t) for t in a.tags}]
        if kind == "author" and slug in AUTHORS:
            return [a for a in articles if AUTHORS[slug][0] in a.authors]
        return []

    def home(self, page: int) -> Response | None:
        extra = self._must_read() if page == 1 else ""
        return self._page("À la une", "home blog", self.site.articles, "/", page, HOME_SIZE, extra)

    def search(self, term: str) -> Response:
        folded = term.casefold()
        found = [a for a in self.site.articles if folded in (a.title + a.text).casefold()]
        html = self._html(
            f"Résultats de recherche pour « {term} »",
            "search search-results",
            found[:HOME_SIZE],
            [],
        )
        return html_response(html)

    def calendar(self, year: int, month: int, session: str) -> Response:
        """An endless month archive: previous and next months, query permutations, sessions."""
        prefix = f"{year:04d}-{month:02d}"
        found = [a for a in self.site.articles if a.published.startswith(prefix)]
        previous, following = traps.neighbour_months(year, month)
        here = f"/calendrier/{year:04d}/{month:02d}/"
        links = [
            (previous, "« Mois précédent"),
            (following, "Mois suivant »"),
            (here + "?vue=liste&tri=date", "Vue liste"),
            (here + "?tri=date&vue=liste", "Trier par date"),
            (here + f"?sessionid={session}", "Actualiser"),
        ]
        heading = f"Archives : {MONTHS[month - 1]} {year}"
        html = self._html(heading, "archive date", found, [(self.base + p, t) for p, t in links])
        response = html_response(html)
        response.cacheable = False  # the session link changes on every request
        return response

    def _page(
        self,
        heading: str,
        body_class: str,
        articles: list[ArticleSpec],
        root: str,
        page: int,
        size: int,
        extra: str = "",
    ) -> Response | None:
        shown = articles[(page - 1) * size : page * size]
        if page < 1 or (not shown and page > 1):
            return None
        pages = [
            (f"{self.base}{root}page/{n}/" if n > 1 else self.base + root, str(n))
            for n in range(1, (len(articles) - 1) // size + 2)
            if n != page
        ]
        html = self._html(
            heading,
            body_class + (f" paged paged-{page}" if page > 1 else ""),
            shown,
            pages,
            extra,
            tracked=2 if root == "/" else 0,
        )
        return html_response(html, modified=max(a.modified_at for a in articles))

    def _html(
        self,
        heading: str,
        body_class: str,
        articles: list[ArticleSpec],
        pages: list[tuple[str, str]],
        extra: str = "",
        tracked: int = 0,
    ) -> str:
        teasers = [
            (
                self.base + a.path,
                a.title,
                a.description,
                a.published,
                self.base + a.path + (TRACKING if i < tracked else ""),
            )
            for i, a in enumerate(articles)
        ]
        main = wp.listing_main(heading, teasers, pages) + extra
        return wp.shell(
            self.site.chrome(self.base), title=heading, body_class=body_class, main=main
        )

    def _must_read(self) -> str:
        """The home page's link block: the forbidden article, the AMP copy, every trap."""
        site, b = self.site, self.base
        links = [(site.private_article.path, site.private_article.title)]
        if "amp" in site.special_paths:
            links.append((site.special_paths["amp"], "Version mobile (AMP)"))
        links += traps.TRAP_LINKS
        items = "".join(f'<li><a href="{b}{p}">{esc(t)}</a></li>' for p, t in links)
        return (
            f'<section class="a-ne-pas-manquer"><h2>À ne pas manquer</h2><ul>{items}</ul></section>'
        )


def page_response(site: TrapSite, base: str, path: str) -> Response:
    """A WordPress page, the soft 404, or a real 404 (body class ``error404``)."""
    chrome = site.chrome(base)
    if path in PAGES:
        title, html = PAGES[path]
        slug = path.strip("/")
        page = wp.shell(
            chrome,
            title=title,
            body_class=f"page-template-default page page-{slug}",
            main=wp.page_main(title, html),
        )
        return html_response(page)
    main = wp.page_main(
        "Oups ! Cette page est introuvable.",
        "<p>Il semble que rien ne soit trouvé à cet emplacement.</p>",
    )
    page = wp.shell(chrome, title="Page non trouvée", body_class="error404", main=main)
    response = html_response(page, status=404)
    response.cacheable = False
    return response
