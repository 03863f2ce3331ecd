"""htmldate's last-resort date parsing, limited to the page's language and English.

htmldate's extensive search sends the few date-like strings its own rules cannot read to
dateparser, through one ``DateDataParser(languages=None)``: a string that no locale reads
makes that parser try every one of dateparser's 205 languages, which loads and compiles
all their data (~35 MiB and seconds of CPU per worker); its month-name gate
(``month_words``) loads every locale's month names too (~8 MiB).

:func:`find_date` runs ``htmldate.find_date`` with both limited to the languages of the
page (its own, with its script variants, and English), through a context variable that two
hooks in ``htmldate.extractors`` read. dateparser tries locales in the same fixed order
either way, so a string that a page's own language or English reads gets the same date as
before. Parsers are cached per set of languages (a few), and dateparser keeps each locale
it loaded, so memory grows only with the languages a crawl actually meets.

The hooks replace module globals of htmldate (private names): ``_external_date``, which
``try_date_expr`` calls for dateparser, and ``month_words``. Outside :func:`find_date` they
call htmldate's own functions, so other users of htmldate see no change. They are installed
only on the htmldate version they were verified against (``VERIFIED``, pinned in
constraints.txt): on any other, or if a name is missing, one WARNING, nothing is installed,
and :func:`find_date` is htmldate's public ``find_date`` (all languages).

``try_date_expr`` caches its results by string, not by language: its cache is emptied
when :func:`find_date` starts and when it ends, so a cached value is always the one the
current caller's languages give (the cache still serves the repeats within one page).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from typing import Any

import htmldate

from newscrawler.version_gate import verified

LOGGER = logging.getLogger(__name__)
VERIFIED = "1.11.0"

_FALLBACK_LANGUAGE = "en"
# ISO 639-1 codes that dateparser knows under another name.
_ALIASES = {"no": "nb", "iw": "he", "in": "id", "ji": "yi"}
# htmldate 1.11.0's get_external_parser() settings, with the languages left to us.
_SETTINGS: dict[str, Any] = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}

_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar("date_languages", default=None)
_LOCK = threading.Lock()


def find_date(tree: Any, *, language: str | None, **params: Any) -> str | None:
    """``htmldate.find_date(tree, **params)``, dateparser limited to ``language`` and English."""
    if _HOOKS is None:
        return htmldate.find_date(tree, **params)
    languages = date_languages(language)
    # The lock keeps another thread from filling try_date_expr's cache with other languages'
    # values while this search reads it.
    with _LOCK, _using(languages):
        _HOOKS.clear_cache()  # values htmldate cached for its other callers (all languages)
        try:
            return htmldate.find_date(tree, **params)
        finally:
            _HOOKS.clear_cache()  # values of this page's languages: never for another caller


def date_languages(language: str | None) -> tuple[str, ...]:
    """dateparser's languages for a page in ``language`` (ISO 639-1): it, its scripts, English.

    In dateparser's own order, so that the locales it tries come in the order it would try
    them among all languages.
    """
    order = _language_order()
    code = _ALIASES.get(language or "", language or "")
    wanted = {_FALLBACK_LANGUAGE, code}
    return tuple(name for name in order if name in wanted or name.startswith(f"{code}-"))


def warm_up() -> None:
    """Load dateparser and its English data (every page's parser has them), early."""
    if _HOOKS is not None:
        _parser(date_languages(None)).get_date_data("3 March 2024")


@lru_cache(maxsize=1)
def _language_order() -> tuple[str, ...]:
    from dateparser.data.languages_info import language_order

    return tuple(language_order)


@lru_cache(maxsize=8)
def _parser(languages: tuple[str, ...]) -> Any:
    from dateparser import DateDataParser

    return DateDataParser(languages=list(languages), settings=_SETTINGS)


@lru_cache(maxsize=8)
def _month_words(languages: tuple[str, ...]) -> frozenset[str]:
    """htmldate's ``month_words()``, over these languages' locales only."""
    from dateparser.languages.loader import default_loader

    hooks = _HOOKS
    assert hooks is not None  # only the hooks call this
    return frozenset(
        hooks.fold(word)
        for locale in default_loader.get_locales(languages=list(languages))
        for key in hooks.month_keys
        for word in locale.info.get(key, [])
        if hooks.word.fullmatch(word)
    )


@contextmanager
def _using(languages: tuple[str, ...]) -> Iterator[None]:
    token = _LANGUAGES.set(languages)
    try:
        yield
    finally:
        _LANGUAGES.reset(token)


class _Hooks:
    """htmldate's originals, and the replacements that read the current languages."""

    def __init__(self) -> None:
        from htmldate import extractors

        self.original_external: Callable[[str], datetime | None] = extractors._external_date
        self.original_month_words: Callable[[], frozenset[str]] = extractors.month_words
        self.clear_cache: Callable[[], None] = extractors.try_date_expr.cache_clear
        self.fold: Callable[[str], str] = extractors._fold_month_name
        self.month_keys: tuple[str, ...] = tuple(extractors.MONTH_KEYS)
        self.word = extractors.WORD
        self.logger = extractors.LOGGER
        extractors._external_date = self.external_date
        extractors.month_words = self.month_words

    def external_date(self, string: str) -> datetime | None:
        languages = _LANGUAGES.get()
        if languages is None:
            return self.original_external(string)
        try:
            date: datetime | None = _parser(languages).get_date_data(string)["date_obj"]
        except (OverflowError, ValueError) as err:  # as htmldate's own
            self.logger.error("external parser error: %s %s", string, err)
            return None
        return date

    def month_words(self) -> frozenset[str]:
        languages = _LANGUAGES.get()
        if languages is None:
            return self.original_month_words()
        return _month_words(languages)


def _install() -> _Hooks | None:
    if not verified("htmldate", VERIFIED, "the page-language date hooks"):
        return None
    try:
        return _Hooks()
    except (ImportError, AttributeError) as err:
        LOGGER.warning("htmldate internals differ (%s): dates use all dateparser languages", err)
        return None


_HOOKS = _install()
