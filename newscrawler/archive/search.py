"""Search over the archive, behind one function so a real full-text backend can replace it.

For now: every word of the query must appear in the title or text, case and accents
folded in Python. It scans the filtered articles in batches, so it is slow on a large
archive but never loads it whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from sqlalchemy import Select
from sqlalchemy.orm import Session

from newscrawler.archive import models

BATCH_SIZE = 500


def fold(value: str) -> str:
    """Lower-case, accent-free form used for matching (``Été`` -> ``ete``)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_words(query: str) -> list[str]:
    """The folded words a query asks for; quotes and punctuation around words are ignored."""
    return [w for w in (word.strip("\"'.,;:!?()") for word in fold(query).split()) if w]


def search_ids(session: Session, query: str, statement: Select, limit: int) -> list[int]:
    """Ids of up to ``limit`` articles selected by ``statement`` that match every query word.

    ``statement`` selects ``models.Article`` rows already filtered and ordered by the caller.
    """
    words = query_words(query)
    if not words or limit <= 0:
        return []
    found: list[int] = []
    for article in _stream(session, statement):
        haystack = fold(f"{article.title}\n{article.text}")
        if all(word in haystack for word in words):
            found.append(article.id)
            if len(found) >= limit:
                break
    return found


def _stream(session: Session, statement: Select) -> Iterator[models.Article]:
    yield from session.scalars(statement.execution_options(yield_per=BATCH_SIZE))
