"""The statements of a search, on any backend: a page of hits, a count, counts per period.

The backend gives the matching articles with their score and the columns filters read
(``Backend.matches``); these statements filter, rank, fold and count them. Ranking a query
that matches a large part of the archive would score every match, so a relevance-ordered
page is chosen among a window of ``RANK_WINDOW`` matches that pass the filters (every match
when there are fewer): the newest ones or, with a date filter, the first archived in the
period. On a million articles a word found in a third of them answers in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, literal, null, select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.query import Filters, parse_when
from newscrawler.search.backend import Backend
from newscrawler.search.query import Node

__all__ = ["RANK_WINDOW", "SORTS", "Page", "count_matches", "matching_ids", "page",
           "period_counts"]

RANK_WINDOW = 2_000
SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class Page:
    """Which hits to show: how many, from where, in which order, folded by cluster or not."""

    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    collapse: bool = False
    window: int = RANK_WINDOW


def _when(on: Any = models.Article) -> ColumnElement[Any]:
    return func.coalesce(on.published_at, on.first_seen_at)


def _matching(session: Session, backend: Backend, tree: Node,
              languages: Sequence[str | None], filters: Filters
              ) -> tuple[Any, Select[Any], bool]:
    """The backend's matches that pass ``filters``, with their cluster and date; True when
    a date filter narrowed them to an id range."""
    since, until = parse_when(filters.since), parse_when(filters.until, end=True)
    within = None
    if since is not None or until is not None:
        within = backend.id_range(session.connection(), since, until)
    found = backend.matches(tree, languages, within)
    cluster = func.coalesce(found.c.cluster_id, cast(found.c.article_id, String))
    statement = (
        select(found.c.article_id, found.c.score, cluster.label("cluster"),
               _when(found.c).label("when"))
        .where(*filters.conditions(found.c))
    )
    return found, statement, within is not None


def page(session: Session, backend: Backend, tree: Node, languages: Sequence[str | None],
         filters: Filters, chosen: Page) -> list[tuple[int, float, int | None]]:
    """``(article id, score, copies)`` of one page of hits; copies only when collapsing."""
    found, statement, dated = _matching(session, backend, tree, languages, filters)
    if chosen.sort == "relevance":
        # A period's articles were mostly archived at its start (backfills come later): read
        # from there. Otherwise the newest first.
        first = found.c.article_id.asc() if dated else found.c.article_id.desc()
        statement = statement.order_by(first).limit(
            max(chosen.window, chosen.offset + chosen.limit))
    candidates = statement.subquery("candidates")
    order = _order(candidates.c, chosen.sort)
    if chosen.collapse:
        ranked = select(
            candidates,
            func.row_number().over(partition_by=candidates.c.cluster, order_by=order)
            .label("place"),
            func.count().over(partition_by=candidates.c.cluster).label("copies"),
        ).subquery("ranked")
        final = select(ranked.c.article_id, ranked.c.score, ranked.c.copies) \
            .where(ranked.c.place == 1).order_by(*_order(ranked.c, chosen.sort))
    else:
        final = select(candidates.c.article_id, candidates.c.score, null()).order_by(*order)
    rows = session.execute(final.limit(chosen.limit).offset(chosen.offset)).all()
    return [(int(row[0]), float(row[1] or 0.0), row[2]) for row in rows]


def _order(columns: Any, sort: str) -> list[ColumnElement[Any]]:
    if sort == "newest":
        return [columns.when.desc(), columns.article_id.desc()]
    if sort == "oldest":
        return [columns.when.asc(), columns.article_id.asc()]
    return [columns.score.desc(), columns.article_id.desc()]


def count_matches(session: Session, backend: Backend, tree: Node,
                  languages: Sequence[str | None], filters: Filters) -> int:
    """How many articles match the query and pass the filters."""
    _, statement, _ = _matching(session, backend, tree, languages, filters)
    counted = select(func.count()).select_from(statement.subquery())
    return int(session.scalar(counted) or 0)


def matching_ids(backend: Backend, tree: Node, languages: Sequence[str | None]) -> Select[Any]:
    """``SELECT article_id`` of every match, for ``Article.id.in_(...)`` in exports."""
    found = backend.matches(tree, languages)
    return select(found.c.article_id)


def period_counts(session: Session, backend: Backend, by: str, by_source: bool,
                  filters: Filters, tree: Node | None, languages: Sequence[str | None],
                  ) -> dict[tuple[str, str | None], list[int]]:
    """``{(period, source or None): [matching, total]}`` for every non-empty period."""
    article, source = models.Article, models.Source
    period = backend.period(_when(), by).label("period")
    name = source.name if by_source else literal(None, String)
    base = (select(period, name.label("source"), func.count().label("n"))
            .select_from(article).outerjoin(source, article.source_id == source.id)
            .where(*filters.conditions()).group_by(period, name))
    counts: dict[tuple[str, str | None], list[int]] = {}
    for when, source_name, total in session.execute(base):
        counts[(str(when), source_name)] = [0 if tree is not None else total, total]
    if tree is not None:
        found = backend.matches(tree, languages)
        matching = base.join(found, found.c.article_id == article.id)
        for when, source_name, hits in session.execute(matching):
            counts[(str(when), source_name)][0] = hits
    return counts
