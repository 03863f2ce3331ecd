"""The query language, the analyzer and snippets, without a database."""

from __future__ import annotations

import html

import pytest

from newscrawler.search.analyzer import fold, index_text, terms, words
from newscrawler.search.backend import ALL_LANGUAGES, query_languages
from newscrawler.search.query import And, InvalidQuery, Not, Or, Term, parse, positive_terms
from newscrawler.search.snippets import (
    MARK_END,
    MARK_START,
    highlight,
    highlight_query,
    render,
    snippet,
)
from newscrawler.search.sqlite import fts_query

HOSTILE = ["l'état", "covid-19", '"unterminated', "NEAR(", "a AND", "x' OR 1=1 --",
           "a\x00b", "東京", "naïve Œuvre", "))((a", '"a" "b"*', "-a b",
           "a OR OR b", "; DROP TABLE articles; --", "{title}:x", "^a", "a:b", "100%",
           "«cessez-le-feu»", "“phrase” ok"]
EMPTY = ["*", "-", "OR OR", "()", "", "   ", "\x00\x00", "🔥", "AND", "NOT", "--", "title:*",
         "title:", "' OR ''='", "\\\"", "%_%"]


def test_words_fold_case_accents_and_ligatures():
    assert words("L'État, covid-19 — Œuvre NAÏVE straße İstanbul") == [
        "l", "etat", "covid", "19", "oeuvre", "naive", "strasse", "istanbul"]
    assert fold("ÉLECTIONS Été") == "elections ete"


def test_french_and_english_stemming_by_language_fold_first():
    assert terms("Élections hôpitaux", "fr") == terms("elections hopital", "fr") == [
        "elect", "hopital"]
    assert terms("countries ceasefires", "en") == terms("country ceasefire", "en")
    assert terms("countries", "de") == ["countries"]  # other languages: folded, not stemmed
    assert index_text(None, "fr") == ""


def test_a_snowball_stem_keeps_its_first_letter():
    # snippets stem only the words whose first letter starts a query form
    sample = words("dying lying skies ugly news élections hôpitaux chevaux yeux œil aïeux "
                   "ycleped year yonder église ukrainiens")
    for language in ("fr", "en"):
        for word, stemmed in zip(sample, terms(" ".join(sample), language), strict=True):
            assert stemmed[:1] == word[:1], (language, word, stemmed)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_parses_to_a_tree(text):
    tree = parse(text)
    assert positive_terms(tree)


@pytest.mark.parametrize("text", EMPTY)
def test_nothing_to_search_for_is_one_line(text):
    with pytest.raises(InvalidQuery) as error:
        parse(text)
    assert "\n" not in str(error.value) and "nothing to search for" in str(error.value)


def test_structure():
    assert parse("l'état") == Term(("l", "etat"))
    assert parse("cessez-le-feu") == Term(("cessez", "le", "feu"))
    assert parse('"Premier  Ministre"') == Term(("premier", "ministre"))
    assert parse("négoc*") == Term(("negoc",), prefix=True)
    assert parse("a b OR c") == Or((And((Term(("a",)), Term(("b",)))), Term(("c",))))
    assert parse("a -(b OR c)") == And((Term(("a",)), Not(Or((Term(("b",)), Term(("c",)))))))
    assert parse('a NOT "b c"') == And((Term(("a",)), Not(Term(("b", "c")))))
    assert parse('title:"a b" c') == And((Term(("a", "b"), title=True), Term(("c",))))
    assert parse("title:(a OR b)") == Or((Term(("a",), title=True), Term(("b",), title=True)))
    assert parse("((a))") == Term(("a",))
    assert parse("a a b a") == And((Term(("a",)), Term(("b",))))
    assert parse("or and") == And((Term(("or",)), Term(("and",))))  # lower case: words


@pytest.mark.parametrize("text, reason", [
    ("-rumeur", "only exclusions"), ("NOT NOT a", "only exclusions"),
    ("a OR -b", "cannot be an alternative"),
    ("(" * 40 + "a", "too deeply"), ("a " * 12_000, "too long"),
])
def test_invalid_queries_explain_in_one_line(text, reason):
    with pytest.raises(InvalidQuery, match=reason) as error:
        parse(text)
    assert "\n" not in str(error.value)


def test_ten_kilobytes_of_text_is_a_query():
    text = ("Les négociations pour un cessez-le-feu reprennent à Genève, où les délégations "
            "se retrouvent depuis lundi. ") * 120
    assert len(text[:10_240].encode()) > 10_240
    assert len(positive_terms(parse(text[:10_240]))) > 5


def test_fts_query_quotes_every_term_and_tries_each_language():
    tree = parse("élections -\"cessez le feu\" title:négoc*")
    match = fts_query(tree, ALL_LANGUAGES)
    assert match == ('((("elect" OR "elections") AND title : "negoc" *) NOT '
                     '(("cess le feu" OR "cessez le feu")))')
    assert fts_query(parse("élections"), query_languages("fr")) == '"elect"'
    assert fts_query(parse("élections"), query_languages("de")) == '"elections"'


def test_snippet_marks_matches_in_the_original_text():
    text = ("Le conflit dure depuis des mois. Après de longues négociations, un cessez-le-feu "
            "a été signé à Genève, selon l'État.")
    found = snippet(text, positive_terms(parse("cessez-le-feu etat NEGOC*")), "fr",
                    ALL_LANGUAGES)
    assert render(found) == ("Le conflit dure depuis des mois. Après de longues [négociations], "
                             "un [cessez-le-feu] a été signé à Genève, selon l'[État].")
    assert render(f"a <b> {MARK_START}x & y{MARK_END}", "<mark>", "</mark>", html.escape) == \
        "a &lt;b&gt; <mark>x &amp; y</mark>"


def test_snippet_windows_a_long_text_and_strips_stray_marks():
    text = "mot " * 200 + f"les élections{MARK_START} municipales " + "fin " * 200
    found = snippet(text, positive_terms(parse("élection")), "fr", ALL_LANGUAGES)
    assert found.startswith("… ") and found.endswith(" …")
    assert found.count(MARK_START) == found.count(MARK_END) == 1
    assert f"{MARK_START}élections{MARK_END}" in found
    assert snippet("", positive_terms(parse("a")), None, ALL_LANGUAGES) == ""


def test_highlight_marks_a_whole_title():
    marked = highlight("Élections : le cessez-le-feu tient", positive_terms(
        parse("election cessez-le-feu")), "fr", ALL_LANGUAGES)
    assert render(marked, "<b>", "</b>") == "<b>Élections</b> : le <b>cessez-le-feu</b> tient"
    assert render(highlight_query("Les <élections>", "election", "fr"), "<b>", "</b>",
                  html.escape) == "Les &lt;<b>élections</b>&gt;"
