"""``newscrawler serve``: the archive in a web browser, read-only."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default answers this machine only; 0.0.0.0 "
                   "makes the archive visible on the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Browse the archive in a web browser: search with filters and snippets, articles
    with their versions and diffs, counts over time as a chart, JSON and CSV downloads.

    Read-only: nothing in the archive can be changed from the browser.

    \b
    Examples:
      newscrawler serve                      # then open http://127.0.0.1:8000/
      newscrawler serve --port 8080
      newscrawler --db postgresql+psycopg://news@db/news serve
      newscrawler serve --host 0.0.0.0       # visible on the network: think twice
    """
    from newscrawler.web.server import serve_archive

    serve_archive(ctx.obj["db"], host, port, lambda line: click.echo(line, err=True))
