"""MinHash signatures and content hashes are stored and compared with archived ones: pinned.

The expected values were computed with the original numpy implementation before it was
made faster; any change here means stored signatures or hashes would no longer match.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from newscrawler.analysis import minhash
from newscrawler.analysis.normalise import content_hash, normalise

TEXTS = {
    "english": "PARIS (AP) \u2014 France's parliament on Tuesday approved a contested bill that "
               "raises the retirement age from 62 to 64, after months of strikes.\nThe lower "
               "house voted 287 to 252 in favour of the measure.",
    "french": "L\u2019Assembl\u00e9e a vot\u00e9 \u00ab\u00a0la r\u00e9forme\u00a0\u00bb mardi "
              "\u2014 apr\u00e8s des mois de gr\u00e8ve\u2026 Le pre\u00admier ministre a "
              "d\u00e9clar\u00e9 : \u201cc\u2019est fini\u201d.\n\nLa suite demain.",
    "decomposed": "Cafe\u0301 au lait, cre\u0300me bru\u0302le\u0301e et Stra\u00dfe "
                  "\u0130stanbul \u0131\u015f\u0131k: \u00c9T\u00c9 \u212b \ufb01n.",
    "short": "Only four words here",
    "repeated": "la la la la la la la la la la la la",
    "mixed": "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 "
             "\u0440\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442 3,14 "
             "x_y_z 2024-01-02 \U0001F600 end",
}
# name: (sha256 of the signature, its first two values as hex, content_hash(TITLE, text))
PINNED = {
    "english": ("9a40641c9379bc73c9dab57ebf50732ff81efc574bbc81224cb37ab6782ac9f8",
                "e0ce088db3330f0081ed9d93d3046901",
                "db7b3c9986ec028a982f7c23216e16ea98ac50137e57bd752623ddee074709c9"),
    "french": ("284b8536ec835684607bf9789bb922b995fa3f359b04706b5d8770bd86f0188f",
               "394b9265bb263802ed3be36b36933b01",
               "74ce176051ebb2e2ff953ba6bdef916b90ca9e61d5cd3b0ce9d5c5a5a7d454fc"),
    "decomposed": ("0e48469d9b4041cea6940722e35ed3fbae75aa0a836f5b3e655212cbd88f2cbb",
                   "865e168999d16300474df53488641900",
                   "721be74858eb264a82fdc5c9832647b4d228a201525e4a3845d2c89303bc89e4"),
    "short": ("bbc01aab37cc5331a4462230dccaa753923564e1d86661715edc045bf2030427",
              "61c4fa78ed08131dcc7a425e29386e13",
              "2e6f1c031da018a2257204daf231e7a6664b3328253d5046df45c9b4f0909aed"),
    "repeated": ("fec4e8aeb3718a0f22002272a9c4eef958dc53a4fc0ec03a4539f86dbfb87935",
                 "36b98fe19161091c5a9e0536066b150c",
                 "dc3ea8482b7e74b564b03425e28b77f95f86c9194b682452eed8b98b21998a28"),
    "mixed": ("ae0caca3d88fc8c9c76a7108baedbbc4eef3e4f4a007151699558613461be015",
              "d6255bfc534b4601b2d99e3db6b17900",
              "fdf85d58e5d8669c19f20fc7dc095de2ce64d9081a8415e6e81e8aa1ee1afea0"),
}
TITLE = "Title \u201cq\u201d"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_signature_and_content_hash_are_pinned(name):
    digest, head, text_hash = PINNED[name]
    raw = minhash.signature(TEXTS[name])
    assert raw is not None and len(raw) == 8 * minhash.NUM_PERM
    assert hashlib.sha256(raw).hexdigest() == digest
    assert raw[:16].hex() == head
    assert content_hash(TITLE, TEXTS[name]) == text_hash


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_signature_of_normalised_text_is_the_same(name):
    """The worker normalises once and hands the normalised text to both hashes."""
    text = TEXTS[name]
    assert minhash.signature(normalise(text), normalised=True) == minhash.signature(text)


def test_signature_of_no_words_is_none():
    assert minhash.signature("") is None
    assert minhash.signature(" \u2014 ... !") is None


def test_similarity_counts_equal_values():
    a = minhash.signature(TEXTS["english"])
    b = minhash.signature(TEXTS["english"] + " And one more sentence at the end of it.")
    assert a is not None and b is not None
    assert minhash.similarity(a, a) == 1.0
    equal = sum(a[i:i + 8] == b[i:i + 8] for i in range(0, len(a), 8))
    assert minhash.similarity(a, b) == equal / minhash.NUM_PERM
    assert 0 < minhash.similarity(a, b) < 1
    assert minhash.similarity(a, bytes(len(a))) == 0.0


def test_comparing_signatures_does_not_load_numpy():
    """The crawl's main process only compares signatures: it never pays numpy's import."""
    code = ("import sys; from newscrawler.analysis import minhash; "
            "a = bytes(range(256)) * 4; minhash.similarity(a, a); minhash.band_keys(a); "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def _reference_signature(text: str) -> bytes:
    """The definition, one shingle and one permutation at a time, in Python integers."""
    values = [min(((a * h + b) % 2**64) % minhash._PRIME for h in hashes)
              for hashes in [[int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(),
                                             "little") for s in minhash.shingles(text)]]
              for a, b in minhash._PERMUTATIONS]
    return b"".join(v.to_bytes(8, "little") for v in values)


@pytest.mark.parametrize("name", ["english", "french", "short"])
def test_signature_follows_its_definition(name):
    assert minhash.signature(TEXTS[name]) == _reference_signature(TEXTS[name])


def test_mod_prime_without_division():
    import numpy as np

    p = minhash._PRIME
    edges = [0, 1, p - 1, p, p + 1, 2 * p - 1, 2 * p, 2 * p + 1, 3 * p + 6, 2**61, 2**62 - 1,
             2**63, 8 * p - 1, 8 * p, 8 * p + 6, 2**64 - 2, 2**64 - 1]
    values = np.array(edges, dtype=np.uint64)
    assert minhash._mod_prime(values).tolist() == [x % p for x in edges]


def test_long_texts_are_hashed_in_chunks_with_the_same_signature(monkeypatch):
    text = " ".join(f"word{n} {TEXTS['english']}" for n in range(60))
    whole = _reference_signature(text)
    assert len(minhash.shingles(text)) > 3 * 50
    monkeypatch.setattr(minhash, "_CHUNK", 50)
    assert minhash.signature(text) == whole
