"""Snippets: the passage of an article that best shows why it matched, matches marked.

The same code serves every backend, so a snippet looks the same on SQLite and PostgreSQL.
A match is a word whose analysed form (folded, stemmed in the article's language) equals
one of the query term's forms, as in the index; a phrase is marked as one stretch.

Marks are two control characters that cannot otherwise occur in a snippet (they are
removed from the text first): ``MARK_START`` (STX, U+0002) and ``MARK_END`` (ETX, U+0003).
``render`` turns them into whatever the reader wants, escaping the text between them::

    render(hit.snippet)                                    # "… le [cessez-le-feu] a …"
    render(hit.snippet, "<mark>", "</mark>", html.escape)  # for a web page
    render(highlight_query(hit.title, query, hit.language))  # a title, marked the same way
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from newscrawler.search.analyzer import MARK_CLASS, fold, stem, words
from newscrawler.search.query import Term

__all__ = ["MARK_END", "MARK_START", "highlight", "highlight_query", "render", "snippet"]

MARK_START = "\x02"
MARK_END = "\x03"
WIDTH = 30  # words in a snippet
HEAD = 3_000  # characters read first
LEAD = 6  # words shown before the first match
# A word with any combining accents it carries (one character class: fast). Unlike the
# analyzer it keeps "_" inside words; a text with one falls back to folding word by word.
_SPAN = re.compile(f"([\\w{MARK_CLASS}]+)")


def render(marked: str, start: str = "[", end: str = "]",
           escape: Callable[[str], str] | None = None) -> str:
    """``marked`` with its marks replaced by ``start``/``end``, other text ``escape``d."""
    out = []
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START:
            out.append(start)
        elif piece == MARK_END:
            out.append(end)
        elif piece:
            out.append(escape(piece) if escape else piece)
    return "".join(out)


class _Words:
    """The words of a text with their positions and their analysed forms.

    Only words that could match are stemmed: a Snowball stem keeps its word's first letter,
    so a word whose first letter starts none of the query's forms keeps its folded form.
    """

    def __init__(self, text: str, language: str | None, initials: frozenset[str]) -> None:
        self.text = text.replace(MARK_START, " ").replace(MARK_END, " ")
        parts = _SPAN.split(self.text)  # separator, word, separator, ..., separator
        offsets = [0, *itertools.accumulate(map(len, parts))]
        self.spans = list(zip(offsets[1:-1:2], offsets[2::2], strict=True))
        folded = words(self.text)  # one pass in C; word by word only if the counts differ
        if len(folded) != len(self.spans):
            folded = [fold(self.text[a:b]) for a, b in self.spans]
        self.folded = folded
        self.stems = list(folded)
        wanted = [i for i, word in enumerate(folded) if word[:1] in initials]
        for i, stemmed in zip(wanted, stem([folded[i] for i in wanted], language), strict=True):
            self.stems[i] = stemmed

    def matches(self, terms: Sequence[Term], languages: Sequence[str | None]
                ) -> list[tuple[int, int, int]]:
        """``(first word, word count, term number)`` of every match."""
        by_first: dict[str, list[tuple[int, list[str], bool]]] = {}
        prefixes: list[tuple[int, str]] = []
        for number, term in enumerate(terms):
            for tokens in _forms(term, languages):
                if term.prefix and len(tokens) == 1:
                    prefixes.append((number, tokens[0]))
                else:
                    by_first.setdefault(tokens[0], []).append((number, tokens, term.prefix))
        found = []
        starts = set(by_first)
        candidates = [i for i, token in enumerate(self.stems) if token in starts]
        if prefixes:
            heads = tuple(start for _, start in prefixes)
            candidates = sorted(set(candidates).union(
                i for i, token in enumerate(self.stems)
                if token.startswith(heads) or self.folded[i].startswith(heads)))
        for position in candidates:
            token, seen = self.stems[position], set()
            for number, tokens, prefix in by_first.get(token, ()):
                if number not in seen and self._at(position, tokens, prefix):
                    seen.add(number)
                    found.append((position, len(tokens), number))
            for number, start in prefixes:
                if number not in seen and (token.startswith(start)
                                           or self.folded[position].startswith(start)):
                    seen.add(number)
                    found.append((position, 1, number))
        return found

    def _at(self, position: int, tokens: Sequence[str], prefix: bool) -> bool:
        end = position + len(tokens)
        if end > len(self.stems):
            return False
        for offset, token in enumerate(tokens):
            here = position + offset
            if prefix and offset == len(tokens) - 1:
                if not (self.stems[here].startswith(token)
                        or self.folded[here].startswith(token)):
                    return False
            elif self.stems[here] != token:
                return False
        return True


def _forms(term: Term, languages: Sequence[str | None]) -> list[list[str]]:
    forms = [stem(list(term.words), language) for language in languages]
    if term.prefix:
        forms.append(list(term.words))
    unique: list[list[str]] = []
    for tokens in forms:
        if tokens not in unique:
            unique.append(tokens)
    return unique


def _initials(terms: Sequence[Term], languages: Sequence[str | None]) -> frozenset[str]:
    return frozenset(token[:1] for term in terms for form in _forms(term, languages)
                     for token in form)


def _mark(words: _Words, first: int, last: int, found: list[tuple[int, int, int]],
          complete: bool = True) -> str:
    """Words ``first`` to ``last`` (inclusive) of the text, with matches marked."""
    starts = {position: count for position, count, _ in found}
    out, cursor, position = [], words.spans[first][0], first
    while position <= last:
        count = starts.get(position)
        if count:
            end = min(position + count - 1, last)
            a, b = words.spans[position][0], words.spans[end][1]
            out += [words.text[cursor:a], MARK_START, words.text[a:b], MARK_END]
            cursor, position = b, end + 1
        else:
            position += 1
    # The text's final punctuation belongs to the last word; inner cuts end at a word.
    whole = complete and last == len(words.spans) - 1
    out.append(words.text[cursor:None if whole else words.spans[last][1]])
    return " ".join("".join(out).split())


def snippet(text: str, terms: Sequence[Term], language: str | None,
            languages: Sequence[str | None]) -> str:
    """About ``WIDTH`` words of ``text`` around its best cluster of matches, marked.

    The first ``HEAD`` characters are read first: most matches are in an article's opening,
    and analysing its whole text costs more than the search itself.
    """
    initials = _initials(terms, languages)
    if len(text) > HEAD:
        head = text[:text.rfind(" ", 0, HEAD) if " " in text[:HEAD] else HEAD]
        found = _window(_Words(head, language, initials), terms, languages, more=True)
        if found is not None:
            return found
    return _window(_Words(text, language, initials), terms, languages, more=False) or ""


def _window(words: _Words, terms: Sequence[Term], languages: Sequence[str | None],
            more: bool) -> str | None:
    """The best window of ``words``; None when nothing matches and ``more`` text follows."""
    found = words.matches(terms, languages)
    if not words.spans or (more and not found):
        return None
    first = 0
    if found:
        def richness(start: int) -> tuple[int, int]:
            inside = [item for item in found if start <= item[0] < start + WIDTH]
            return len({item[2] for item in inside}), len(inside)

        best = max((item[0] for item in found), key=lambda s: (richness(s), -s))
        first = max(0, min(best - LEAD, len(words.spans) - WIDTH))
    last = min(len(words.spans), first + WIDTH) - 1
    body = _mark(words, first, last, found, complete=not more)
    cut = more or last < len(words.spans) - 1
    return ("… " if first > 0 else "") + body + (" …" if cut else "")


def highlight(text: str, terms: Sequence[Term], language: str | None,
              languages: Sequence[str | None]) -> str:
    """All of ``text`` (a title) with its matches marked."""
    words = _Words(text, language, _initials(terms, languages))
    if not words.spans:
        return words.text
    found = words.matches(terms, languages)
    return words.text[:words.spans[0][0]] + _mark(words, 0, len(words.spans) - 1, found)


def highlight_query(text: str, query: str, language: str | None = None,
                    lang: str | None = None) -> str:
    """``text`` (a hit's title, say) with the matches of ``query`` marked, as ``search``
    matched it: ``language`` is the article's, ``lang`` the search's ``lang`` filter."""
    from newscrawler.search.backend import query_languages
    from newscrawler.search.query import parse, positive_terms

    return highlight(text, positive_terms(parse(query)), language, query_languages(lang))
