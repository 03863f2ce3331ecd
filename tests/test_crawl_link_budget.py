"""End to end: one article carrying 50,000 links to one URL shape, each a 404.

Before link following moved into the spider, the per-shape budget counted only pages already
fetched and classified, so links scheduled together from one page all passed it and 404s
never counted: this crawl requested 9,562 of them in four minutes and went on. Now at most
NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE requests of one shape are in flight, non-article answers
(404s included) use the shape's budget up, and the crawl ends in seconds.
"""

from __future__ import annotations

import pytest

from newscrawler.api import Archive
from newscrawler.demo import SiteServer
from tests.crawling import run_crawl
from tests.sites.manylinks import STORY, ManyLinksSite

pytestmark = pytest.mark.e2e
BUDGET = 20


def test_a_page_of_50000_links_to_one_shape_costs_at_most_the_budget(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with SiteServer(ManyLinksSite()) as server:
        result = run_crawl([f"url={server.base_url}/"], db_url, tmp_path / "warc", timeout=120,
                           settings={"NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE": str(BUDGET)})
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    shaped = [p for p in paths if p.startswith("/x/")]
    assert 0 < len(shaped) <= BUDGET, len(shaped)
    with Archive(db_url) as archive:
        assert [r["title"] for r in archive.records()] == [STORY.title]
    assert "'newscrawler/discovery/page_link_limit': 49000" in result.log
