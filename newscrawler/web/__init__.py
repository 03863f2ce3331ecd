"""``newscrawler serve``: the archive in a web browser, read-only.

- ``app``: the Starlette application (``create_app``), its routes and middleware;
- ``pages``: the search, article, diff and counts-over-time pages, and the downloads;
- ``params``: the query string, read and bounded; ``downloads``: JSON and CSV;
- ``chart``: counts over time as an SVG line chart; ``diffview``: readable diffs;
- ``templates`` (with ``templates/`` and ``static/``): Jinja2, autoescaped;
- ``security``: headers and allowed hosts; ``errors``: error pages; ``server``: uvicorn.

The pages read the archive only through ``newscrawler.api.Archive``.
"""

from newscrawler.web.app import create_app

__all__ = ["create_app"]
