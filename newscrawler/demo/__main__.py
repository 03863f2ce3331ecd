"""``make demo``: serve the bundled offline news site, crawl it, edit it, crawl it again.

Runs the real command a user would run (``scrapy crawl news -a url=...``) in a subprocess
against the demo site on 127.0.0.1 and prints what the archive holds and a sample search.
Then the site changes as news sites do (an article corrected, a new one published, the
sidebar replaced on every page) and a second crawl re-checks every article: the archive
gains one article and one version, no more, and the correction shows as a diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newscrawler.api import Archive, render
from newscrawler.demo import SiteServer, demo_site
from newscrawler.demo.friendly import DemoSite
from newscrawler.settings import env_setting

ROOT = Path(__file__).resolve().parents[2]
PREFERRED_PORT = 8642
SAMPLE_QUERY = "climat"
CORRECTIONS = {
    "fr": "Correction : une version précédente de cet article donnait un chiffre erroné.",
    "en": "Correction: an earlier version of this article gave a wrong figure.",
}


def _server(site: DemoSite) -> SiteServer:
    try:
        return SiteServer(site, port=PREFERRED_PORT).start()
    except OSError:
        return SiteServer(site, port=0).start()


def _crawl(server: SiteServer, db: str, *args: str) -> int:
    env = {**os.environ, "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "NEWSCRAWLER_DB": db}
    cmd = [str(Path(sys.executable).with_name("scrapy")), "crawl", "news",
           "-a", f"url={server.base_url}/", *args, "-s", "LOG_LEVEL=WARNING"]
    print("\n$", " ".join(cmd[1:]))
    return subprocess.call(cmd, cwd=ROOT, env=env)


def main() -> int:
    db = env_setting("NEWSCRAWLER_DB")
    site = demo_site()
    server = _server(site)
    try:
        print(f"Demo news site: {server.base_url}/")
        code = _crawl(server, db)
        if code == 0:
            with Archive(db) as archive:
                _summarise(archive, site.article_urls(server.base_url))
            edited = site.edit_article(0, CORRECTIONS[site.articles[0].lang])
            site.add_article()
            site.set_sidebar("Nouveau : le supplément du week-end est en kiosque.")
            print("\nThe site changes: one article corrected, one published, a new sidebar "
                  "on every page. A second crawl re-checks every archived article:")
            code = _crawl(server, db, "-a", "recheck=all")
    finally:
        server.stop()
    if code != 0:
        print(f"The crawl failed (exit status {code}).", file=sys.stderr)
        return code
    with Archive(db) as archive:
        _changes(archive, server.base_url + edited.path)
    return 0


def _summarise(archive: Archive, expected: set[str]) -> None:
    summary = archive.summary()
    found = expected & {record["canonical_url"] for record in archive.records()}
    print(f"\nArchive {archive.url}: {summary['articles']} articles "
          f"({len(found)} of the site's {len(expected)})")
    for key, value in summary.items():
        if key != "articles":
            print(f"  {key}: {value}")
    print(f'\nSample search: newscrawler search "{SAMPLE_QUERY}"')
    for hit in archive.search(SAMPLE_QUERY, limit=5):
        date = (hit.published_at or "")[:16]
        print(f"  {date}  [{hit.language}]  {hit.title}")
        print(f"      {render(hit.snippet)}")


def _changes(archive: Archive, edited_url: str) -> None:
    run = archive.runs(limit=1)[0]
    print(f"\nSecond crawl: {_count(run['articles_new'], 'new article')}, "
          f"{_count(run['versions_new'], 'new version')} (the new sidebar alone is not a "
          "change).")
    print(f"\n$ newscrawler show {edited_url} --diff")
    print(archive.diff(edited_url))
    print("\nNext: newscrawler serve   (then open http://127.0.0.1:8000/)")
    print("      newscrawler export --format jsonl | head -c 600")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())
