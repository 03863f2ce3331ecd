"""What a query command selects: filters, a source tag and a search query, made usable.

A tag names the sources of the sources file (``NEWSCRAWLER_SOURCES``, default
``data/sources.toml``) that carry it as one of their ``tags`` values, read when the query
runs, so retagging a source needs no change to the archive. ``collection=fr-national``
names the tag's key too; a bare value matches any key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from newscrawler.archive.query import Filters, InvalidQuery
from newscrawler.search.backend import query_languages
from newscrawler.search.query import Node, parse
from newscrawler.settings import env_setting
from newscrawler.sources import load_sources

__all__ = ["Selection", "sources_file", "tag_sources"]

When = datetime | date | str | None


def sources_file() -> Path:
    """``NEWSCRAWLER_SOURCES`` if set, else ``data/sources.toml``."""
    return Path(env_setting("NEWSCRAWLER_SOURCES"))


def tag_sources(tag: str, path: Path) -> tuple[str, ...]:
    """Names of the sources tagged ``tag`` (``value`` or ``key=value``); ``InvalidQuery``
    naming the known tags if none is."""
    key, _, value = tag.strip().rpartition("=")
    wanted = value.strip().casefold()
    known: set[str] = set()
    names = []
    for source in load_sources(path).values():
        for field, label in source.tags.model_dump().items():
            if label is None:
                continue
            known.add(f"{field}={label}")
            if str(label).casefold() == wanted and key.strip() in ("", field):
                names.append(source.name)
    if not names:
        listed = ", ".join(sorted(known)) or "none"
        raise InvalidQuery(f"no source of {path} is tagged {tag!r}; its tags: {listed}")
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Selection:
    """Filters as the user gives them; ``query`` None selects without searching."""

    source: str | None = None
    tag: str | None = None
    since: When = None
    until: When = None
    lang: str | None = None
    query: str | None = None

    def filters(self, sources: Path | None = None) -> Filters:
        """The archive filters, the tag resolved through the sources file."""
        tagged = tag_sources(self.tag, sources or sources_file()) if self.tag else None
        return Filters(self.source, self.since, self.until, self.lang, tagged)

    def tree(self) -> Node | None:
        """The parsed query (``InvalidQuery`` if it has nothing to search for)."""
        return None if self.query is None else parse(self.query)

    def languages(self) -> tuple[str | None, ...]:
        """The analyses query words are tried in (one with ``lang``, else all)."""
        return query_languages(self.lang)
