"""Last-resort language guess from stop words, for pages that declare no language.

Deliberately small: it only separates the common Western European languages a news
archive meets most, and abstains (None) when the evidence is thin or ambiguous.
"""

from __future__ import annotations

import re

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in is that for it with as was on are by this at".split()),
    "fr": frozenset("le la les des est et une que du dans pour qui sur pas au par".split()),
    "de": frozenset("der die und das ist nicht den mit von sich des auf für ein eine dem".split()),
    "es": frozenset("el la los las que del en por una con para es se al como más".split()),
    "it": frozenset("il di che la per non una sono della con del gli è le anche".split()),
    "nl": frozenset("de het een van en is dat niet op te zijn voor met die aan".split()),
    "pt": frozenset("o os as de que do da em um uma para com não por é dos".split()),
}
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str, min_hits: int = 10) -> str | None:
    """ISO 639-1 code of the language whose stop words dominate ``text``, or None."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    # A clear margin keeps close neighbours (es/pt, fr/it) from being confused.
    return best if top >= min_hits and top >= 1.5 * second else None
