"""The body text: split-body reunion, the precise/recall choice and furniture lines."""

from __future__ import annotations

import lxml.html
import pytest

from newscrawler.extraction import Article, body, extract
from newscrawler.extraction.body import choose_text, extract_body
from newscrawler.extraction.cleaning import merge_split_bodies
from newscrawler.extraction.core import parse_html
from newscrawler.extraction.furniture import drop_furniture_lines, is_furniture_line

SENTENCES = [
    f"Paragraph {n} of the report explains, in some detail, how the council "
    f"plans to fund the new night bus routes over the coming {n + 2} years."
    for n in range(1, 9)
]


def _paragraphs(numbers: range) -> str:
    return "".join(f"<p>{SENTENCES[n]}</p>" for n in numbers)


def test_split_body_chunks_are_reunited_in_document_order() -> None:
    html = (
        '<html><body><div class="story">'
        f'<div class="chunk">{_paragraphs(range(0, 4))}</div>'
        '<div class="ad"><p>Advertisement</p></div>'
        f'<div class="chunk">{_paragraphs(range(4, 8))}</div>'
        "</div></body></html>"
    )
    tree = parse_html(html)
    assert tree is not None
    assert merge_split_bodies(tree) == 1
    first = tree.find_class("chunk")[0]
    texts = [p.text_content() for p in first.iter("p")]
    assert texts == SENTENCES[:8]


def test_differently_classed_blocks_are_not_merged() -> None:
    html = (
        f'<html><body><div class="body">{_paragraphs(range(0, 5))}</div>'
        f'<div class="teasers">{_paragraphs(range(5, 7))}</div></body></html>'
    )
    tree = parse_html(html)
    assert tree is not None
    assert merge_split_bodies(tree) == 0


def test_extract_keeps_every_chunk_of_a_split_body() -> None:
    html = (
        '<html><head><meta property="og:type" content="article"></head><body>'
        f'<div class="grid"><div class="article-body">{_paragraphs(range(0, 4))}</div>'
        '<div class="rail"><a href="/x">Most popular</a></div></div>'
        '<div class="ad-row"><span>Advertisement</span></div>'
        f'<div class="grid"><div class="article-body">{_paragraphs(range(4, 8))}</div></div>'
        "</body></html>"
    ).encode()
    article = extract(body=html, url="https://x.example/news/split")
    assert isinstance(article, Article)
    assert SENTENCES[0] in article.text and SENTENCES[7] in article.text


def test_precise_text_is_kept_against_a_trailing_blurb() -> None:
    precise = "\n".join(SENTENCES[:5])
    blurb = "Sign up to our newsletter and get the essential news every single morning for free."
    assert choose_text(precise, precise + "\n" + blurb) == precise


def test_recall_text_wins_when_it_adds_paragraphs_of_the_same_article() -> None:
    precise = "\n".join(SENTENCES[:3])
    recall = "\n".join(SENTENCES)
    assert choose_text(precise, recall) == recall


def test_recall_text_with_other_content_or_no_prose_is_refused() -> None:
    precise = "\n".join(SENTENCES[:4])
    other = "\n".join(s.replace("council", "club") for s in SENTENCES)
    assert choose_text(precise, other + "\n" + other) == precise
    menu = "\n".join(["Home", "World", "Sport", "Culture", "Contact"] * 40)
    assert choose_text(precise, precise + "\n" + menu) == precise


def test_an_empty_precise_reading_falls_back_to_recall() -> None:
    assert choose_text("", "\n".join(SENTENCES)) == "\n".join(SENTENCES)


def test_extract_body_reads_copies_and_leaves_the_tree_intact() -> None:
    tree = parse_html(f"<html><body><article>{_paragraphs(range(0, 6))}</article></body></html>")
    assert tree is not None
    before = lxml.html.tostring(tree)
    assert SENTENCES[5] in extract_body(tree, "https://x.example/a")
    assert lxml.html.tostring(tree) == before


def test_furniture_lines_are_dropped() -> None:
    for line in (
        "À lire aussi » Ballonnements : quel est votre profil digestif ?",
        "Lire aussi Les privatisations au profit d'intérêts privés",
        "Read more: the council's night bus plan",
        "Crédits photos : Bestimage",
        "Image illustrative : Lego minifigures, licence Creative Commons",
        "Photo: Ann Lee / Reuters",
    ):
        assert is_furniture_line(line), line


def test_prose_that_merely_starts_like_furniture_is_kept() -> None:
    for line in (
        "Related parties agreed to the deal on Tuesday after months of talks.",
        "Photo: " + "a long caption that is really a paragraph of the story. " * 5,
        "Lire aussi " + "un long paragraphe qui continue bien au-delà d'un titre. " * 4,
    ):
        assert not is_furniture_line(line), line
    text = "First paragraph.\nÀ lire aussi : autre chose\nLast paragraph."
    assert drop_furniture_lines(text) == "First paragraph.\nLast paragraph."


def _fake_readings(monkeypatch: pytest.MonkeyPatch, texts: dict[str, str]) -> list[str]:
    """Make readings return ``texts[mode]`` (recall, fast precise, full precise); log modes."""
    made: list[str] = []

    def read(**options: object) -> str:
        mode = (
            "recall" if options.get("favor_recall") else "fast" if options.get("fast") else "full"
        )
        made.append(mode)
        return texts[mode]

    monkeypatch.setattr(body, "_reader", lambda tree, url: read)
    return made


def test_precise_reading_skips_trafilaturas_fallbacks_when_it_holds_the_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = "\n".join(SENTENCES)
    made = _fake_readings(monkeypatch, {"recall": article, "fast": article, "full": ""})
    assert body.extract_body(_tree(), "https://x.example/a") == article
    assert made == ["recall", "fast"]


def test_a_precise_reading_that_lost_the_article_is_made_again_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = "\n".join(SENTENCES)
    texts = {"recall": article + "\nMore from the site", "fast": SENTENCES[0], "full": article}
    made = _fake_readings(monkeypatch, texts)
    assert body.extract_body(_tree(), "https://x.example/a") == article
    assert made == ["recall", "fast", "full"]


def _tree() -> lxml.html.HtmlElement:
    tree = parse_html("<html><body><p>x</p></body></html>")
    assert tree is not None
    return tree
