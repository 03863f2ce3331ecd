"""The bundled offline news sites and their HTTP server, for ``make demo`` and the tests.

``demo_site()`` is the friendly bilingual site ``make demo`` crawls; ``trap_site()`` is a
WordPress-like French site full of crawler traps for the end-to-end tests. Either is served
with ``SiteServer(site)`` on 127.0.0.1 (port 0 by default), as a context manager.
"""

from newscrawler.demo.friendly import demo_site
from newscrawler.demo.server import SiteServer
from newscrawler.demo.site import ArticleSpec, Response, Site
from newscrawler.demo.trapsite import trap_site

__all__ = ["ArticleSpec", "Response", "Site", "SiteServer", "demo_site", "trap_site"]
