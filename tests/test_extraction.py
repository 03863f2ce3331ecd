"""End-to-end tests of ``newscrawler.extraction.extract`` on handwritten fixture pages."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newscrawler.extraction import EXTRACTOR, Article, Rejected, extract

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(PAGES.glob("*.json"))
PARAGRAPHS = (
    "<p>The regional council voted on Tuesday to extend the night bus network to the "
    "northern suburbs, a decision residents had campaigned for since the last election.</p>"
    "<p>Buses will run every thirty minutes between midnight and five in the morning, "
    "serving the hospital, the university campus and the two largest housing estates.</p>"
    "<p>Opposition members questioned the cost but did not vote against the plan, which "
    "the transport authority says will be paid for by savings on daytime routes.</p>"
)


def _page(head: str = "", body: str = "", body_class: str = "") -> bytes:
    return (
        f'<html lang="en"><head><meta charset="utf-8">{head}</head>'
        f'<body class="{body_class}"><article>{body}</article></body></html>'
    ).encode()


@pytest.mark.parametrize("spec_path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_pages_match_expected_json(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    body = spec_path.with_suffix(".html").read_bytes()
    article = extract(body, spec["url"], spec["headers"])
    assert isinstance(article, Article), article
    expected = spec["expected"]
    for name in ("title", "canonical_url", "authors", "language", "sitename", "description"):
        assert getattr(article, name) == expected[name], name
    assert article.published_at.isoformat() == expected["published_at"]
    assert article.modified_at.isoformat() == expected["modified_at"]
    for snippet in expected["text_contains"]:
        assert snippet in article.text
    for snippet in expected["text_excludes"]:
        assert snippet.casefold() not in article.text.casefold(), snippet
    assert article.url == spec["url"]
    assert article.extractor == EXTRACTOR == "trafilatura 2.3.1"


def test_french_dates_keep_their_own_offsets() -> None:
    body = (PAGES / "fr_wordpress_article.html").read_bytes()
    article = extract(body, "https://gazette.example/2024/03/05/le-coeur/")
    assert isinstance(article, Article)
    assert article.published_at == datetime(2024, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=1)))
    assert article.published_at.utcoffset() == timedelta(hours=1)
    assert article.modified_at.utcoffset() == timedelta(hours=2)
    assert article.text.count("\n") == 4  # five paragraphs, newline separated


def test_headline_is_not_repeated_as_first_body_line() -> None:
    body = (PAGES / "en_news_article.html").read_bytes()
    article = extract(body, "https://coastal.example/news/harbour-bridge-reopens")
    assert isinstance(article, Article)
    assert article.text.startswith("The harbour bridge reopened")


@pytest.mark.parametrize(
    ("body", "reason", "detail"),
    [
        (b"", "empty", ""),
        (b"   \n ", "empty", ""),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_html", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_html", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "not_html", "jpeg"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "not_html", "webp"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "not_html", "gzip"),
        (b"<html>\x00\x01\x02 binary junk</html>", "not_html", "binary"),
    ],
)
def test_non_html_bodies_are_rejected(body: bytes, reason: str, detail: str) -> None:
    result = extract(body, "https://x.example/a", {"Content-Type": "text/html"})
    assert result == Rejected(reason, detail)


def test_short_article_is_rejected_unless_forced() -> None:
    body = _page('<meta property="og:type" content="article">', "<p>Breaking: more soon.</p>")
    result = extract(body, "https://x.example/news/breaking")
    assert isinstance(result, Rejected) and result.reason in {"too_short", "no_content"}
    forced = extract(body, "https://x.example/news/breaking", force_article=True)
    assert isinstance(forced, Article)
    assert "Breaking: more soon." in forced.text


def test_non_article_page_is_rejected_with_its_kind() -> None:
    body = _page(body=PARAGRAPHS, body_class="archive tag tag-velo")
    assert extract(body, "https://x.example/tag/velo/") == Rejected("not_article", "tag")


def test_force_article_skips_classification() -> None:
    body = _page(body=PARAGRAPHS, body_class="archive category")
    result = extract(body, "https://x.example/category/news/", force_article=True)
    assert isinstance(result, Article)
    assert "night bus network" in result.text


def test_hints_fill_only_what_the_page_lacks() -> None:
    body = (
        '<html><head><meta property="og:type" content="article"></head><body><article>'
        + PARAGRAPHS
        + "</article></body></html>"
    ).encode()
    hints = {
        "title": "Night buses reach the suburbs",
        "published_at": "2024-02-01T06:00:00+01:00",
        "language": "en-US",
        "authors": ["Ann Lee"],
    }
    article = extract(body, "https://x.example/news/night-buses", hints=hints)
    assert isinstance(article, Article)
    assert article.title == "Night buses reach the suburbs"
    assert article.published_at.isoformat() == "2024-02-01T06:00:00+01:00"
    assert article.language == "en"
    assert article.authors == ["Ann Lee"]
    declared = _page(
        '<meta property="og:type" content="article"><title>Declared title</title>'
        '<meta property="article:published_time" content="2024-01-31T22:00:00Z">'
        '<meta name="author" content="Par Marc Petit et Zoé Roy">',
        PARAGRAPHS,
    )
    article = extract(declared, "https://x.example/news/night-buses", hints=hints)
    assert isinstance(article, Article)
    assert article.title == "Declared title"
    assert article.published_at == datetime(2024, 1, 31, 22, tzinfo=UTC)
    assert article.authors == ["Marc Petit", "Zoé Roy"]


def test_zoneless_jsonld_time_borrows_the_meta_offset() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-07-01T09:00:00", "dateModified": "2024-07-01"}</script>'
        '<meta property="article:modified_time" content="2024-07-01T18:20:00+02:00">'
    )
    article = extract(_page(head, PARAGRAPHS), "https://x.example/news/a")
    assert isinstance(article, Article)
    assert article.published_at.isoformat() == "2024-07-01T09:00:00+02:00"
    # The JSON-LD modified value is date-only; the meta tag gives the time on that day.
    assert article.modified_at.isoformat() == "2024-07-01T18:20:00+02:00"


def test_date_only_value_becomes_utc_midnight() -> None:
    head = '<meta property="og:type" content="article"><meta name="date" content="2024-05-20">'
    article = extract(_page(head, PARAGRAPHS), "https://x.example/news/a")
    assert isinstance(article, Article)
    assert article.published_at == datetime(2024, 5, 20, tzinfo=UTC)
    assert article.modified_at is None


def test_language_is_guessed_when_undeclared() -> None:
    french = (
        "<p>Le conseil municipal a voté mardi la prolongation des lignes de bus de nuit "
        "vers les quartiers du nord, une décision que les habitants attendaient depuis "
        "la dernière élection et que la majorité présente comme une priorité pour la ville.</p>"
    )
    body = (
        '<html><head><meta property="og:type" content="article"></head><body>'
        f"<article>{french * 3}</article></body></html>"
    ).encode()
    article = extract(body, "https://x.example/actu/bus")
    assert isinstance(article, Article)
    assert article.language == "fr"


def test_furniture_around_the_body_is_left_out_but_tables_kept() -> None:
    body = (
        '<html><head><meta property="og:type" content="article"></head><body>'
        '<div class="post has-comments"><div class="entry">'
        + PARAGRAPHS
        + "<table><tr><td>Route</td><td>N14</td></tr></table></div>"
        '<div class="newsletter-signup"><p>Sign up to our newsletter</p></div>'
        '</div><div id="comments"><p>Nice article, thanks for writing it up!</p></div>'
        "</body></html>"
    ).encode()
    article = extract(body, "https://x.example/news/night-buses")
    assert isinstance(article, Article)
    assert "night bus network" in article.text and "N14" in article.text
    assert "Sign up" not in article.text and "Nice article" not in article.text


def test_extract_is_picklable_for_worker_processes() -> None:
    assert pickle.loads(pickle.dumps(extract)) is extract


def test_content_language_header_and_datetime_hint() -> None:
    body = (
        '<html><head><meta property="og:type" content="article"></head>'
        f"<body><article>{PARAGRAPHS}</article></body></html>"
    ).encode()
    hints = {"published_at": datetime(2024, 2, 1, 6, tzinfo=timezone(timedelta(hours=1)))}
    headers = {"Content-Language": "de-DE", "Content-Type": "text/html"}
    article = extract(body, "https://x.example/news/a", headers, hints=hints)
    assert isinstance(article, Article)
    assert article.language == "de"
    assert article.published_at == hints["published_at"]


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x01", "\x1f", "\ufffe"])
def test_control_characters_do_not_fail_the_page(control: str) -> None:
    # Found by the property tests: lxml refused to set a title holding a control character
    # (trafilatura copies text into new elements), so extract() raised ValueError.
    paragraphs = "".join(f"<p>Paragraph {i} of a story that is long enough{control} to keep "
                         "as an article body.</p>" for i in range(8))
    page = f"<html><head><title>A{control}title</title></head><body><h1>A{control}title</h1>"
    result = extract((page + paragraphs + "</body></html>").encode(), "https://ex.com/a/b",
                     force_article=True)
    assert isinstance(result, Article)
    assert result.title in ("A title", "Atitle")
    assert control not in result.text and "long enough" in result.text


def test_comments_between_a_paragraphs_text_nodes_do_not_cut_it_short() -> None:
    # Server-rendered React pages put <!-- --> between a paragraph's text nodes; trafilatura,
    # reading a tree that kept them, dropped the paragraph's text after the first one (an
    # eval page lost half its sentences). Its own parser keeps no comments: nor does ours.
    sentence = ("But just because no one <!-- -->ran on impeachment<!-- --> does not mean it "
                "was not in the air, and voters handed the president a clear defeat.")
    body = _page(body=PARAGRAPHS + f"<p>{sentence}</p>")
    article = extract(body, "https://x.example/news/a", force_article=True)
    assert isinstance(article, Article)
    assert ("But just because no one ran on impeachment does not mean it was not in the air, "
            "and voters handed the president a clear defeat.") in article.text


def test_navigation_is_dropped_once_the_page_is_read_and_its_links_kept() -> None:
    from newscrawler.analysis.page import analyse_page

    menu = "".join(f'<li><a href="/section-{i}/">Section {i}</a></li>' for i in range(12))
    page = (f'<html lang="en"><head><title>Night buses</title>'
            f'<meta property="og:type" content="article"></head><body>'
            f'<nav><ul>{menu}</ul><p>Menu and navigation for every reader of the site, with '
            f'links to each section of the newspaper and its regional editions.</p></nav>'
            f'<article><h1>Night buses</h1>{PARAGRAPHS}</article></body></html>').encode()
    analysis = analyse_page(page, "https://x.example/news/a", {}, follow=True)
    assert "https://x.example/section-11/" in analysis.links  # read before extraction
    assert analysis.kind == "article" and analysis.article is not None
    assert "Buses will run every thirty minutes" in analysis.article.text
    assert "navigation" not in analysis.article.text and "Section 1" not in analysis.article.text
    # the tree the readings copy has no navigation left (extract_tree changes its tree)
    from newscrawler.extraction import extract_tree, parse_page

    tree = parse_page(page, {})
    assert not isinstance(tree, Rejected) and tree.find(".//nav") is not None
    assert isinstance(extract_tree(tree, "https://x.example/news/a"), Article)
    assert tree.find(".//nav") is None and tree.find(".//article") is not None
