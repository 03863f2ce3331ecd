"""Synthetic French and English news articles for the search benchmark, fast and reproducible.

Each language has a vocabulary of real function words (at the top of the ranks), real
keywords the benchmark queries (at chosen ranks, so their frequencies are known) and tens of
thousands of invented words with that language's letters and endings. Texts draw words from
a Zipf distribution (s = 1.07, as news text), a quarter of them inflected (plural -s, -es,
-x) so the stemmers have work; a few fixed phrases are planted at set rates ("cessez-le-feu",
"premier ministre", "prime minister"). Articles come in crawl order, ``RATE`` a day from
``START`` (so ids follow first-seen times, as in an archive a crawl fills), published up to
ten hours before they were seen; one in twenty was published long before (a backfill) and
one in ten has no date. Article ``n`` is always the same: chunks are generated from
``numpy.random.default_rng((seed, chunk))``. Offline; the product never reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

SEED = 20261204
VOCABULARY = 60_000
ZIPF_S = 1.07
CHUNK = 2_000
SOURCES = 20  # even: French, odd: English
START = datetime(2024, 1, 1, tzinfo=UTC)
RATE = 1_370  # articles a day: a million over two years

STOPWORDS = {
    "fr": "de la le et les des en un une du est que pour dans qui sur au par pas plus ne se "
          "il a avec ce sont son sa ses aux mais ou elle on comme été leur nous été cette "
          "deux ans selon après depuis tout très fait être sans lors entre dont".split(),
    "en": "the of and to a in is that for on with as was it by at he from his be are have "
          "said has an but not they this were had who their been which its after more one "
          "also would year two new than first about over last when".split(),
}
# Keywords at fixed ranks: their document frequencies follow from Zipf's law.
KEYWORDS = {
    "fr": {60: "gouvernement", 300: "élection", 1200: "négociation", 2500: "hôpital",
           5000: "ukrainien", 12000: "sécheresse", 30000: "funiculaire"},
    "en": {60: "government", 300: "election", 1200: "negotiation", 2500: "hospital",
           5000: "ukrainian", 12000: "drought", 30000: "funicular"},
}
PHRASES = {
    "fr": (("cessez-le-feu", 0.01), ("premier ministre", 0.05)),
    "en": (("ceasefire", 0.01), ("prime minister", 0.05)),
}
_LETTERS = {
    "fr": ("b c d f g j l m n p r s t v ch qu gr tr pl br".split(),
           "a e i o u é è ê â ou ai eu au".split(),
           "tion ment eur ique age ité ance oire ier ais".split()),
    "en": ("b c d f g h j k l m n p r s t v w th sh st gr tr pl br".split(),
           "a e i o u ea oo ai ou y".split(),
           "tion ment er ing ness ity al ous ship ward".split()),
}


@dataclass(frozen=True)
class Synthetic:
    """One generated article's fields."""

    number: int
    source: str
    language: str
    title: str
    text: str
    published_at: datetime | None
    first_seen_at: datetime


def _vocabulary(language: str) -> np.ndarray:
    rng = np.random.default_rng((SEED, 0 if language == "fr" else 1))
    onsets, vowels, endings = _LETTERS[language]
    words: list[str] = list(STOPWORDS[language])
    seen = set(words) | set(KEYWORDS[language].values())
    while len(words) < VOCABULARY:
        syllables = rng.integers(1, 4)
        word = "".join(onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))]
                       for _ in range(syllables))
        if rng.random() < 0.4:
            word += endings[rng.integers(len(endings))]
        if word not in seen:
            seen.add(word)
            words.append(word)
    for rank, keyword in KEYWORDS[language].items():
        words.insert(rank, keyword)
    return np.array(words[:VOCABULARY], dtype=object)


def _inflect(words: np.ndarray, flags: np.ndarray, language: str) -> np.ndarray:
    plural = np.array([w + ("x" if w.endswith("au") else "es" if w.endswith(("s", "sh", "ch"))
                            and language == "en" else "" if w.endswith(("s", "x")) else "s")
                       for w in words[flags]], dtype=object)
    words = words.copy()
    words[flags] = plural
    return words


class Corpus:
    """Articles ``0 .. size-1``, generated chunk by chunk (never all in memory)."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self.vocabulary = {lang: _vocabulary(lang) for lang in ("fr", "en")}
        ranks = np.arange(1, VOCABULARY + 1, dtype=np.float64)
        weights = 1.0 / ranks ** ZIPF_S
        self.cumulative = np.cumsum(weights / weights.sum())

    def _draw(self, rng: np.random.Generator, count: int, language: str) -> np.ndarray:
        ranks = np.searchsorted(self.cumulative, rng.random(count))
        ranks = np.minimum(ranks, VOCABULARY - 1)
        words = self.vocabulary[language][ranks]
        # Function words are not inflected; a quarter of the others are.
        flags = (rng.random(count) < 0.25) & (ranks >= len(STOPWORDS[language]))
        return _inflect(words, flags, language)

    def chunk(self, index: int) -> list[Synthetic]:
        """Articles ``index * CHUNK`` to ``(index + 1) * CHUNK - 1``."""
        rng = np.random.default_rng((self.seed, index + 2))
        lengths = rng.integers(400, 801, CHUNK)
        out = []
        for offset in range(CHUNK):
            number = index * CHUNK + offset
            source = number % SOURCES
            language = "fr" if source % 2 == 0 else "en"
            body = list(self._draw(rng, int(lengths[offset]), language))
            for phrase, rate in PHRASES[language]:
                if rng.random() < rate:
                    body.insert(int(rng.integers(len(body))), phrase)
            title = " ".join(self._draw(rng, int(rng.integers(6, 12)), language)).capitalize()
            paragraphs = [" ".join(body[i:i + 80]) for i in range(0, len(body), 80)]
            seen = START + timedelta(days=(number + rng.random()) / RATE)
            published = None if rng.random() < 0.1 else seen - timedelta(
                minutes=int(rng.integers(5, 600)))
            if published is not None and rng.random() < 0.05:
                published -= timedelta(days=int(rng.integers(1, 3650)))
            out.append(Synthetic(number, f"source-{source:02d}", language, title,
                                 ".\n".join(paragraphs) + ".", published, seen))
        return out

    def articles(self, start: int, stop: int) -> Iterator[Synthetic]:
        """Articles ``start`` (a multiple of ``CHUNK``) to ``stop - 1``."""
        for index in range(start // CHUNK, (stop + CHUNK - 1) // CHUNK):
            for article in self.chunk(index):
                if start <= article.number < stop:
                    yield article
