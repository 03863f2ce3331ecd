"""``export --format wacz``: a selection of the archive's articles as a WACZ package.

What goes in, for the articles the filters select (``archive.query.Filters``):
- the record of every version of each article (a response, or a revisit with the response
  holding its payload), with its request record and the ``metadata`` records of its
  extraction;
- so that the links of a replayed article work, the other captures of the same hosts made
  by the crawl runs that captured the selection (home page, sections, feeds, sitemaps,
  robots.txt, redirects, error pages), except captures of articles outside the selection;
- ``pages/pages.jsonl``: one line per article (its URL, the date of its latest version's
  capture, its title), the pages replay tools list.

Records are located through the archive's ``captures`` table and copied from the WARC
directory by offset (``capture.wacz``); the package is complete or not written at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, Select, select, tuple_
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.captures import ArchiveCaptures
from newscrawler.archive.lookup import chunks
from newscrawler.archive.query import InvalidQuery
from newscrawler.capture.refs import Location
from newscrawler.capture.wacz import WaczSummary, build_wacz
from newscrawler.urls import canonicalize_url

__all__ = ["export_wacz"]

_C, _V = models.Capture, models.ArticleVersion
_ANSWERS = ("response", "revisit")


@dataclass
class _Selection:
    """The chosen articles' pages, the records to package, and where they were crawled."""

    pages: dict[int, dict[str, Any]] = field(default_factory=dict)  # article id -> page
    records: dict[Location, None] = field(default_factory=dict)
    record_ids: list[str] = field(default_factory=list)
    runs: set[int] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)


def export_wacz(engine: Engine, output: str | Path, warc_dir: str | Path, selected: Select[Any],
                limit: int | None = None, title: str = "newscrawler export") -> WaczSummary:
    """Package the articles ``selected`` (a statement of ``archive.query.articles_query``
    shape) select (at most ``limit``) as a WACZ at ``output``."""
    with Session(engine) as session:
        selection = _select(session, selected, limit)
        for location in _metadata(session, selection.record_ids):
            selection.records[location] = None
        for location in _context(session, selection):
            selection.records.setdefault(location, None)
    pages = [page for page in selection.pages.values() if page["ts"] is not None]
    if not pages:
        raise InvalidQuery("no archived article with a capture matches these filters")
    return build_wacz(output, list(selection.records), pages, warc_dir, title=title,
                      locate=ArchiveCaptures(engine).locate)


def _select(session: Session, selected: Select[Any], limit: int | None) -> _Selection:
    selection = _Selection()
    chosen = selected.with_only_columns(
        models.Article.id, models.Article.url, models.Article.title)
    if limit is not None:
        chosen = chosen.limit(limit)
    for article_id, url, title in session.execute(chosen):
        selection.pages[article_id] = {"url": url, "title": title, "ts": None}
        selection.hosts.add(urlsplit(url).netloc)
    for chunk in chunks(list(selection.pages)):
        versions = session.execute(
            select(_V.article_id, _V.url, _V.fetched_at, _V.warc_file, _V.warc_offset,
                   _V.warc_length).where(_V.article_id.in_(chunk), _V.warc_file.is_not(None))
            .order_by(_V.article_id, _V.version)).all()
        dates = _capture_rows(session, [(v.warc_file, v.warc_offset) for v in versions],
                              selection)
        for version in versions:
            where = (version.warc_file, version.warc_offset, version.warc_length)
            selection.records[where] = None
            page = selection.pages[version.article_id]  # the latest version comes last
            page["url"] = version.url
            page["ts"] = dates.get(where[:2], version.fetched_at)
    return selection


def _capture_rows(session: Session, places: list[tuple[str, int]],
                  selection: _Selection) -> dict[tuple[str, int], datetime]:
    """The capture dates of these records; their ids and runs go into ``selection``."""
    dates = {}
    for chunk in chunks(places):
        rows = session.execute(select(_C.warc_file, _C.warc_offset, _C.warc_date,
                                      _C.record_id, _C.run_id)
                               .where(tuple_(_C.warc_file, _C.warc_offset).in_(chunk)))
        for warc_file, offset, date, record_id, run_id in rows:
            dates[(warc_file, offset)] = date
            selection.record_ids.append(record_id)
            if run_id is not None:
                selection.runs.add(run_id)
    return dates


def _metadata(session: Session, record_ids: list[str]) -> Iterator[Location]:
    """The metadata records describing these records."""
    for chunk in chunks(record_ids):
        rows = session.execute(select(_C.warc_file, _C.warc_offset, _C.warc_length)
                               .where(_C.refers_to.in_(chunk), _C.rec_type == "metadata"))
        yield from ((warc_file, offset, length) for warc_file, offset, length in rows)


def _context(session: Session, selection: _Selection) -> Iterator[Location]:
    """The runs' other captures of the selection's hosts, but no other article's."""
    candidates: list[tuple[str, Location]] = []
    for chunk in chunks(sorted(selection.runs)):
        rows = session.execute(
            select(_C.url, _C.warc_file, _C.warc_offset, _C.warc_length)
            .where(_C.run_id.in_(chunk), _C.rec_type.in_(_ANSWERS))
            .execution_options(yield_per=1000))
        candidates += [(url, (f, o, n)) for url, f, o, n in rows
                       if urlsplit(url).netloc in selection.hosts]
    others = _other_articles(session, {url for url, _ in candidates}, set(selection.pages))
    for url, location in candidates:
        if url not in others:
            yield location


def _other_articles(session: Session, urls: Iterable[str], chosen: set[int]) -> set[str]:
    """Which of ``urls`` are known as articles that are not ``chosen``."""
    spelling = {url: _canonical(url) for url in urls}
    owners: dict[str, int] = {}
    for chunk in chunks(sorted(set(spelling.values()))):
        owners.update(session.execute(
            select(models.ArticleUrl.url, models.ArticleUrl.article_id)
            .where(models.ArticleUrl.url.in_(chunk))).all())
    return {url for url, key in spelling.items()
            if (owner := owners.get(key)) is not None and owner not in chosen}


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return url
