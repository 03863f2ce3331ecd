"""The crawl process settles its heap once set up (``newscrawler.memory.settle``)."""

from __future__ import annotations

import json
import re

from newscrawler import memory, settings
from newscrawler.demo import SiteServer, demo_site
from tests.crawling import final_stats, run_crawl


def test_the_crawl_process_freezes_its_start_up_heap_when_the_spider_opens(tmp_path):
    extensions = {**settings.EXTENSIONS, "tests.crawling.HeapProbe": 1}
    with SiteServer(demo_site()) as server:
        result = run_crawl([f"url={server.base_url}/"], f"sqlite:///{tmp_path / 'a.sqlite3'}",
                           tmp_path / "warc", settings={"EXTENSIONS": json.dumps(extensions)})
    assert result.returncode == 0, result.log[-2000:]
    assert final_stats(result.log)["newscrawler/stored/new"] > 0  # a real crawl, stored
    probe = re.search(r"heap probe: frozen=(\d+) young_threshold=(\d+)", result.log)
    assert probe is not None, result.log[-2000:]
    # Scrapy, Twisted and SQLAlchemy's start-up objects: far more than any one page makes.
    assert int(probe[1]) > 50_000
    assert int(probe[2]) == memory.GC_YOUNG_THRESHOLD
