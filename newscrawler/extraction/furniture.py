"""Lines of page furniture that survive body extraction: "Read also" teasers, photo credits.

They sit inside the article container, so no container-level cleaning reaches them; they
are recognised by how they start, in English and French (the archive's two languages), and
credits only when short, so a paragraph that opens with "Photo:" is not lost.
"""

from __future__ import annotations

import re

_READ_ALSO = re.compile(
    r"^\W*(?:à lire aussi|a lire aussi|lire aussi|lire la suite|voir aussi|à voir aussi"
    r"|read more|read also|also read|see also|related|more on this|recommended)"
    r"(?:\s*[:»>|–—-]|\s*$)",
    re.IGNORECASE,
)
# Without a separator after the phrase, only a teaser-length line is taken for one.
_READ_ALSO_BARE = re.compile(r"^\W*(?:à lire aussi|a lire aussi|lire aussi|read also)\b", re.I)
_MAX_TEASER_LENGTH = 150
_CREDIT = re.compile(
    r"^\W*(?:crédits?(?: photos?)?|photos?|images?|image illustrative|illustration"
    r"|credits?|photo credits?)\s*:",
    re.IGNORECASE,
)
_MAX_CREDIT_LENGTH = 200


def is_furniture_line(line: str) -> bool:
    """True for a "Read also"-style teaser line or a short photo credit."""
    if _READ_ALSO.search(line):
        return True
    if len(line) < _MAX_TEASER_LENGTH and _READ_ALSO_BARE.search(line):
        return True
    return len(line) < _MAX_CREDIT_LENGTH and bool(_CREDIT.search(line))


def drop_furniture_lines(text: str) -> str:
    """``text`` without its furniture lines."""
    return "\n".join(line for line in text.splitlines() if not is_furniture_line(line))
