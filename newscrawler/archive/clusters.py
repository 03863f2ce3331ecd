"""Near-duplicate clusters: MinHash signatures and LSH bands over word 5-gram shingles.

Syndicated copies (a wire story on several sites, with their own boilerplate and light
edits) share ``cluster_id``. Every article has one: the id (as text) of the first article of
its cluster, its own id when it has no near-duplicate.

An article's 128-value MinHash signature is cut into 32 bands of 4 values; each band is
hashed to a key in ``article_bands``. Articles sharing a key are candidates, kept when
their estimated Jaccard similarity is at least ``THRESHOLD``. With 32x4 bands a pair at
Jaccard 0.6 shares a key with probability ~0.99, a pair at 0.3 only ~0.23.

Rules: a new article (or a new version) joins the cluster of its most similar confirmed
candidate; clusters are never merged or split afterwards, and a new version that no longer
matches anything keeps its cluster. Two near-duplicates written at the same instant by
concurrent writers may each start their own cluster.
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.minhash import BANDS, THRESHOLD, band_keys, signature, similarity

MAX_CANDIDATES = 50


def _candidates_statement() -> Select[tuple[int, int]]:
    """Articles sharing a band key with ``:me``, most shared bands first.

    ``(band = i AND key = :ki) OR ...`` lets SQLite and PostgreSQL look each band up in the
    (band, key) index (a row-value IN would scan the table: O(archive) per insert). Built
    once with bind parameters, so SQLAlchemy compiles it once.
    """
    band = models.ArticleBand
    matches = func.count()
    pairs = [(band.band == i) & (band.key == bindparam(f"k{i}")) for i in range(BANDS)]
    return (select(band.article_id, matches)
            .where(or_(*pairs), band.article_id != bindparam("me"))
            .group_by(band.article_id).order_by(matches.desc(), band.article_id)
            .limit(MAX_CANDIDATES))


_CANDIDATES = _candidates_statement()


def _candidates(session: Session, article_id: int, keys: list[str]) -> list[int]:
    params = {f"k{i}": key for i, key in enumerate(keys)}
    rows = session.execute(_CANDIDATES, {"me": article_id, **params}).all()
    return [row[0] for row in rows]


def _best_match(session: Session, row: models.Article, raw: bytes,
                keys: list[str]) -> models.Article | None:
    best, best_score = None, THRESHOLD
    for candidate_id in _candidates(session, row.id, keys):
        candidate = session.get(models.Article, candidate_id)
        if candidate is None or candidate.minhash is None:
            continue
        score = similarity(raw, candidate.minhash)
        if score >= best_score:
            best, best_score = candidate, score
    return best


def assign_cluster(session: Session, row: models.Article, raw: bytes | None = None) -> None:
    """Set ``row``'s signature (``raw``, else computed from its text), bands and cluster.

    ``row`` must be flushed (it needs its id); runs in the caller's transaction.
    """
    raw = raw if raw is not None else signature(row.text)
    row.minhash = raw
    own = row.cluster_id or str(row.id)
    if row.version > 1:  # bands of the previous version
        session.execute(delete(models.ArticleBand).where(models.ArticleBand.article_id == row.id))
    if raw is None:
        row.cluster_id = own
        return
    keys = band_keys(raw)
    match = _best_match(session, row, raw, keys)
    # Core executemany: 32 rows an article, without the ORM's per-object bookkeeping.
    session.execute(insert(models.ArticleBand), [
        {"article_id": row.id, "band": i, "key": key} for i, key in enumerate(keys)])
    if match is None:
        row.cluster_id = own
        return
    if match.cluster_id is None:  # archived before clusters existed
        match.cluster_id = str(match.id)
    row.cluster_id = match.cluster_id
