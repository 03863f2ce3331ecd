"""Near-duplicate clusters: MinHash signatures and LSH bands over word 5-gram shingles.

Syndicated copies (a wire story on several sites, with their own boilerplate and light
edits) share ``cluster_id``. Every article has one: the id (as text) of the first article of
its cluster, its own id when it has no near-duplicate.

An article's 128-value MinHash signature is cut into 32 bands of 4 values; each band is
hashed to a key in ``article_bands``. Articles sharing a key are candidates, kept when
their estimated Jaccard similarity is at least ``THRESHOLD``. With 32x4 bands a pair at
Jaccard 0.6 shares a key with probability ~0.99, a pair at 0.3 only ~0.23.

Rules: a new article (or a new version) joins the cluster of its most similar confirmed
candidate (ties: the one sharing most bands, then the oldest); clusters are never merged or
split afterwards, and a new version that no longer matches anything keeps its cluster. Two
near-duplicates written at the same instant by concurrent writers may each start their own
cluster.
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session

from newscrawler.analysis.minhash import BANDS, THRESHOLD, band_keys, similarity
from newscrawler.archive import models

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


class BatchClusters:
    """The clusters of one batch's new articles and new versions, decided in order.

    Candidates come from the archive's bands (one indexed query per article) and from the
    batch's earlier articles, whose bands are held here until ``write`` inserts them all at
    once and sets every cluster id decided. The caller deletes the archived bands of
    articles that get a new version first.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_key: dict[tuple[int, str], list[int]] = {}
        self._batch: dict[int, tuple[bytes | None, str]] = {}  # id -> (signature, cluster)
        self._bands: list[dict[str, object]] = []
        self._adopted: dict[int, str] = {}  # archived rows without a cluster that gain one

    def assign(self, article_id: int, raw: bytes | None, own: str | None = None) -> str:
        """The cluster id of article ``article_id`` with (new) signature ``raw``.

        ``own``: its cluster so far, kept when it matches nothing (default: its own id).
        """
        if article_id in self._batch:  # a second version in one batch replaces the first
            self._bands = [b for b in self._bands if b["article_id"] != article_id]
            for ids in self._by_key.values():
                if article_id in ids:
                    ids.remove(article_id)
        cluster = own or str(article_id)
        if raw is not None:
            keys = band_keys(raw)
            match = self._best(article_id, raw, keys)
            if match is not None:
                cluster = match
            for band, key in enumerate(keys):
                self._by_key.setdefault((band, key), []).append(article_id)
                self._bands.append({"article_id": article_id, "band": band, "key": key})
        self._batch[article_id] = (raw, cluster)
        return cluster

    def _best(self, article_id: int, raw: bytes, keys: list[str]) -> str | None:
        counts = dict(_candidate_counts(self._session, article_id, keys))
        for band, key in enumerate(keys):
            for other in self._by_key.get((band, key), ()):
                counts[other] = counts.get(other, 0) + 1
        ranked = sorted(counts, key=lambda cid: (-counts[cid], cid))[:MAX_CANDIDATES]
        archived = [cid for cid in ranked if cid not in self._batch]
        known: dict[int, tuple[bytes | None, str | None]] = {}
        if archived:
            article = models.Article
            known = {cid: (sig, cl) for cid, sig, cl in self._session.execute(
                select(article.id, article.minhash, article.cluster_id)
                .where(article.id.in_(archived)))}
        best, best_score, cluster = None, THRESHOLD, None
        for cid in ranked:  # most shared bands first, then the oldest
            sig, cl = self._batch.get(cid) or known.get(cid, (None, None))
            if sig is not None and (score := similarity(raw, sig)) >= best_score:
                best, best_score, cluster = cid, score, cl
        if best is None:
            return None
        if cluster is None:  # archived before clusters existed
            cluster = self._adopted.setdefault(best, str(best))
        return cluster

    def write(self) -> None:
        """Insert the batch's bands and set every cluster id decided."""
        table = models.Article.__table__
        updates = [{"b_id": cid, "b_cluster": cl} for cid, (_, cl) in self._batch.items()]
        updates += [{"b_id": cid, "b_cluster": cl} for cid, cl in self._adopted.items()]
        if updates:
            self._session.execute(
                table.update().where(table.c.id == bindparam("b_id"))
                .values(cluster_id=bindparam("b_cluster")), updates)
        if self._bands:
            self._session.execute(insert(models.ArticleBand.__table__), self._bands)


def _candidate_counts(session: Session, article_id: int, keys: list[str]) -> list[tuple[int, int]]:
    params = {f"k{i}": key for i, key in enumerate(keys)}
    return [(row[0], row[1]) for row in session.execute(_CANDIDATES, {"me": article_id, **params})]
