"""Scrapy settings for newscrawler.

Every NEWSCRAWLER_* setting can also be given as an environment variable of the same name
(read here, once, when Scrapy loads the settings module) or with ``-s NAME=value``.
"""

from __future__ import annotations

import os

from newscrawler import __version__

BOT_NAME = "newscrawler"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- newscrawler settings (INTERFACE.md) -------------------------------------------------
# Each one's only default; the CLI and the library read them through ``env_setting``.
defaults: dict[str, str] = {
    # SQLAlchemy URL of the archive; postgresql+psycopg://... for PostgreSQL.
    "NEWSCRAWLER_DB": "sqlite:///data/archive.sqlite3",
    # The sources file (schema in newscrawler/sources.py).
    "NEWSCRAWLER_SOURCES": "data/sources.toml",
    # Where raw captures (WARC, gzip per record) are written.
    "NEWSCRAWLER_WARC_DIR": "data/warc",
    # A WARC file is closed and a new one started past this size (bytes, or 1GB, 500MB, 2GiB).
    "NEWSCRAWLER_WARC_MAX_SIZE": "1GB",
    # Seconds a download may run before it is stopped and kept as truncated (WARC-Truncated:
    # time); below DOWNLOAD_TIMEOUT, which fails the request and keeps nothing. 0: off.
    "NEWSCRAWLER_DOWNLOAD_TIME_LIMIT": "25",
    # Set: the frontier and seen-set live in Redis (distributed mode). Unset: local frontier.
    "NEWSCRAWLER_REDIS_URL": "",
    # Hosts/IPs that may be fetched although loopback or private (comma separated).
    "NEWSCRAWLER_ALLOW_PRIVATE_HOSTS": "",
    # Contact URL in the User-Agent, so site owners can reach whoever runs the crawl.
    "NEWSCRAWLER_CONTACT_URL": "https://github.com/newscrawler/newscrawler",
    # Non-article pages followed for discovery per URL shape (/calendar/N/N/,
    # /category/x/page/N/), requests in flight included: endless calendars stay bounded.
    "NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE": "60",
    # Default link depth from the start pages (a source's depth_limit overrides it).
    "NEWSCRAWLER_DEPTH_LIMIT": "6",
    # Articles stored per transaction (one commit per batch).
    "NEWSCRAWLER_STORE_BATCH": "50",
    # Seconds a write or lookup retries after losing its database connection (a PostgreSQL
    # restart) before the crawl stops with one line.
    "NEWSCRAWLER_DB_RETRY_SECONDS": "60",
    # Extraction worker processes (0: extract inline on the reactor thread).
    "NEWSCRAWLER_EXTRACT_WORKERS": str(min(os.cpu_count() or 1, 4)),
}


def env_setting(name: str) -> str:
    """A NEWSCRAWLER_* setting from the environment, else its default."""
    return os.environ.get(name) or defaults[name]


def _number(name: str, kind: type[int] | type[float]) -> int | float | str:
    """A numeric setting; left as written when it is no number, so that ``scrapy crawl``
    names it in one error line instead of failing here, at import, with a traceback."""
    try:
        return kind(env_setting(name))
    except ValueError:
        return env_setting(name)


NEWSCRAWLER_DB = env_setting("NEWSCRAWLER_DB")
NEWSCRAWLER_SOURCES = env_setting("NEWSCRAWLER_SOURCES")
NEWSCRAWLER_WARC_DIR = env_setting("NEWSCRAWLER_WARC_DIR")
NEWSCRAWLER_WARC_MAX_SIZE = env_setting("NEWSCRAWLER_WARC_MAX_SIZE")
NEWSCRAWLER_DOWNLOAD_TIME_LIMIT = _number("NEWSCRAWLER_DOWNLOAD_TIME_LIMIT", float)
NEWSCRAWLER_REDIS_URL = env_setting("NEWSCRAWLER_REDIS_URL")
NEWSCRAWLER_ALLOW_PRIVATE_HOSTS = env_setting("NEWSCRAWLER_ALLOW_PRIVATE_HOSTS")
NEWSCRAWLER_CONTACT_URL = env_setting("NEWSCRAWLER_CONTACT_URL")
NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE = _number("NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE", int)
NEWSCRAWLER_DEPTH_LIMIT = _number("NEWSCRAWLER_DEPTH_LIMIT", int)
NEWSCRAWLER_STORE_BATCH = _number("NEWSCRAWLER_STORE_BATCH", int)
NEWSCRAWLER_DB_RETRY_SECONDS = _number("NEWSCRAWLER_DB_RETRY_SECONDS", float)
NEWSCRAWLER_EXTRACT_WORKERS = _number("NEWSCRAWLER_EXTRACT_WORKERS", int)

