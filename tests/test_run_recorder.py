"""RunRecorder: the run's row in the archive, its counters, and the crawl's exit status."""

from __future__ import annotations

from types import SimpleNamespace

from scrapy.utils.test import get_crawler
from sqlalchemy import select

from newscrawler.archive import models
from newscrawler.archive.engine import open_archive
from newscrawler.extensions import EXIT_STATUS, LOST, RunRecorder
from newscrawler.plan import make_plan


def recorder(sqlite_url: str) -> RunRecorder:
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_DB": sqlite_url})
    crawler.stats.open_spider()
    run = RunRecorder.from_crawler(crawler)
    plan = make_plan({"url": "https://news.example/"}, "unused.toml", 3)
    run.spider_opened(SimpleNamespace(plan=plan))
    return run


def row(sqlite_url: str) -> models.CrawlRun:
    engine = open_archive(sqlite_url)
    with engine.connect() as connection:
        found = connection.execute(select(models.CrawlRun)).one()
    engine.dispose()
    return found


def test_a_run_that_stored_articles_finishes_with_its_counts(sqlite_url):
    run = recorder(sqlite_url)
    assert row(sqlite_url).status == "running" and run.run_id == row(sqlite_url).id
    for key, value in {"response_received_count": 7, "downloader/response_status_count/200": 6,
                       "downloader/response_status_count/503": 1,
                       "newscrawler/stored/new": 3, "newscrawler/stored/version": 1}.items():
        run.stats.set_value(key, value)
    run.spider_closed(None, "finished")
    done = row(sqlite_url)
    assert (done.status, done.pages_fetched, done.articles_new, done.versions_new,
            done.errors) == ("finished", 7, 3, 1, 1)
    assert done.args["start_urls"] == ["https://news.example/"]
    assert run.stats.get_value(EXIT_STATUS) == 0


def test_nothing_stored_and_no_page_answered_fails_the_run(sqlite_url):
    run = recorder(sqlite_url)
    run.stats.set_value("downloader/exception_count", 4)
    run.spider_closed(None, "finished")
    assert row(sqlite_url).status == "failed" and run.stats.get_value(EXIT_STATUS) == 1


def test_a_lost_batch_fails_the_run_even_if_others_were_stored(sqlite_url):
    run = recorder(sqlite_url)
    run.stats.set_value("newscrawler/stored/new", 50)
    run.stats.set_value(LOST, 50)
    run.spider_closed(None, "finished")
    assert row(sqlite_url).status == "failed" and row(sqlite_url).errors == 50
    assert run.stats.get_value(EXIT_STATUS) == 1


def test_extraction_workers_that_failed_fail_the_run(sqlite_url):
    run = recorder(sqlite_url)
    run.stats.set_value("newscrawler/stored/new", 2)
    run.spider_closed(None, "extraction_workers_failed")
    assert run.stats.get_value(EXIT_STATUS) == 1
