"""``scrapy crawl news``: Scrapy's crawl command, with a checked configuration and exit codes.

Exit status (INTERFACE.md): 0 when the crawl ran; 2 for an invalid configuration (one
error line, no traceback); 1 when the archive cannot be written or when the crawl stored
nothing because every fetch failed.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from newscrawler.plan import PlanError, make_plan

EXIT_CONFIG = 2
EXIT_FAILED = 1


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "news" and not self._config_ok(opts.spargs):
            self.exitcode = EXIT_CONFIG
            return
        if len(args) != 1:
            super().run(args, opts)
            return
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
        else:
            self.exitcode = getattr(crawler, "newscrawler_exitcode", 0)

    def _config_ok(self, spargs: dict[str, str]) -> bool:
        assert self.settings is not None
        try:
            make_plan(spargs, self.settings.get("NEWSCRAWLER_SOURCES"),
                      self.settings.getint("NEWSCRAWLER_DEPTH_LIMIT"))
        except PlanError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return False
        return _archive_ok(self.settings.get("NEWSCRAWLER_DB"))


def _archive_ok(db_url: str) -> bool:
    from newscrawler.archive.engine import open_archive

    try:
        open_archive(db_url).dispose()
    except Exception as exc:  # any driver error means the same thing to the user
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"Error: cannot open the archive {db_url}: {reason} "
              "(check NEWSCRAWLER_DB and that its directory is writable)", file=sys.stderr)
        return False
    return True
