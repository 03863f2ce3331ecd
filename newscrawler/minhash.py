"""MinHash signatures over word 5-gram shingles: the pure half of near-duplicate detection.

No database here, so extraction workers compute an article's signature next to its text
(``newscrawler.worker``) and the archive only compares and stores it
(``newscrawler.archive.clusters``). The hash family is fixed: signatures never change
between versions of the code, so stored ones stay comparable.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from newscrawler.normalise import normalise

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
THRESHOLD = 0.6
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
