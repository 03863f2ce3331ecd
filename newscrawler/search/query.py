"""The search query language, parsed by hand into a small tree every backend translates.

    élections municipales        both words (AND is implicit; ``AND`` may be written)
    "premier ministre"           a phrase (also « ... » and “ ... ”); unterminated: to the end
    cessez-le-feu, l'état        a word with inner punctuation is a phrase of its parts
    ceasefire OR truce           either (``OR`` in capitals; lower-case "or" is a word)
    -rumeur, NOT rumeur          excluded; needs a word to exclude it from
    négoc*                       a prefix
    title:rafale, title:"a b"    in the title only (also before a group: title:(a OR b))
    (a OR b) c                   grouping

The parser is forgiving: stray operators, unbalanced parentheses and quotes, characters with
no meaning and NUL bytes are dropped, so any input gives a tree. ``InvalidQuery`` (a one-line
message) is raised only when nothing is left to search for, when only exclusions are left,
when an exclusion is an alternative (``a OR -b``), or the input is too large or too deeply
nested. The words in the tree are folded (``analyzer.words``) but not stemmed: a backend
stems them for each language it searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from newscrawler.archive.query import InvalidQuery
from newscrawler.search.analyzer import words

__all__ = ["And", "InvalidQuery", "Node", "Not", "Or", "Term", "parse"]

MAX_LENGTH = 20_000
MAX_DEPTH = 32
MAX_TERMS = 1_000
QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“"}
OPERATORS = {"OR", "AND", "NOT"}
_TOKEN = re.compile(r"""[()]|["«“„]|[^\s()"«“„»”]+""")
_FIELD = re.compile(r"^title:", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """Folded words that must follow each other; the last one a prefix if ``prefix``."""

    words: tuple[str, ...]
    prefix: bool = False
    title: bool = False


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Union[Term, And, Or, Not]  # noqa: UP007 (a runtime alias, dataclasses refer to it)


def parse(text: str) -> Node:
    """The tree of ``text``; ``InvalidQuery`` with a one-line reason if there is none."""
    if len(text) > MAX_LENGTH:
        raise InvalidQuery(f"the query is too long ({len(text)} characters; "
                           f"at most {MAX_LENGTH})")
    tree = _Parser(_lex(text.replace("\x00", " "))).parse()
    if tree is None:
        raise InvalidQuery(f"nothing to search for in {_shown(text)}: give at least one word")
    tree = _simplify(tree)
    _check(tree, top=True)
    count = sum(1 for _ in leaves(tree))
    if count > MAX_TERMS:
        raise InvalidQuery(f"the query has {count} distinct terms; at most {MAX_TERMS}")
    return tree


def leaves(node: Node) -> list[Term]:
    """Every term of the tree, excluded ones too, in order."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return leaves(node.child)
    return [term for child in node.children for term in leaves(child)]


