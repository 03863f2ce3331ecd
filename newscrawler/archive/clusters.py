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

import hashlib
import re

import numpy as np
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from newscrawler.archive import models
from newscrawler.archive.normalise import normalise

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
THRESHOLD = 0.6
MAX_CANDIDATES = 50
_PRIME = (1 << 61) - 1
_WORD = re.compile(r"\w+")


def _permutations() -> list[tuple[int, int]]:
    """Fixed (a, b) pairs of the universal hash family: signatures must never change."""
    pairs = []
    for i in range(NUM_PERM):
        digest = hashlib.blake2b(f"newscrawler-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
        pairs.append((a, int.from_bytes(digest[8:], "big") % _PRIME))
    return pairs


_PERMUTATIONS = _permutations()
_A = np.array([a for a, _ in _PERMUTATIONS], dtype=np.uint64)
_B = np.array([b for _, b in _PERMUTATIONS], dtype=np.uint64)
_PRIME_U64 = np.uint64(_PRIME)


def shingles(text: str) -> set[str]:
    """Word 5-grams of the normalised, case-folded text (the whole text if shorter)."""
    words = _WORD.findall(normalise(text).casefold())
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> bytes | None:
    """The MinHash signature (NUM_PERM unsigned 64-bit values, little-endian); None if no words.

    Vectorised with numpy: ``(a*h + b) mod p`` is computed in wrapping 64-bit arithmetic, as
    datasketch does; that is still a fixed, deterministic hash family.
    """
    found = shingles(text)
    if not found:
        return None
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "little")
         for s in found), dtype=np.uint64, count=len(found))
    with np.errstate(over="ignore"):
        values = (np.outer(hashes, _A) + _B) % _PRIME_U64
    return values.min(axis=0).astype("<u8").tobytes()


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    a, b = np.frombuffer(first, dtype="<u8"), np.frombuffer(second, dtype="<u8")
    return float(np.count_nonzero(a == b)) / NUM_PERM


def band_keys(raw: bytes) -> list[str]:
    """One 16-hex-digit key per band."""
    return [hashlib.blake2b(raw[band * ROWS * 8:(band + 1) * ROWS * 8], digest_size=8).hexdigest()
            for band in range(BANDS)]


def _candidates(session: Session, article_id: int, keys: list[str]) -> list[int]:
    """Articles sharing at least one band key, most shared bands first."""
    band = models.ArticleBand
    matches = func.count()
    pairs = [(band.band == i) & (band.key == key) for i, key in enumerate(keys)]
    rows = session.execute(
        select(band.article_id, matches).where(or_(*pairs), band.article_id != article_id)
        .group_by(band.article_id).order_by(matches.desc(), band.article_id)
        .limit(MAX_CANDIDATES)
    ).all()
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
    session.execute(delete(models.ArticleBand).where(models.ArticleBand.article_id == row.id))
    own = row.cluster_id or str(row.id)
    if raw is None:
        row.cluster_id = own
        return
    keys = band_keys(raw)
    session.add_all(models.ArticleBand(article_id=row.id, band=i, key=key)
                    for i, key in enumerate(keys))
    match = _best_match(session, row, raw, keys)
    if match is None:
        row.cluster_id = own
        return
    if match.cluster_id is None:  # archived before clusters existed
        match.cluster_id = str(match.id)
    row.cluster_id = match.cluster_id
