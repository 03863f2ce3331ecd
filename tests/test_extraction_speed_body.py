"""The cheaper extraction path gives what the plain one gives: both paths, page by page.

Readings that share trafilatura's raw-tree pruning (``trafilatura_internals``, on its
private API, gated on the verified version) must give the texts of ``bare_extraction``
itself.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import trafilatura.core

from newscrawler import version_gate
from newscrawler.extraction import body, trafilatura_internals
from newscrawler.extraction.cleaning import merge_split_bodies
from newscrawler.extraction.core import parse_html
from newscrawler.extraction.decoding import decode_html
from newscrawler.extraction.trafilatura_internals import SharedReadings, shared_reader

PAGES = Path(__file__).parent / "fixtures" / "pages"
CONSTRAINTS = (Path(__file__).parents[1] / "constraints.txt").read_text("utf-8")
# The readings extract_body makes, and a few more option sets.
READINGS: list[dict[str, Any]] = [
    {"favor_recall": True, "target_language": "en"},
    {"favor_recall": True},
    {"favor_precision": True, "fast": True},
    {"favor_precision": True, "target_language": "en"},
    {"favor_precision": True, "target_language": "fr"},
    {"favor_recall": True, "fast": True, "target_language": "fr"},
]
SENTENCES = [
    f"Paragraph {n} of the report explains, in some detail, how the council plans to fund "
    f"the new night bus routes over the coming {n + 2} years, and who will pay for them."
    for n in range(1, 9)
]
ARTICLE = "".join(f"<p>{s}</p>" for s in SENTENCES)
SYNTHETIC = {
    # comment sections and lists: pruned from the raw tree when comments are off
    "comments": (
        f'<html lang="en"><body><article><h1>Night buses</h1>{ARTICLE}</article>'
        '<div id="comments" class="comments"><ol class="comment-list">'
        + "".join(f"<li><p>Reader {n} thinks the plan is far too expensive for a town "
                  f"of this size and says so at length.</p></li>" for n in range(6))
        + "</ol></div><ul class='related'><li><a href='/a'>Other story</a></li></ul>"
        "</body></html>"
    ),
    # an infinite-scroll container of appended articles, the raw-tree prune's other target
    "appended": (
        f'<html lang="en"><body><div class="mvp-post-main"><h1>Night buses</h1>{ARTICLE}'
        '</div><div class="mvp-post-add-box"><h2>Next story</h2>'
        + "".join(f"<p>Another article entirely, paragraph {n}, about the weather on the "
                  f"coast and the fishing boats that stayed in port.</p>" for n in range(8))
        + "</div></body></html>"
    ),
    # too short for trafilatura's main extractor: fallbacks and the recall baseline rescue
    "short": '<html><body><div><span>Short note.</span> <b>Buses</b> run at night.</div>'
             '<div>Timetables online.</div></body></html>',
    # a div soup: readability and jusText are consulted by the full precise reading
    "divs": "<html lang='fr'><body>" + "".join(
        f"<div class='x{n}'>{s} <a href='/l{n}'>link</a></div>" for n, s in enumerate(SENTENCES)
    ) + "<div class='nav'>" + " ".join(f"<a href='/n{n}'>Nav {n}</a>" for n in range(30))
      + "</div></body></html>",
    # the page declares another language than a reading's target: trafilatura rejects it
    "other_language": f'<html><head><meta http-equiv="content-language" content="de"></head>'
                      f"<body><article>{ARTICLE}</article></body></html>",
}


def _fixture_pages() -> list[tuple[str, str]]:
    pages = [(path.stem, path.read_text("utf-8")) for path in sorted(PAGES.glob("*.html"))]
    return pages + sorted(SYNTHETIC.items())


def _site_pages() -> list[tuple[str, str]]:
    """Every article of the demo and trap sites (both in this repository), as served."""
    from newscrawler.demo import demo_site
    from tests.sites.trapsite import trap_site

    pages = []
    for site in (demo_site(), trap_site()):
        for article in site.articles:
            response = site.handle("GET", article.path, {"Host": "site.example"})
            if response.status == 200:
                pages.append((article.path, decode_html(response.body, response.headers)))
    return pages


def _assert_shared_readings_match(html: str, url: str) -> None:
    tree = parse_html(html)
    assert tree is not None
    merge_split_bodies(tree)
    before = lxml.html.tostring(tree)
    core = trafilatura_internals.internals()
    assert core is not None
    shared = SharedReadings(core, tree, url, body.public_reading)
    for options in READINGS:
        assert shared.read(**options) == body.public_reading(tree, url, **options), options
    # The readings left both the page's tree and the shared pruned tree as they were.
    assert lxml.html.tostring(tree) == before
    fresh = SharedReadings(core, tree, url, body.public_reading)
    assert lxml.html.tostring(shared.pruned_tree()) == lxml.html.tostring(fresh.pruned_tree())


@pytest.mark.parametrize(("name", "html"), _fixture_pages(), ids=lambda v: v[:20])
def test_shared_pruning_reads_what_bare_extraction_reads(name: str, html: str) -> None:
    _assert_shared_readings_match(html, f"https://x.example/{name}")


def test_shared_pruning_prunes_what_trafilatura_prunes() -> None:
    for name, pruned_away in (("comments", "Reader 1"), ("appended", "Another article")):
        tree = parse_html(SYNTHETIC[name])
        assert tree is not None
        core = trafilatura_internals.internals()
        assert core is not None
        pruned = SharedReadings(core, tree, "https://x.example/", body.public_reading) \
            .pruned_tree()
        assert SENTENCES[0] in pruned.text_content()
        assert pruned_away not in pruned.text_content()
        assert pruned_away in tree.text_content()  # the page's own tree is left whole


def test_shared_pruning_reads_what_bare_extraction_reads_on_site_pages() -> None:
    pages = _site_pages()
    assert len(pages) >= 30
    for path, html in pages:
        _assert_shared_readings_match(html, f"https://site.example{path}")


def test_forum_pages_and_missing_internals_take_the_public_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "https://x.example/"
    tree = parse_html(SYNTHETIC["comments"])
    assert tree is not None
    assert shared_reader(tree, url, body.public_reading) is not None
    forum = parse_html(
        '<html><head><script type="application/ld+json">{"@type": "DiscussionForumPosting"}'
        f"</script></head><body>{ARTICLE}</body></html>"
    )
    assert forum is not None
    assert shared_reader(forum, url, body.public_reading) is None

    monkeypatch.setattr(trafilatura_internals, "internals", lambda: None)
    assert shared_reader(tree, url, body.public_reading) is None
    read = body._reader(tree, url)
    assert read(favor_recall=True) == body.public_reading(tree, url, favor_recall=True)


def test_internals_are_off_when_trafilatura_lacks_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(trafilatura.core, "_prepare_tree")
    trafilatura_internals.internals.cache_clear()
    try:
        assert trafilatura_internals.internals() is None
    finally:
        trafilatura_internals.internals.cache_clear()


def test_internals_are_off_on_any_other_trafilatura_version(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(trafilatura_internals, "verified",
                        lambda *a: version_gate.verified(*a, installed="9.9.9"))
    trafilatura_internals.internals.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            assert trafilatura_internals.internals() is None
    finally:
        trafilatura_internals.internals.cache_clear()
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == ("the shared-pruning readings: verified against trafilatura 2.3.1, "
                       "found 9.9.9; using the public path instead")


def test_the_verified_version_is_the_pinned_one() -> None:
    """Upgrading trafilatura in constraints.txt means verifying the hook again."""
    assert trafilatura_internals.VERIFIED == version_gate.installed_version("trafilatura")
    assert f"trafilatura=={trafilatura_internals.VERIFIED}" in CONSTRAINTS
