"""What one crawl is asked to do: the spider arguments resolved into a CrawlPlan.

Kept apart from the spider so that the ``crawl`` command can validate the arguments and
print one clear error line before Scrapy starts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy
from newscrawler.urls import is_http_url

MODES = ("source", "url", "feed", "sitemap", "urls_file")
RECHECK = ("due", "all", "none")
# Run ids and worker names: what fits in a Redis key and a crontab line without quoting.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class PlanError(ValueError):
    """An invalid crawl configuration; the message is one line that says how to fix it."""


@dataclass
class CrawlPlan:
    mode: str
    source: str
    start_urls: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    allow: list[re.Pattern[str]] = field(default_factory=list)
    deny: list[re.Pattern[str]] = field(default_factory=list)
    depth_limit: int = 6
    language: str | None = None
    recheck: str = "due"
    run: str | None = None
    worker: str = "1"
    download_delay: float | None = None
    concurrency: int | None = None
    autothrottle_target: float | None = None
    policy: RevisitPolicy = DEFAULT_POLICY

    @property
    def follows_links(self) -> bool:
        return self.mode in ("source", "url")

    @property
    def lock_key(self) -> str:
        """What one run locks: its source, or the ad-hoc targets it was given."""
        if self.mode == "source":
            return self.source
        targets = self.pages if self.mode == "urls_file" else (
            self.start_urls + self.feeds + self.sitemaps)
        digest = hashlib.sha1("\n".join(sorted(targets)).encode()).hexdigest()[:16]
        return f"{self.mode}:{self.source}:{digest}"

    def url_allowed(self, url: str) -> bool:
        """The source's allow/deny patterns (deny wins; no allow list allows all)."""
        if any(p.search(url) for p in self.deny):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)


def _split_urls(value: str, arg: str) -> list[str]:
    urls = [u.strip() for u in value.split(",") if u.strip()]
    if not urls:
        raise PlanError(f"-a {arg}= is empty: give at least one http(s) URL")
    for u in urls:
        if not is_http_url(u):
            raise PlanError(f"-a {arg}: not an http(s) URL: {u!r}")
    return urls


def _hosts(urls: list[str]) -> list[str]:
    hosts = []
    for u in urls:
        host = (urlsplit(u).hostname or "").lower()
        host = host.removeprefix("www.")
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def read_urls_file(path: str) -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise PlanError(f"-a urls_file: no such file: {path}")
    urls = []
    for n, line in enumerate(p.read_text("utf-8", errors="replace").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_http_url(line):
            raise PlanError(f"{path}:{n}: not an http(s) URL: {line!r}")
        urls.append(line)
    if not urls:
        raise PlanError(f"{path}: no URLs in the file (one http(s) URL a line)")
    return urls


def make_plan(args: dict[str, str], sources_file: str, default_depth: int) -> CrawlPlan:
    """Resolve ``scrapy crawl news -a ...`` arguments into a plan, or raise PlanError."""
    given = [m for m in MODES if args.get(m)]
    if len(given) != 1:
        raise PlanError(
            "give exactly one of -a source=NAME, -a url=URL, -a feed=URL, -a sitemap=URL, "
            f"-a urls_file=PATH (got {', '.join(given) or 'none'})"
        )
    recheck = args.get("recheck") or "due"
    if recheck not in RECHECK:
        raise PlanError(f"-a recheck={recheck!r}: use one of due, all, none")
    mode = given[0]
    plan = _plan_for_mode(mode, args[mode], sources_file, default_depth)
    plan.recheck = recheck
    plan.run, plan.worker = _run_and_worker(args)
    return plan


def _run_and_worker(args: dict[str, str]) -> tuple[str | None, str]:
    """``-a run=ID`` (a distributed run) and ``-a worker=N`` (this worker's name in it)."""
    run, worker = args.get("run"), args.get("worker")
    for name, value in (("run", run), ("worker", worker)):
        if value is not None and not NAME.fullmatch(value):
            raise PlanError(f"-a {name}={value!r}: use 1 to 64 letters, digits, '.', '_' or "
                            "'-', starting with a letter or digit")
    if worker is not None and run is None:
        raise PlanError("-a worker= names a worker of a distributed run: give -a run=ID too")
    return run, worker or "1"


def _plan_for_mode(mode: str, value: str, sources_file: str, depth: int) -> CrawlPlan:
    if mode == "source":
        return _plan_for_source(value, sources_file)
    if mode == "urls_file":
        pages = read_urls_file(value)
        return CrawlPlan(mode, source="", pages=pages, domains=_hosts(pages), depth_limit=0)
    urls = _split_urls(value, mode)
    source = _hosts(urls)[0]
    if mode == "url":
        return CrawlPlan(mode, source, start_urls=urls, domains=_hosts(urls), depth_limit=depth)
    if mode == "feed":
        return CrawlPlan(mode, source, feeds=urls, domains=_hosts(urls), depth_limit=0)
    return CrawlPlan(mode, source, sitemaps=urls, domains=_hosts(urls), depth_limit=0)


def _plan_for_source(name: str, sources_file: str) -> CrawlPlan:
    from newscrawler.sources import SourcesError, load_sources

    try:
        sources = load_sources(sources_file)
    except SourcesError as exc:
        raise PlanError(str(exc).splitlines()[0]) from exc
    if name not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise PlanError(f"-a source={name}: no such source in {sources_file} (known: {known})")
    src = sources[name]
    urls = list(src.start_urls) + list(src.feeds) + list(src.sitemaps)
    politeness = src.politeness
    return CrawlPlan(
        "source",
        source=name,
        start_urls=list(src.start_urls),
        feeds=list(src.feeds),
        sitemaps=list(src.sitemaps),
        domains=list(src.allowed_domains) or _hosts(urls),
        allow=[re.compile(p) for p in src.allow],
        deny=[re.compile(p) for p in src.deny],
        depth_limit=src.depth_limit,
        language=src.language,
        download_delay=politeness.download_delay,
        concurrency=politeness.concurrency,
        autothrottle_target=politeness.autothrottle_target,
        policy=src.revisit_policy(),
    )