def positive_terms(node: Node) -> list[Term]:
    """The terms a match contains (for highlighting): excluded ones left out."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [term for child in node.children for term in positive_terms(child)]


def _shown(text: str) -> str:
    shown = " ".join(text.replace("\x00", " ").split())
    return repr(shown if len(shown) <= 40 else shown[:39] + "…")


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "-", "OR", "AND", "NOT", "field", "word", "phrase"
    text: str = ""


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while (match := _TOKEN.search(text, position)) is not None:
        value, position = match.group(), match.end()
        if value in QUOTES:
            close = text.find(QUOTES[value], position)
            end = len(text) if close < 0 else close
            phrase, position = text[position:end], min(len(text), end + 1)
            if text[position:position + 1] == "*":
                phrase, position = phrase + "*", position + 1
            tokens.append(_Token("phrase", phrase))
        elif value in "()":
            tokens.append(_Token(value))
        elif not value.strip("-") and text[position:position + 1] in ("(", *QUOTES):
            tokens.append(_Token("-"))  # -(a OR b), -"a phrase"
        else:
            tokens.extend(_bare(value))
    return tokens


def _bare(value: str) -> list[_Token]:
    """A run without spaces: operators, leading ``-``, ``title:``, then a word."""
    if value in OPERATORS:
        return [_Token(value)]
    tokens = []
    if value.startswith("-") and value.strip("-"):
        tokens.append(_Token("-"))
        value = value.lstrip("-")
    if _FIELD.match(value):
        tokens.append(_Token("field"))
        value = value[len("title:"):]
    if value:
        tokens.append(_Token("word", value))
    return tokens


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary+; unary := (-|NOT)? primary."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def parse(self) -> Node | None:
        node = None
        while self._peek() is not None:  # a stray ")" ends a group early: skip it, go on
            found = self._or()
            node = found if node is None else (And((node, found)) if found else node)
            if self._peek() is not None:
                self.position += 1
        return node

    def _or(self) -> Node | None:
        options = []
        while True:
            node = self._and()
            if node is not None:
                options.append(node)
            token = self._peek()
            if token is None or token.kind != "OR":
                break
            self.position += 1
        return _group(Or, options)

    def _and(self) -> Node | None:
        parts = []
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.position += 1
                continue
            node = self._unary()
            if node is not None:
                parts.append(node)
        return _group(And, parts)

    def _unary(self) -> Node | None:
        token = self._peek()
        assert token is not None
        if token.kind in ("-", "NOT"):
            self.position += 1
            if self._peek() is None or self._peek().kind in OPERATORS | {")"}:
                return None
            child = self._primary(title=False)
            return Not(child) if child is not None else None
        return self._primary(title=False)

    def _primary(self, title: bool) -> Node | None:
        token = self._peek()
        if token is None:
            return None
        self.position += 1
        if token.kind == "field":
            following = self._peek()
            if following is None or following.kind not in ("word", "phrase", "("):
                return None
            return self._primary(title=True)
        if token.kind == "(":
            return self._group(title)
        if token.kind in ("word", "phrase"):
            return _term(token.text, title)
        return None  # an operator where a word belongs: dropped

    def _group(self, title: bool) -> Node | None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InvalidQuery(f"the query nests parentheses too deeply (at most {MAX_DEPTH})")
        node = self._or()
        self.depth -= 1
        token = self._peek()
        if token is not None and token.kind == ")":
            self.position += 1
        return _titled(node) if title and node is not None else node


def _group(kind: type[And] | type[Or], parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def _term(text: str, title: bool) -> Term | None:
    prefix = text.endswith("*")
    found = tuple(words(text))
    if not found:
        return None
    return Term(found, prefix=prefix, title=title)


def _titled(node: Node) -> Node:
    if isinstance(node, Term):
        return Term(node.words, node.prefix, title=True)
    if isinstance(node, Not):
        return Not(_titled(node.child))
    return type(node)(tuple(_titled(child) for child in node.children))


def _simplify(node: Node) -> Node:
    """Nested ANDs and ORs flattened, repeated children dropped."""
    if isinstance(node, Term):
        return node
    if isinstance(node, Not):
        return Not(_simplify(node.child))
    children: list[Node] = []
    for child in (_simplify(child) for child in node.children):
        for part in child.children if type(child) is type(node) else (child,):
            if part not in children:
                children.append(part)
    return children[0] if len(children) == 1 else type(node)(tuple(children))


def _positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(child) for child in node.children)
    return True


def _check(node: Node, top: bool = False) -> None:
    """Every alternative and the whole query must find something, not only exclude."""
    if not _positive(node):
        what = "the query" if top else "each group"
        raise InvalidQuery(f"{what} needs a word to find, not only exclusions "
                           "(e.g. ceasefire -rumour)")
    if isinstance(node, Or):
        for child in node.children:
            if not _positive(child):
                raise InvalidQuery("an exclusion cannot be an alternative: write a -b, "
                                   "not a OR -b")
            _check(child)
    elif isinstance(node, And):
        for child in node.children:
            _check(child.child if isinstance(child, Not) else child)
