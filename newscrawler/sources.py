"""The sources file (``data/sources.toml``): one ``[sources.NAME]`` table per site.

``load_sources`` validates the whole file and reports every problem at once, one line each,
naming the file, the source and the key, so a typo is fixed without guessing. An entry is
untrusted input (SECURITY.md): TOML types are taken as written (no ``"3"`` for 3, no
``true`` for 1), numbers are bounded, URLs are http(s) with a valid host and port and no
credentials, and an entry cannot name a private address unless the operator allowlisted it
(``NEWSCRAWLER_ALLOW_PRIVATE_HOSTS``: the environment, never the file).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from newscrawler.netguard import host_allowed, parse_allowlist
from newscrawler.plan import MAX_DEPTH
from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy
from newscrawler.schedule import parse_cron
from newscrawler.settings import env_setting

__all__ = ["Politeness", "Source", "SourcesError", "Tags", "load_sources"]

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
# A DNS name as a URL or allowed_domains gives it (IDNA-encoded: xn-- labels).
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)*"
                  r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_URL_LENGTH = 2048  # Scrapy's URLLENGTH_LIMIT: a longer start URL would never be fetched
# Bounds on numbers: beyond them an entry is a typo or an attempt to hammer a site.
MAX_CONCURRENCY = 32
MAX_DELAY = 3600.0


class SourcesError(Exception):
    """The sources file is unusable; ``problems`` holds one clear line per problem."""

    def __init__(self, problems: list[str]) -> None:
        # One line each, whatever a hostile file puts in a key or a value.
        problems = [" ".join(problem.splitlines()) for problem in problems]
        super().__init__("\n".join(problems))
        self.problems = problems


def _host_problem(host: str, allowlist: frozenset[str]) -> str | None:
    """Why ``host`` cannot be crawled from a sources file entry, or None."""
    try:
        ascii_host = host.encode("idna").decode("ascii").lower() if host else ""
    except UnicodeError:
        return f"not a valid host name: {host!r}"
    literal = ascii_host.strip("[]")
    if not HOST.match(ascii_host) and ":" not in literal:
        return f"not a valid host name: {host!r}"
    ok, reason = host_allowed(literal, allowlist, resolve=False)
    if not ok:
        return f"{reason} (allow it with NEWSCRAWLER_ALLOW_PRIVATE_HOSTS)"
    return None


def _http_url(value: str, allowlist: frozenset[str]) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters: {value[:60]!r}...")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"URL holds whitespace or control characters: {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a http(s) URL: {value!r}")
    if parts.username is not None or parts.password is not None:
        # They would be logged and archived with every URL of the site.
        raise ValueError(f"credentials in a URL are not supported: {parts.hostname!r}")
    try:
        parts.port  # noqa: B018 (urllib checks the port only when asked)
    except ValueError:
        raise ValueError(f"not a valid port: {value!r}") from None
    problem = _host_problem(parts.hostname, allowlist)
    if problem:
        raise ValueError(f"{value}: {problem}")
    return value


def _allowlist(info: ValidationInfo) -> frozenset[str]:
    return (info.context or {}).get("allow_private", frozenset())


class _Strict(BaseModel):
    # strict: TOML has types; "3" or true where a number belongs is a mistake, not a 3 or 1.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Politeness(_Strict):
    """Per-site overrides of the crawler's politeness settings; ``None`` keeps the default."""

    download_delay: float | None = Field(default=None, ge=0, le=MAX_DELAY)
    concurrency: int | None = Field(default=None, ge=1, le=MAX_CONCURRENCY)
    autothrottle_target: float | None = Field(default=None, gt=0, le=MAX_CONCURRENCY)


class Tags(_Strict):
    """Descriptive labels carried into analyses (not used by the crawler)."""

    country: str | None = None
    outlet_type: str | None = None
    collection: str | None = None


