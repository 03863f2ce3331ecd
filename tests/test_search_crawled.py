"""End to end: crawl the bundled demo site (French and English) and the French trap site with
``scrapy crawl news``, then search what the crawl archived, as a researcher would."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner

from newscrawler.api import Archive
from newscrawler.cli import main
from newscrawler.demo import SiteServer, demo_site
from newscrawler.search.analyzer import fold
from tests.crawling import run_crawl
from tests.sites.trapsite import trap_site

pytestmark = pytest.mark.e2e


def _crawl(tmp_path_factory, name: str, site) -> str:
    tmp = tmp_path_factory.mktemp(name)
    db_url = f"sqlite:///{tmp / 'archive.sqlite3'}"
    with SiteServer(site) as server:
        result = run_crawl([f"url={server.base_url}/"], db_url, tmp / "warc")
    assert result.returncode == 0, result.log[-3000:]
    return db_url


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    return _crawl(tmp_path_factory, "demo", demo_site())


@pytest.fixture(scope="module")
def french_url(tmp_path_factory) -> str:
    return _crawl(tmp_path_factory, "french", trap_site())


def titles(hits) -> set[str]:
    return {hit.title for hit in hits}


def test_the_index_holds_every_crawled_article(demo_url, french_url):
    for url in (demo_url, french_url):
        with Archive(url) as archive, archive.engine.connect() as connection:
            assert archive.backend.indexed(connection) == archive.count() > 5


def test_demo_site_language_aware_search(demo_url):
    with Archive(demo_url) as archive:
        assert titles(archive.search("hirondelle")) == {
            "Les hirondelles reviennent de plus en plus tôt, selon un comptage participatif"}
        assert {"Students build a solar-powered weather station on the school roof",
                "Central library trials late opening hours for students"} <= titles(
            archive.search("student"))
        assert titles(archive.search("COMETE")) == titles(archive.search("comète")) != set()
        cycle = titles(archive.search('"piste cyclable"'))
        assert cycle and not cycle & titles(archive.search("piste -cyclable"))
    result = CliRunner().invoke(main, ["--db", demo_url, "search", "cessez-le-feu"])
    assert result.exit_code == 0 and result.stdout == "no match\n"


def _containing(records: list[dict], word: str) -> set[str]:
    return {r["title"] for r in records
            if word in fold(" ".join([r["title"], r["description"] or "", r["text"]]))}


def test_french_site_plurals_accents_and_dates(french_url):
    with Archive(french_url) as archive:
        records = list(archive.records())
        plural = _containing(records, "exemplaires")
        assert plural, "the trap site's DGA orders should mention exemplaires"
        singular = titles(archive.search("exemplaire", limit=500))
        assert plural <= singular <= _containing(records, "exemplaire")
        accented = titles(archive.search("équipages", limit=500))
        assert accented and accented == titles(archive.search("EQUIPAGES", limit=500))
        dated = [r for r in records if r["published_at"]]
        middle = sorted(r["published_at"] for r in dated)[len(dated) // 2][:10]
        for hit in archive.search("programme", since=middle, limit=500):
            assert (hit.published_at or hit.first_seen_at)[:10] >= middle
        assert datetime.fromisoformat(middle) and archive.count(query="programme") > len(
            archive.search("programme", since=middle, limit=500))
