"""End to end: ``scrapy crawl news -a url=...`` against a WordPress-like French news site
full of traps (tests/sites/trapsite.py), in a subprocess, as cron runs it."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from newscrawler.api import Archive
from newscrawler.demo import SiteServer
from tests.crawling import run_crawl
from tests.sites.trapsite import trap_site

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of the trap site, shared by the assertions below."""
    tmp = tmp_path_factory.mktemp("trap")
    site = trap_site()
    db_url = f"sqlite:///{tmp / 'archive.sqlite3'}"
    with SiteServer(site) as server:
        result = run_crawl([f"url={server.base_url}/"], db_url, tmp / "warc",
                           settings={"LOG_LEVEL": "INFO"})
        paths = server.paths()
        base = server.base_url
    with Archive(db_url) as archive:
        records = list(archive.records())
    return site, base, result, paths, records


def test_crawl_succeeds_within_bounds(crawled):
    _, _, result, _, _ = crawled
    assert result.returncode == 0, result.log[-3000:]
    assert result.peak_rss_mib < 400, result.peak_rss_mib


def test_every_article_archived_exactly_once(crawled):
    site, base, _, _, records = crawled
    urls = [r["canonical_url"] for r in records]
    assert len(urls) == len(set(urls))
    assert set(urls) == site.article_urls(base)


def test_articles_are_clean_and_complete(crawled):
    site, base, _, _, records = crawled
    by_url = {r["canonical_url"]: r for r in records}
    for expected in site.expected(base):
        record = by_url[expected["canonical_url"]]
        assert record["title"] == expected["title"]
        assert record["authors"] == expected["authors"]
        assert record["language"] == "fr"
        for field in ("published_at", "modified_at"):
            got = datetime.fromisoformat(record[field])
            want = datetime.fromisoformat(expected[field])
            assert got == want and got.utcoffset() is not None, (field, got, want)
        for snippet in expected["snippets"]:
            assert snippet in record["text"], (record["url"], snippet)
        for snippet in expected["absent"]:
            assert snippet not in record["text"], (record["url"], snippet)


def test_accents_right_whatever_the_declared_encoding(crawled):
    site, base, _, _, records = crawled
    by_url = {r["canonical_url"]: r for r in records}
    for kind in ("windows-1252", "mismatch", "bom"):
        record = by_url[base + site.special_paths[kind]]
        text = record["title"] + record["text"]
        assert "Ã" not in text and "\ufffd" not in text, kind
        assert any(ch in text for ch in "éèàç"), kind


def test_nothing_forbidden_or_private_requested(crawled):
    site, _, result, paths, _ = crawled
    for path in paths:
        assert not path.startswith(site.forbidden_paths), path
    assert "/admin" not in paths  # the redirect to 127.0.0.2 was refused, not followed
    assert "Refused http://10.0.0.1/secret" in result.log
    assert "Refused http://127.0.0.2" in result.log
    assert "Refused http://example.invalid/" in result.log


def test_traps_stay_bounded(crawled):
    _, _, result, paths, _ = crawled
    calendar = [p for p in paths if p.startswith("/calendrier/")]
    assert 0 < len(calendar) <= 100, len(calendar)
    assert not any("sessionid=" in p for p in paths)  # session ids are not new pages
    assert paths.count("/bombe/") <= 1
    assert paths.count("/lent/") <= 2  # one retry, each cut at DOWNLOAD_TIMEOUT
    stats = _stats(result.log)
    assert stats["newscrawler/dropped/not_html"] == 2  # the PDF and the PNG
    assert "exceeded DOWNLOAD_MAXSIZE" in result.log  # the bomb, cut at 16 MiB


def test_non_articles_not_stored(crawled):
    _, _, _, _, records = crawled
    for r in records:
        path = r["url"].split("/", 3)[3]
        assert not path.startswith(("category/", "tag/", "author/", "calendrier/", "docs/",
                                    "galerie/", "contact", "a-propos", "ancien-article")), path
        assert "amp/" not in path


def _stats(log: str) -> dict[str, int]:
    """The integer counters of Scrapy's final stats dump."""
    dump = log[log.rfind("Dumping Scrapy stats:"):]
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+),?$", dump, re.M)}
