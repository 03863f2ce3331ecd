"""The sources file (``data/sources.toml``): one ``[sources.NAME]`` table per site.

``load_sources`` validates the whole file and reports every problem at once, one line each,
naming the file, the source and the key, so a typo is fixed without guessing.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from newscrawler.revisit import DEFAULT_POLICY, RevisitPolicy
from newscrawler.schedule import parse_cron

__all__ = ["Politeness", "Source", "SourcesError", "Tags", "load_sources"]

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE = re.compile(r"^[a-z]{2}$")


class SourcesError(Exception):
    """The sources file is unusable; ``problems`` holds one clear line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a http(s) URL: {value!r}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Politeness(_Strict):
    """Per-site overrides of the crawler's politeness settings; ``None`` keeps the default."""

    download_delay: float | None = Field(default=None, ge=0)
    concurrency: int | None = Field(default=None, ge=1)
    autothrottle_target: float | None = Field(default=None, gt=0)


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
    depth_limit: int = Field(default=6, ge=0)
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
    def _urls(cls, values: list[str]) -> list[str]:
        return [_http_url(value) for value in values]

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
    except tomllib.TOMLDecodeError as exc:
        duplicate = re.search(r"Cannot declare \('sources', '([^']+)'\) twice", str(exc))
        if duplicate:
            message = f"duplicate source [sources.{duplicate.group(1)}]: {exc}"
            raise SourcesError([f"{path}: {message}"]) from None
        raise SourcesError([f"{path}: not valid TOML: {exc}"]) from None


def load_sources(path: str | Path) -> dict[str, Source]:
    """Every source of the file by name; ``SourcesError`` lists all problems found."""
    path = Path(path)
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
            sources[name] = Source(name=name, **table)
        except ValidationError as exc:
            problems.extend(_problem_lines(path, name, exc))
    if problems:
        raise SourcesError(problems)
    return sources
