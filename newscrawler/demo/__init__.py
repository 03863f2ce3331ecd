"""The bundled offline demo news site and the HTTP server that serves it, for ``make demo``.

``demo_site()`` is a small bilingual news site (home, sections, feed, sitemaps, twelve
articles); ``SiteServer(site)`` serves any ``Site`` on 127.0.0.1 (port 0 by default), as a
context manager. The tests serve it too, beside their own trap and fault sites
(``tests/sites``).
"""

from newscrawler.demo.friendly import demo_site
from newscrawler.demo.server import SiteServer
from newscrawler.demo.site import ArticleSpec, Response, Site

__all__ = ["ArticleSpec", "Response", "Site", "SiteServer", "demo_site"]
