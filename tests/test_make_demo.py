"""End to end: ``make demo`` (``python -m newscrawler.demo``), as a new user first runs it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.crawling import ROOT

pytestmark = pytest.mark.e2e


def test_the_demo_crawls_the_site_then_archives_exactly_its_changes(tmp_path):
    env = {**os.environ, "NEWSCRAWLER_DB": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "NEWSCRAWLER_WARC_DIR": str(tmp_path / "warc")}
    result = subprocess.run([sys.executable, "-m", "newscrawler.demo"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "12 articles (12 of the site's 12)" in out
    assert 'Sample search: newscrawler search "climat"' in out and "[climat" in out
    assert "Second crawl: 1 new article, 1 new version" in out
    diff = out[out.index("--diff"):]
    assert "\n+Correction" in diff and "\n-" not in diff.split("@@", 2)[-1]
    assert "Traceback" not in result.stderr