class Source(_Strict):
    """One site to crawl."""

    name: str
    start_urls: list[str] = []
    feeds: list[str] = []
    sitemaps: list[str] = []
    allowed_domains: list[str] = []
    allow: list[str] = []
    deny: list[str] = []
    depth_limit: int = Field(default=6, ge=0, le=MAX_DEPTH)
    language: str | None = None
    politeness: Politeness = Politeness()
    tags: Tags = Tags()
    schedule: str | None = None
    recheck: dict[str, Any] | None = None

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"not a slug (lower-case letters, digits, - and _): {value!r}")
        return value

    @field_validator("start_urls", "feeds", "sitemaps")
    @classmethod
    def _urls(cls, values: list[str], info: ValidationInfo) -> list[str]:
        return [_http_url(value, _allowlist(info)) for value in values]

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, values: list[str], info: ValidationInfo) -> list[str]:
        for value in values:
            problem = _host_problem(value, _allowlist(info))
            if problem:
                raise ValueError(problem)
        return values

    @field_validator("allow", "deny")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {value!r} ({exc})") from None
        return values

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not LANGUAGE.match(value):
            raise ValueError(f"not an ISO 639-1 code (two lower-case letters): {value!r}")
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else parse_cron(value).text

    @field_validator("recheck")
    @classmethod
    def _recheck(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            RevisitPolicy.from_config(value)
        return value

    def revisit_policy(self) -> RevisitPolicy:
        """The revisit schedule of this source: its ``recheck`` table over the default."""
        return DEFAULT_POLICY if self.recheck is None else RevisitPolicy.from_config(self.recheck)

    @model_validator(mode="after")
    def _defaults(self) -> Source:
        entry_points = self.start_urls + self.feeds + self.sitemaps
        if not entry_points:
            raise ValueError("needs at least one of start_urls, feeds, sitemaps")
        if not self.allowed_domains:
            # Scrapy's allowed_domains covers subdomains, so "www." would only narrow it.
            hosts = (urlsplit(url).hostname or "" for url in self.start_urls or entry_points)
            domains = dict.fromkeys(h.removeprefix("www.") for h in hosts if h)
            object.__setattr__(self, "allowed_domains", list(domains))
        return self


def _problem_lines(path: Path, name: str, error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"] if not isinstance(part, int))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown key (known: {', '.join(_known_keys(item['loc']))})"
        elif item["type"].endswith(("_type", "_parsing")):
            message += f" (got {type(item['input']).__name__} {repr(item['input'])[:40]})"
        prefix = f"{path}: [sources.{name}]"
        lines.append(f"{prefix} {where}: {message}" if where else f"{prefix} {message}")
    return lines


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = {"politeness": Politeness, "tags": Tags}.get(str(loc[0]), Source)
    return [key for key in model.model_fields if key != "name"]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SourcesError([f"{path}: no such file (set NEWSCRAWLER_SOURCES or --file)"]) from None
    except UnicodeDecodeError as exc:
        raise SourcesError([f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8"]
                           ) from None
    except OSError as exc:
        raise SourcesError([f"{path}: cannot read the file: {exc.strerror or exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        duplicate = re.search(r"Cannot declare \('sources', '([^']+)'\) twice", str(exc))
        if duplicate:
            message = f"duplicate source [sources.{duplicate.group(1)}]: {exc}"
            raise SourcesError([f"{path}: {message}"]) from None
        raise SourcesError([f"{path}: not valid TOML: {exc}"]) from None


def load_sources(path: str | Path, allow_private: str | list[str] | None = None
                 ) -> dict[str, Source]:
    """Every source of the file by name; ``SourcesError`` lists all problems found.

    ``allow_private``: the hosts and networks entries may name although private (the
    crawl's ``NEWSCRAWLER_ALLOW_PRIVATE_HOSTS``; default: the environment's).
    """
    path = Path(path)
    if allow_private is None:
        allow_private = env_setting("NEWSCRAWLER_ALLOW_PRIVATE_HOSTS")
    context = {"allow_private": parse_allowlist(allow_private)}
    document = _read_toml(path)
    problems = [f"{path}: unknown top-level key {key!r} (only [sources.NAME] tables)"
                for key in document if key != "sources"]
    tables = document.get("sources", {})
    if not isinstance(tables, dict):
        raise SourcesError([f"{path}: 'sources' must be tables: [sources.NAME]"])
    sources: dict[str, Source] = {}
    for name, table in tables.items():
        if not isinstance(table, dict):
            problems.append(f"{path}: [sources.{name}] must be a table, not a value")
            continue
        if "name" in table:
            problems.append(f"{path}: [sources.{name}] name: unknown key (the table name is it)")
            continue
        try:
            sources[name] = Source.model_validate({"name": name, **table}, context=context)
        except ValidationError as exc:
            problems.extend(_problem_lines(path, name, exc))
    if problems:
        raise SourcesError(problems)
    return sources
