"""The connect-time guard's pieces: the resolver's verdicts, the middleware that counts them,
and the settings that install both (the crawls are in test_connect_guard.py)."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.utils.test import get_crawler

from newscrawler import settings
from newscrawler.middlewares import ConnectGuardMiddleware
from newscrawler.netguard import parse_allowlist
from newscrawler.resolver import GuardedResolver

NO_REACTOR = None  # admit() and refusal() never touch the reactor


def _guard(allow: str = "", cache_size: int = 0) -> GuardedResolver:
    return GuardedResolver(NO_REACTOR, parse_allowlist(allow), cache_size)  # type: ignore[arg-type]


def test_private_addresses_are_dropped_public_ones_kept(caplog):
    guard = _guard()
    with caplog.at_level(logging.WARNING):
        kept = guard.admit("mixed.example", ["93.184.216.34", "10.0.0.7", "::ffff:127.0.0.1"])
    assert kept == ["93.184.216.34"]
    (line,) = [r.getMessage() for r in caplog.records]
    assert "mixed.example resolves to private address 10.0.0.7, ::ffff:127.0.0.1" in line
    assert guard.refusal("MIXED.example.") == (
        "mixed.example resolves to private address 10.0.0.7, ::ffff:127.0.0.1 at connect time")


def test_a_public_answer_clears_an_earlier_refusal():
    guard = _guard()
    assert guard.admit("flip.example", ["127.0.0.1"]) == []
    assert guard.refusal("flip.example") is not None
    assert guard.admit("flip.example", ["93.184.216.34"]) == ["93.184.216.34"]
    assert guard.refusal("flip.example") is None


def test_ip_literal_refusal_says_so():
    guard = _guard()
    assert guard.admit("169.254.169.254", ["169.254.169.254"]) == []
    assert guard.refusal("169.254.169.254") == (
        "169.254.169.254 is a private address at connect time")


def test_allowlist_by_name_address_and_network():
    assert _guard("intranet.example").admit("intranet.example", ["10.1.2.3"]) == ["10.1.2.3"]
    assert _guard("10.1.2.3").admit("a.example", ["10.1.2.3", "10.1.2.4"]) == ["10.1.2.3"]
    assert _guard("10.1.0.0/16").admit("a.example", ["10.1.2.4", "10.2.0.1"]) == ["10.1.2.4"]


def test_what_is_not_an_address_is_refused():
    assert _guard().admit("odd.example", ["not-an-ip", "93.184.216.34"]) == ["93.184.216.34"]


def _middleware(guard: GuardedResolver | None) -> ConnectGuardMiddleware:
    crawler = get_crawler()
    crawler.stats.open_spider()
    return ConnectGuardMiddleware(crawler.stats, lambda: guard)


def test_a_refused_connection_becomes_a_counted_ignored_request():
    guard = _guard()
    guard.admit("evil.example", ["127.0.0.1"])
    mw = _middleware(guard)
    error = CannotResolveHostError("no results for hostname lookup: evil.example")
    with pytest.raises(IgnoreRequest, match="evil.example resolves to private address"):
        mw.process_exception(Request("http://evil.example/a"), error)
    assert mw.stats.get_value(ConnectGuardMiddleware.STATS_KEY) == 1


def test_other_failures_pass_through():
    guard = _guard()
    guard.admit("evil.example", ["127.0.0.1"])
    mw = _middleware(guard)
    lookup_failed = CannotResolveHostError("no results for hostname lookup: nowhere.example")
    assert mw.process_exception(Request("http://nowhere.example/"), lookup_failed) is None
    assert mw.process_exception(Request("http://evil.example/"), TimeoutError()) is None
    assert _middleware(None).process_exception(Request("http://evil.example/"),
                                               lookup_failed) is None
    assert mw.stats.get_value(ConnectGuardMiddleware.STATS_KEY) is None


def test_a_crawl_without_the_guard_says_so(caplog):
    with caplog.at_level(logging.WARNING):
        _middleware(None).spider_opened()
        _middleware(_guard()).spider_opened()
    assert len(caplog.records) == 1
    assert "connect-time address guard is not installed" in caplog.records[0].getMessage()


def test_settings_install_the_guard_before_retries_and_only_http_handlers():
    from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE

    assert settings.TWISTED_DNS_RESOLVER == "newscrawler.resolver.GuardedResolver"
    retry = DOWNLOADER_MIDDLEWARES_BASE["scrapy.downloadermiddlewares.retry.RetryMiddleware"]
    # process_exception runs from the highest order down: the guard sees a refusal first.
    assert settings.DOWNLOADER_MIDDLEWARES["newscrawler.middlewares.ConnectGuardMiddleware"] > retry
    assert {scheme for scheme, handler in settings.DOWNLOAD_HANDLERS.items()
            if handler is None} == {"file", "data", "ftp", "s3"}
