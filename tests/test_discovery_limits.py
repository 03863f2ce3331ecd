"""Sitemap and feed parsing stays bounded and blind to entities, whatever the server sends."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from newscrawler.discovery.feeds import FeedError, parse_feed
from newscrawler.discovery.sitemaps import SitemapError, parse_sitemap
from tests.sites import discovery, payloads
from tests.sites.faults import FaultServer

BIG_SITEMAP = ("<urlset>" + "".join(f"<url><loc>https://ex.com/{i}</loc></url>"
                                    for i in range(3000)) + "</urlset>").encode()
BIG_FEED = ("<rss><channel>" + "".join(f"<item><link>https://ex.com/{i}</link></item>"
                                       for i in range(3000)) + "</channel></rss>").encode()


def _get(server: FaultServer, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path)
    return connection.getresponse().read()


def test_a_bomb_inside_a_gzipped_sitemap_stops_at_the_size_limit():
    with pytest.raises(SitemapError, match="inflates beyond 16777216 bytes"):
        parse_sitemap(payloads.sitemap_bomb())


def test_oversized_documents_are_refused_before_parsing():
    with pytest.raises(SitemapError, match="larger than 1000 bytes"):
        parse_sitemap(BIG_SITEMAP, max_size=1000)
    with pytest.raises(FeedError, match="larger than 1000 bytes"):
        parse_feed(BIG_FEED, max_size=1000)


@pytest.mark.parametrize("body", [BIG_SITEMAP, BIG_FEED])
def test_parsing_past_its_time_limit_is_one_clear_error(body):
    with pytest.raises(SitemapError, match="too slow to parse: parsing took longer than 0 s"):
        parse_sitemap(body, time_limit=0)
    assert len(parse_sitemap(body).entries) == 3000


def test_a_feed_past_its_time_limit():
    with pytest.raises(FeedError, match="feed too slow to parse"):
        parse_feed(BIG_FEED, time_limit=0)
    assert len(parse_feed(BIG_FEED)) == 3000


def _secret() -> str:
    return Path(discovery.SECRET_FILE).read_text().strip()


def _canary_requests(server: FaultServer) -> list[str]:
    return [s.target for s in server.seen() if s.target.startswith(discovery.CANARY_PATH)]


def test_external_entities_read_no_file_and_fetch_no_url(fault_server):
    sitemap = parse_sitemap(_get(fault_server, "/sitemap/xxe.xml"))
    feed = parse_feed(_get(fault_server, "/feed/xxe.xml"), fault_server.base)
    fields = [str(entry) for entry in [*sitemap.entries, *feed]]
    assert len(fields) == 3 and not any(_secret() in field for field in fields)
    assert all(field.count("article/plain?") == 1 for field in fields)
    assert _canary_requests(fault_server) == []


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE urlset SYSTEM "{canary}">',
    '<!DOCTYPE urlset [<!ENTITY % p SYSTEM "{canary}"> %p;]>',
])
def test_external_dtds_and_parameter_entities_are_not_fetched(fault_server, doctype):
    canary = fault_server.base + discovery.CANARY_PATH
    body = (doctype.format(canary=canary) +
            "<urlset><url><loc>https://ex.com/a</loc></url></urlset>").encode()
    assert [e.url for e in parse_sitemap(body).entries] == ["https://ex.com/a"]
    feed = body.replace(b"urlset", b"rss").replace(b"<url><loc>", b"<channel><item><link>")
    feed = feed.replace(b"</loc></url>", b"</link></item></channel>")
    assert [e.url for e in parse_feed(feed)] == ["https://ex.com/a"]
    assert _canary_requests(fault_server) == []


def test_billion_laughs_is_refused_by_the_parser(fault_server):
    with pytest.raises(SitemapError, match="malformed"):
        parse_sitemap(_get(fault_server, "/sitemap/billion-laughs.xml"))
    with pytest.raises(FeedError, match="malformed"):
        parse_feed(_get(fault_server, "/feed/billion-laughs.xml"))
