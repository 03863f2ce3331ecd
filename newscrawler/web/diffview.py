"""A unified diff (``Archive.diff``) made readable: lines removed and added, and within a
changed paragraph the words that changed.

News paragraphs are long lines, so a one-word correction would otherwise show as a whole
paragraph removed and another added; a removed line followed by an added one is compared
word by word instead.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

__all__ = ["DiffLine", "Piece", "readable"]

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
_HUNK_AT_START = re.compile(r"^@@ -[01](,\d+)? ")  # a first hunk from line 1: nothing skipped
KINDS = {" ": "same", "-": "removed", "+": "added"}


@dataclass(frozen=True)
class Piece:
    """A run of text, ``changed`` if it differs from the other version."""

    text: str
    changed: bool = False


@dataclass(frozen=True)
class DiffLine:
    """One line of the diff: ``same``, ``removed``, ``added`` or ``gap`` (between hunks)."""

    kind: str
    pieces: tuple[Piece, ...] = ()


def _compare(old: str, new: str) -> tuple[DiffLine, DiffLine]:
    """The two lines with the words that differ marked."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    removed: list[Piece] = []
    added: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, a, b, c, d in matcher.get_opcodes():
        if a < b:
            removed.append(Piece("".join(before[a:b]), tag != "equal"))
        if c < d:
            added.append(Piece("".join(after[c:d]), tag != "equal"))
    return DiffLine("removed", tuple(removed)), DiffLine("added", tuple(added))


def _flush(removed: list[str], added: list[str]) -> list[DiffLine]:
    """A run of removed lines and the added lines that replace them, paired in order."""
    pairs = [_compare(old, new) for old, new in zip(removed, added, strict=False)]
    out = [pair[0] for pair in pairs]
    out += [DiffLine("removed", (Piece(line, True),)) for line in removed[len(pairs):]]
    out += [pair[1] for pair in pairs]
    out += [DiffLine("added", (Piece(line, True),)) for line in added[len(pairs):]]
    return out


def readable(unified: str) -> list[DiffLine]:
    """The lines of ``unified`` (file headers dropped), changed words marked."""
    out: list[DiffLine] = []
    removed: list[str] = []
    added: list[str] = []
    for line in unified.splitlines():
        if line.startswith(("--- ", "+++ ")) and not out and not removed and not added:
            continue
        kind = KINDS.get(line[:1])
        if kind == "removed" and not added:
            removed.append(line[1:])
            continue
        if kind == "added":
            added.append(line[1:])
            continue
        out += _flush(removed, added)
        removed, added = [], []
        if kind == "removed":
            removed.append(line[1:])
        elif line.startswith("@@"):
            if out or not _HUNK_AT_START.match(line):
                out.append(DiffLine("gap"))
        else:
            out.append(DiffLine("same", (Piece(line[1:]),)))
    return out + _flush(removed, added)
