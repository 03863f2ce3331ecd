"""End to end in headless Chromium (Debian's ``chromium``, driven by Selenium through
``chromedriver`` from ``chromium-driver``): the real ``newscrawler serve`` in a subprocess,
a search typed into the form, an article opened, a diff opened, screenshots saved.

Skipped only where the browser is not installed, and never under ``CI=true``: there
``.ci/run`` installs it, so a missing browser fails. ``NEWSCRAWLER_SCREENSHOT=PATH`` also
copies the last screenshot (the diff) to ``PATH``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import WebDriverWait

from newscrawler.archive.engine import open_archive
from tests.conftest import service_missing
from tests.webarchive import BUDGET_V2, HOSTILE_TITLE, populate, serving

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1200,1400", "--hide-scrollbars")
WAIT = 30  # seconds for a page to appear on a loaded machine


def _require_browser() -> tuple[str, str]:
    if CHROMIUM and CHROMEDRIVER:
        return CHROMIUM, CHROMEDRIVER
    missing = " and ".join(name for name, path in (
        ("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if path is None)
    reason = (f"{missing} not installed (apt-get install chromium chromium-driver); "
              "the browser test needs Debian's Chromium")
    service_missing(reason)  # under CI=true, a failure: .ci/run installs both


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    chromium, chromedriver = _require_browser()

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=chromedriver,
                      log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def _search(driver, wait, address: str, shots: Path) -> None:
    """Type a query into the form; the results show the hostile title as text, marked."""
    driver.get(address)
    driver.find_element(By.NAME, "q").send_keys("budget OR ceasefire")
    driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait.until(shown.presence_of_element_located((By.CSS_SELECTOR, "li.hit")))
    titles = [link.text for link in driver.find_elements(By.CSS_SELECTOR, "a.title")]
    assert HOSTILE_TITLE in titles and BUDGET_V2[0] in titles  # the script is text
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018  (nothing ran)
    marks = driver.find_elements(By.CSS_SELECTOR, "p.snippet mark")
    assert marks and marks[0].value_of_css_property("background-color") == \
        "rgba(255, 226, 122, 1)"  # the stylesheet loaded under the CSP
    driver.save_screenshot(str(shots / "search.png"))


def _article_then_diff(driver, wait, shots: Path) -> None:
    """Open the article with two versions from the results, then its changes."""
    driver.find_element(By.LINK_TEXT, BUDGET_V2[0]).click()
    wait.until(shown.url_contains("/article/"))
    assert driver.find_element(By.TAG_NAME, "h1").text == BUDGET_V2[0]
    driver.save_screenshot(str(shots / "article.png"))
    driver.find_element(By.LINK_TEXT, "changes from 1").click()
    wait.until(shown.url_contains("/diff"))
    added = [node.text for node in driver.find_elements(By.CSS_SELECTOR, "tr.added ins")]
    removed = [node.text for node in driver.find_elements(By.CSS_SELECTOR, "tr.removed del")]
    assert "de justesse" in added and "deux" in added and removed == ["trois"]
    row = driver.find_element(By.CSS_SELECTOR, "tr.added")
    assert row.value_of_css_property("background-color") == "rgba(222, 245, 226, 1)"
    driver.save_screenshot(str(shots / "diff.png"))


def test_search_open_an_article_and_its_diff(browser, sqlite_url, tmp_path):
    populate(open_archive(sqlite_url))
    with serving(sqlite_url) as (address, _banner, _process):
        wait = WebDriverWait(browser, WAIT)
        _search(browser, wait, address, tmp_path)
        _article_then_diff(browser, wait, tmp_path)
        problems = [entry["message"] for entry in browser.get_log("browser")
                    if entry["level"] == "SEVERE"]
        assert problems == []  # no CSP violation, no failed resource
    for name in ("search.png", "article.png", "diff.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    copy = os.environ.get("NEWSCRAWLER_SCREENSHOT")
    if copy:
        shutil.copyfile(tmp_path / "diff.png", copy)
