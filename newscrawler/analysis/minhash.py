"""MinHash signatures over word 5-gram shingles: the pure half of near-duplicate detection.

No database here, so extraction workers compute an article's signature next to its text
(``newscrawler.analysis.page``) and the archive only compares and stores it
(``newscrawler.archive.clusters``). The hash family is fixed: signatures never change
between versions of the code, so stored ones stay comparable.

numpy is imported only by :func:`signature`: the crawl's main process, which only compares
signatures (:func:`similarity`, :func:`band_keys`), never loads it.
"""

from __future__ import annotations

import hashlib
import operator
import re
from functools import cache
from typing import Any

from newscrawler.analysis.normalise import normalise

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
THRESHOLD = 0.6
_PRIME = (1 << 61) - 1
_WORD = re.compile(r"\w+")
_BLAKE2B = hashlib.blake2b
_CHUNK = 1024  # shingles hashed together: a 1 MiB matrix of uint64


def _permutations() -> list[tuple[int, int]]:
    """Fixed (a, b) pairs of the universal hash family: signatures must never change."""
    pairs = []
    for i in range(NUM_PERM):
        digest = hashlib.blake2b(f"newscrawler-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
        pairs.append((a, int.from_bytes(digest[8:], "big") % _PRIME))
    return pairs


_PERMUTATIONS = _permutations()


@cache
def _numpy_family() -> tuple[Any, Any, Any, Any, Any]:
    """numpy, the family's (a, b) as uint64 arrays, p and 61 as uint64: on first use only."""
    import numpy as np

    a = np.array([a for a, _ in _PERMUTATIONS], dtype=np.uint64)
    b = np.array([b for _, b in _PERMUTATIONS], dtype=np.uint64)
    return np, a, b, np.uint64(_PRIME), np.uint64(61)


def shingles(text: str, *, normalised: bool = False) -> set[str]:
    """Word 5-grams of the normalised, case-folded text (the whole text if shorter).

    With ``normalised`` the text is already ``normalise(text)`` and is not normalised again
    (normalising twice is not always the same as once: a dropped soft hyphen can leave a
    combining mark that NFC would then compose).
    """
    words = _WORD.findall((text if normalised else normalise(text)).casefold())
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    starts = (words[i:] for i in range(SHINGLE_WORDS))
    return set(map(" ".join, zip(*starts, strict=False)))


def signature(text: str, *, normalised: bool = False) -> bytes | None:
    """The MinHash signature (NUM_PERM unsigned 64-bit values, little-endian); None if no words.

    Vectorised with numpy: ``(a*h + b) mod p`` is computed in wrapping 64-bit arithmetic, as
    datasketch does (the product and sum wrap modulo 2**64 before the ``mod p``); that is
    still a fixed, deterministic hash family. ``h`` is the first 4 bytes of each shingle's
    BLAKE2b digest, read little-endian. ``normalised``: see :func:`shingles`.
    """
    found = shingles(text, normalised=normalised)
    if not found:
        return None
    np, a, b, _, _ = _numpy_family()
    digests = b"".join([_BLAKE2B(s.encode(), digest_size=4).digest() for s in found])
    # Equal 32-bit hashes (repeated or colliding shingles) give equal rows: one is enough.
    hashes = np.unique(np.frombuffer(digests, dtype="<u4")).astype(np.uint64)
    found_min = None
    # A chunk of shingles at a time: a long text's full (shingles x NUM_PERM) matrix would
    # take tens of MiB for a moment (1 KiB a shingle), and peaks are what workers keep.
    for start in range(0, len(hashes), _CHUNK):
        values = np.multiply.outer(hashes[start:start + _CHUNK], a)  # wraps modulo 2**64
        values += b
        chunk_min = _mod_prime(values).min(axis=0)
        found_min = chunk_min if found_min is None else np.minimum(found_min, chunk_min)
    assert found_min is not None
    return found_min.astype("<u8").tobytes()


def _mod_prime(values: Any) -> Any:
    """``values % p`` of a uint64 array (consumed) without a division.

    p = 2**61 - 1 is a Mersenne prime: x = hi * 2**61 + lo is congruent to hi + lo, which is
    below 2 * p, so at most one p is left to subtract.
    """
    np, _, _, prime, shift = _numpy_family()
    reduced = values & prime
    values >>= shift
    reduced += values
    np.subtract(reduced, prime, out=reduced, where=reduced >= prime)
    return reduced


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets (share of equal values)."""
    a, b = memoryview(first).cast("Q"), memoryview(second).cast("Q")
    return sum(map(operator.eq, a, b)) / NUM_PERM


def band_keys(raw: bytes) -> list[str]:
    """One 16-hex-digit key per band."""
    return [hashlib.blake2b(raw[band * ROWS * 8:(band + 1) * ROWS * 8], digest_size=8).hexdigest()
            for band in range(BANDS)]
