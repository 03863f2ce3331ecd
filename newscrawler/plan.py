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

from newscrawler.netguard import host_allowed, parse_allowlist
from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy
from newscrawler.urls import is_http_url

MODES = ("source", "url", "feed", "sitemap", "urls_file")
# Every -a name the spider knows: anything else is a typo that would silently do nothing.
ARGUMENTS = (*MODES, "recheck", "depth_limit", "run", "worker")
RECHECK = ("due", "all", "none")
MAX_DEPTH = 50  # link hops: beyond it a depth is a typo (the default is 6)
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


def _url_problem(url: str, allowlist: frozenset[str]) -> str | None:
    """Why ``url`` cannot start a crawl: not http(s), or a private address (literal or
    ``localhost``) that is not allowlisted. Names are not resolved here: the guard resolves
    them before the fetch and again when connecting."""
    if not is_http_url(url):
        return f"not an http(s) URL: {url!r}"
    ok, reason = host_allowed(urlsplit(url).hostname or "", allowlist, resolve=False)
    return None if ok else f"{url}: {reason} (allow it with NEWSCRAWLER_ALLOW_PRIVATE_HOSTS)"


def _split_urls(value: str, arg: str, allowlist: frozenset[str]) -> list[str]:
    urls = [u.strip() for u in value.split(",") if u.strip()]
    if not urls:
        raise PlanError(f"-a {arg}= is empty: give at least one http(s) URL")
    for u in urls:
        problem = _url_problem(u, allowlist)
        if problem:
            raise PlanError(f"-a {arg}: {problem}")
    return urls


def _hosts(urls: list[str]) -> list[str]:
    hosts = []
    for u in urls:
        host = (urlsplit(u).hostname or "").lower()
        host = host.removeprefix("www.")
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def read_urls_file(path: str, allowlist: frozenset[str] = frozenset()) -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise PlanError(f"-a urls_file: no such file: {path}")
    try:
        text = p.read_text("utf-8", errors="replace")
    except OSError as exc:
        raise PlanError(f"-a urls_file: cannot read {path}: {exc.strerror or exc}") from None
    urls = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        problem = _url_problem(line, allowlist)
        if problem:
            raise PlanError(f"{path}:{n}: {problem}")
        urls.append(line)
    if not urls:
        raise PlanError(f"{path}: no URLs in the file (one http(s) URL a line)")
    return urls


def make_plan(args: dict[str, str], sources_file: str, default_depth: int,
              allow_private: str | list[str] | None = None) -> CrawlPlan:
    """Resolve ``scrapy crawl news -a ...`` arguments into a plan, or raise PlanError.

    ``allow_private``: the crawl's ``NEWSCRAWLER_ALLOW_PRIVATE_HOSTS``, which alone lets a
    URL given here or in the sources file name a private address.
    """
    unknown = [name for name in args if name not in ARGUMENTS]
    if unknown:
        raise PlanError(f"-a {unknown[0]}: unknown argument (known: {', '.join(ARGUMENTS)})")
    given = [m for m in MODES if m in args]
    empty = [m for m in given if not str(args[m]).strip()]
    if empty:
        raise PlanError(f"-a {empty[0]}= is empty: give a "
                        + ("source name (newscrawler sources list)" if empty[0] == "source"
                           else "path" if empty[0] == "urls_file" else "http(s) URL"))
    if len(given) != 1:
        raise PlanError(
            "give exactly one of -a source=NAME, -a url=URL, -a feed=URL, -a sitemap=URL, "
            f"-a urls_file=PATH (got {', '.join(given) or 'none'})"
        )
    recheck = args.get("recheck") or "due"
    if recheck not in RECHECK:
        raise PlanError(f"-a recheck={recheck!r}: use one of due, all, none")
    mode = given[0]
    plan = _plan_for_mode(mode, args[mode], sources_file, default_depth, allow_private)
    plan.recheck = recheck
    if "depth_limit" in args:
        plan.depth_limit = _depth_limit(args["depth_limit"], mode)
    plan.run, plan.worker = _run_and_worker(args)
    return plan


def _depth_limit(value: str, mode: str) -> int:
    """``-a depth_limit=N``: link hops from the start pages, for this run only."""
    if mode not in ("source", "url"):
        raise PlanError(f"-a depth_limit: only with -a source or -a url (a {mode} crawl "
                        "follows no links)")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_DEPTH:
        raise PlanError(f"-a depth_limit={value!r}: give a whole number from 0 to {MAX_DEPTH}")
    return int(text)


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


def _plan_for_mode(mode: str, value: str, sources_file: str, depth: int,
                   allow_private: str | list[str] | None) -> CrawlPlan:
    if mode == "source":
        return _plan_for_source(value, sources_file, allow_private)
    allowlist = parse_allowlist(allow_private)
    if mode == "urls_file":
        pages = read_urls_file(value, allowlist)
        return CrawlPlan(mode, source="", pages=pages, domains=_hosts(pages), depth_limit=0)
    urls = _split_urls(value, mode, allowlist)
    source = _hosts(urls)[0]
    if mode == "url":
        return CrawlPlan(mode, source, start_urls=urls, domains=_hosts(urls), depth_limit=depth)
    if mode == "feed":
        return CrawlPlan(mode, source, feeds=urls, domains=_hosts(urls), depth_limit=0)
    return CrawlPlan(mode, source, sitemaps=urls, domains=_hosts(urls), depth_limit=0)


def _plan_for_source(name: str, sources_file: str,
                     allow_private: str | list[str] | None) -> CrawlPlan:
    from newscrawler.sources import SourcesError, load_sources

    try:
        sources = load_sources(sources_file, allow_private)
    except SourcesError as exc:
        more = len(exc.problems) - 1
        hint = (f" (and {more} more: newscrawler sources check --file {sources_file})"
                if more else "")
        raise PlanError(exc.problems[0] + hint) from exc
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