# --- politeness ---------------------------------------------------------------------------
USER_AGENT = f"newscrawler/{__version__} (+{NEWSCRAWLER_CONTACT_URL})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0
COOKIES_ENABLED = False
# Outputs of one callback handled at once. A page yields one item, a sitemap many requests
# that are only scheduled; Scrapy starts this many asyncio tasks for every response, so its
# default (100) costs more reactor time than the pages themselves.
CONCURRENT_ITEMS = 4

# --- safety -------------------------------------------------------------------------------
# Scrapy applies DOWNLOAD_MAXSIZE to the decompressed body too (decompression bombs).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 1
REDIRECT_MAX_TIMES = 5
URLLENGTH_LIMIT = 2048
METAREFRESH_IGNORE_TAGS = ["noscript"]
# Private addresses are refused when the connection is made, not only when a request is
# checked: a name that resolves differently in between (DNS rebinding) gets nowhere.
TWISTED_DNS_RESOLVER = "newscrawler.resolver.GuardedResolver"
# http and https only, down to the download handlers (SafeRequestMiddleware refuses the rest).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt (100), so refused hosts are never contacted, robots.txt included.
    "newscrawler.middlewares.SafeRequestMiddleware": 60,
    "newscrawler.middlewares.CrawlDelayMiddleware": 110,
    # Above RetryMiddleware (550): a connection the resolver refused is not retried.
    "newscrawler.middlewares.ConnectGuardMiddleware": 560,
    # Scrapy's own, minus decoding every page on the reactor thread to look for a refresh.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,  # COOKIES_ENABLED = False
    "newscrawler.middlewares.QuickMetaRefreshMiddleware": 580,
    # Scrapy's, in its places, with what they give up on said, counted and recorded:
    # robots.txt as RFC 9309 reads it (5xx and unreachable disallow all), decompression
    # bombs, redirect loops and chains past REDIRECT_MAX_TIMES.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawler.robotstxt.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawler.decompression.DecompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawler.redirects.RedirectMiddleware": 600,
    # Every fetch to WARC, raw: nearer the downloader than decompression (590), redirects
    # (600) and retries (550), so it sees final request headers and undecoded responses.
    "newscrawler.capture.middleware.CaptureMiddleware": 950,
    # Nearer still: a body cut at DOWNLOAD_MAXSIZE or the time limit arrives, marked, and is
    # captured as truncated instead of failing with nothing kept.
    "newscrawler.capture.truncation.TruncationMiddleware": 960,
}
# The spider awaits each page's analysis (newscrawler.analysis) and yields one item per
# fetch; the pipelines only give articles their identity URL and store everything.
ITEM_PIPELINES = {
    "pipelines.canonical.CanonicalPipeline": 300,
    "pipelines.store.StorePipeline": 500,
}

# --- engine -------------------------------------------------------------------------------
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("NEWSCRAWLER_LOG_LEVEL", "INFO")
TELNETCONSOLE_ENABLED = False
# Off, and not even imported: Scrapy imports a disabled component's module before it says
# NotConfigured, and these pull in aiohttp (remote control) and tldextract with requests
# (cookies): ~10 MiB of the crawl process for nothing.
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    # The archive's row for this run, and the crawl's exit status.
    "newscrawler.extensions.RunRecorder": 0,
}
# Breadth-first: listing pages near the start are crawled before deep trap pages.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
COMMANDS_MODULE = "newscrawler.commands"
LOG_FORMATTER = "newscrawler.logformatter.NewsLogFormatter"
