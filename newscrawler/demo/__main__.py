"""``make demo``: serve the bundled offline news site, crawl it, summarise the archive.

Runs the real command a user would run (``scrapy crawl news -a url=...``) in a subprocess
against the demo site on 127.0.0.1, then prints what the archive holds and a sample search.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newscrawler.api import Archive
from newscrawler.demo import SiteServer, demo_site
from newscrawler.settings import env_setting

ROOT = Path(__file__).resolve().parents[2]
PREFERRED_PORT = 8642
SAMPLE_QUERY = "climat"


def _server() -> SiteServer:
    try:
        return SiteServer(demo_site(), port=PREFERRED_PORT).start()
    except OSError:
        return SiteServer(demo_site(), port=0).start()


def main() -> int:
    db = env_setting("NEWSCRAWLER_DB")
    server = _server()
    try:
        print(f"Demo news site: {server.base_url}/")
        env = {**os.environ, "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
               "NEWSCRAWLER_DB": db}
        cmd = [str(Path(sys.executable).with_name("scrapy")), "crawl", "news",
               "-a", f"url={server.base_url}/", "-s", "LOG_LEVEL=WARNING"]
        print("$", " ".join(cmd[1:]))
        code = subprocess.call(cmd, cwd=ROOT, env=env)
    finally:
        server.stop()
    if code != 0:
        print(f"The crawl failed (exit status {code}).", file=sys.stderr)
        return code
    _summarise(Archive(db))
    return 0


def _summarise(archive: Archive) -> None:
    summary = archive.summary()
    print(f"\nArchive {archive.url}: {summary['articles']} articles")
    for key, value in summary.items():
        if key != "articles":
            print(f"  {key}: {value}")
    print(f'\nSample search: newscrawler search "{SAMPLE_QUERY}"')
    for row in archive.search(SAMPLE_QUERY, limit=5):
        date = (row.get("published_at") or "")[:16]
        print(f"  {date}  [{row.get('language')}]  {row['title']}  <{row['url']}>")
    print("\nNext: newscrawler export --format jsonl | head -c 600")


if __name__ == "__main__":
    sys.exit(main())
