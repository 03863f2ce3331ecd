"""The soak (``make soak``, ``benchmarks.soak``) at 500 pages: the same code path as the
10,000-page run, so the default suite keeps it working. Its figures are in
docs/reliability.md ("Soak")."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks import soak
from benchmarks.procs import Sample
from benchmarks.soak_site import ARTICLE_KINDS, KINDS, SoakSite


@pytest.mark.e2e
def test_a_small_soak_archives_exactly_the_expected_articles(tmp_path):
    result = soak.run(500, tmp_path, timeout=240)

    assert result.failures() == []
    assert result.returncode == 0
    assert sorted(result.stored) == sorted(result.expected)  # each once
    assert result.versions == len(result.expected)
    assert set(result.hostile) == set(KINDS)
    assert result.unanswered_hostile == [] and result.robots_violations == []
    # Every hostile page that is no article left a counted trace, none a row.
    assert result.stats["newscrawler/dropped/not_html"] >= 1  # the PDF served as HTML
    assert result.stats["newscrawler/errors/DownloadTimeoutError"] >= 1
    assert result.stats["newscrawler/errors/ResponseDataLossError"] >= 1
    assert len(result.samples) >= 2
    assert "exit status         0" in soak.report(result)


def test_the_site_expects_its_articles_and_the_hostile_ones_that_are_articles():
    site = SoakSite(500)
    base = "http://127.0.0.1:1"
    expected = site.expected_articles(base)
    hostile = {base + path: kind for path, kind in site.hostile_paths().items()}

    assert len(site.hostile) == len(KINDS)
    assert len(expected) == 500 - len(KINDS) + len(ARTICLE_KINDS)
    assert {kind for url, kind in hostile.items() if url in expected} == set(ARTICLE_KINDS)
    assert len({a.text for a in site.articles}) == len(site.articles)  # no duplicates


def _result(stored: list[str], main_mib: tuple[float, float], **changes) -> soak.SoakResult:
    samples = [Sample(seconds=s, rss_mib=main + 100, main_mib=main, processes=3, progress=p)
               for s, p, main in ((0, 0, 100), (1, 25, main_mib[0]), (2, 100, main_mib[1]))]
    fields = dict(pages=100, hostile=Counter(KINDS), expected={"a", "b", "c"}, stored=stored,
                  versions=len(stored), returncode=0, seconds=2.0, samples=samples, served=100)
    return soak.SoakResult(**{**fields, **changes})


def test_the_soak_passes_an_exact_archive_and_flat_memory():
    assert _result(["a", "b", "c"], (150, 150 + soak.FLAT_GROWTH_MIB - 1)).failures() == []


@pytest.mark.parametrize(("stored", "memory", "changes", "failure"), [
    (["a", "b"], (150, 150), {}, "1 expected articles not archived, e.g. c"),
    (["a", "b", "c", "d"], (150, 150), {}, "1 unexpected articles archived, e.g. d"),
    (["a", "b", "c", "c"], (150, 150), {}, "1 articles archived twice, e.g. c"),
    (["a", "b", "c"], (150, 150), {"versions": 4}, "4 versions for 3 articles"),
    (["a", "b", "c"], (150, 150), {"returncode": 1}, "scrapy crawl news exited 1"),
    (["a", "b", "c"], (150, 150 + soak.FLAT_GROWTH_MIB), {}, "crawl process grew"),
    (["a", "b", "c"], (150, 150), {"robots_violations": ["/private/0.html"]},
     "robots.txt not obeyed"),
    (["a", "b", "c"], (150, 150), {"unanswered_hostile": ["/x"]}, "never requested"),
])
def test_the_soak_fails_on_each_broken_expectation(stored, memory, changes, failure):
    failures = _result(stored, memory, **changes).failures()

    assert len(failures) == 1 and failure in failures[0]
