"""Tests of metadata helpers: authors, languages, canonical URL, JSON-LD reading."""

from __future__ import annotations

import pytest

from newscrawler.extraction import jsonld
from newscrawler.extraction.core import parse_html
from newscrawler.extraction.metadata import (
    canonical_url,
    clean_authors,
    declared_authors,
    iso639_1,
    meta_map,
)


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By Jane Doe, John Smith and Ann Lee", ["Jane Doe", "John Smith", "Ann Lee"]),
        ("Par Hélène Garçon et Jean-Luc Bœuf", ["Hélène Garçon", "Jean-Luc Bœuf"]),
        ("Andrew Anderson & Etienne Martin", ["Andrew Anderson", "Etienne Martin"]),
        ("by  Jane Doe; Jane Doe", ["Jane Doe"]),
        ("https://x.example/author/jane", []),
    ],
)
def test_clean_authors(raw: str, names: list[str]) -> None:
    assert clean_authors([raw]) == names


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("fr-FR", "fr"),
        ("fr_FR", "fr"),
        ("EN", "en"),
        ("fra", "fr"),
        ("x-default", None),
        ("", None),
        (None, None),
        ("de-DE, en", "de"),
    ],
)
def test_iso639_1(value: str | None, code: str | None) -> None:
    assert iso639_1(value) == code


def test_canonical_prefers_link_then_og_url_and_resolves_relative() -> None:
    tree = parse_html(
        '<html><head><link rel="Canonical" href="/a/b"><meta property="og:url" '
        'content="https://other.example/c"></head><body></body></html>'
    )
    assert tree is not None
    assert canonical_url(tree, meta_map(tree), "https://x.example/a/b?x=1") == (
        "https://x.example/a/b"
    )
    tree = parse_html('<html><head><meta property="og:url" content="/c"></head></html>')
    assert tree is not None
    assert canonical_url(tree, meta_map(tree), "https://x.example/a") == "https://x.example/c"


def test_jsonld_graph_references_and_invalid_blocks() -> None:
    tree = parse_html(
        '<html><head><script type="application/ld+json">{broken</script>'
        '<script type="application/ld+json"><!--{"@graph": [{"@type": "http://schema.org/NewsArticle",'
        ' "author": [{"@id": "#p1"}, "Zoé Roy"], "description": "line\none"},'
        ' {"@type": "Person", "@id": "#p1", "name": "Marc Petit"}]}--></script></head></html>'
    )
    assert tree is not None
    nodes = jsonld.page_nodes(tree)
    assert [jsonld.types_of(n) for n in nodes] == [{"newsarticle"}, {"person"}]
    assert declared_authors(nodes, {}) == ["Marc Petit", "Zoé Roy"]
    assert jsonld.text_field(jsonld.article_node(nodes), "description") == "line\none"


def test_meta_map_reads_itemprop_elements_and_keeps_first() -> None:
    tree = parse_html(
        '<html><head><meta name="Author" content="A"><meta name="author" '
        'content="B"></head><body><time itemprop="datePublished" '
        'datetime="2024-01-01T10:00Z">x</time></body></html>'
    )
    assert tree is not None
    assert meta_map(tree) == {"author": "A", "datepublished": "2024-01-01T10:00Z"}


def test_an_unusable_canonical_gives_way_to_og_url() -> None:
    # Found by the property tests: a canonical of "a://[" made extract() raise ValueError.
    tree = parse_html('<html><head><link rel="canonical" href="a://["><meta property="og:url" '
                      'content="/c"></head></html>')
    assert tree is not None
    assert canonical_url(tree, meta_map(tree), "https://x.example/a") == "https://x.example/c"
    tree = parse_html('<html><head><link rel="canonical" href="http://[::1"></head></html>')
    assert tree is not None
    assert canonical_url(tree, meta_map(tree), "https://x.example/a") is None
