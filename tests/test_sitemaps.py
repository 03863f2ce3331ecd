"""Sitemaps: news fields, indexes, gzip with a size limit, text sitemaps, hostile XML."""

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newscrawler.discovery.robots import sitemaps_from_robots
from newscrawler.discovery.sitemaps import SitemapError, parse_sitemap

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example.com/2024/03/05/budget-vote</loc>
    <lastmod>2024-03-05T15:00:00+01:00</lastmod>
    <news:news>
      <news:publication>
        <news:name>The Example Times</news:name>
        <news:language>fr</news:language>
      </news:publication>
      <news:publication_date>2024-03-05T14:30:00+01:00</news:publication_date>
      <news:title>Le budget adopt\xc3\xa9</news:title>
      <news:keywords>budget, parlement ,</news:keywords>
    </news:news>
  </url>
  <url><loc>https://news.example.com/about</loc><lastmod>2024-01-02</lastmod></url>
  <url><loc>javascript:alert(1)</loc></url>
  <url><lastmod>2024-01-02</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://ex.com/sitemap-news.xml</loc><lastmod>2024-03-05T10:00Z</lastmod></sitemap>
  <sitemap><loc> https://ex.com/sitemap-2024.xml.gz </loc></sitemap>
</sitemapindex>"""


def test_news_urlset_keeps_google_news_fields() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP)
    assert sitemap.kind == "urlset"
    assert [e.url for e in sitemap.entries] == [
        "https://news.example.com/2024/03/05/budget-vote",
        "https://news.example.com/about",
    ]
    story, about = sitemap.entries
    assert story.lastmod == datetime(2024, 3, 5, 15, tzinfo=timezone(timedelta(hours=1)))
    assert story.news == {
        "title": "Le budget adopt\u00e9",
        "published_at": "2024-03-05T14:30:00+01:00",
        "name": "The Example Times",
        "language": "fr",
        "keywords": ["budget", "parlement"],
    }
    assert about.news == {}
    assert about.lastmod == datetime(2024, 1, 2, tzinfo=UTC)


def test_namespace_agnostic() -> None:
    body = (
        b"<urlset><url><loc>https://ex.com/a</loc><news><publication_date>2024-03-05"
        b"</publication_date><title>T</title></news></url></urlset>"
    )
    entry = parse_sitemap(body).entries[0]
    assert entry.news == {"title": "T", "published_at": "2024-03-05"}


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(INDEX)
    assert sitemap.kind == "sitemapindex"
    assert [e.url for e in sitemap.entries] == [
        "https://ex.com/sitemap-news.xml",
        "https://ex.com/sitemap-2024.xml.gz",
    ]
    assert sitemap.entries[0].lastmod == datetime(2024, 3, 5, 10, tzinfo=UTC)


def test_gzipped_sitemap() -> None:
    assert parse_sitemap(gzip.compress(NEWS_SITEMAP)) == parse_sitemap(NEWS_SITEMAP)


def test_gzip_bomb_over_the_limit_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (4 * 2**20) + b"</urlset>")
    assert len(bomb) < 10_000
    with pytest.raises(SitemapError, match="beyond 1048576 bytes"):
        parse_sitemap(bomb, max_size=2**20)


def test_plain_body_over_the_limit_is_refused() -> None:
    with pytest.raises(SitemapError, match="larger than"):
        parse_sitemap(b"<urlset>" + b" " * 200 + b"</urlset>", max_size=100)


def test_corrupt_and_truncated_gzip() -> None:
    packed = gzip.compress(NEWS_SITEMAP)
    with pytest.raises(SitemapError, match="truncated"):
        parse_sitemap(packed[: len(packed) // 2])
    with pytest.raises(SitemapError, match="corrupt"):
        parse_sitemap(packed[:10] + b"\x00" * 40)


def test_text_sitemap() -> None:
    body = b"\xef\xbb\xbfhttps://ex.com/a\r\n\n  https://ex.com/b  \nnot a url\n"
    sitemap = parse_sitemap(body)
    assert sitemap.kind == "urlset"
    assert [e.url for e in sitemap.entries] == ["https://ex.com/a", "https://ex.com/b"]


def test_malformed_xml_is_one_line_error() -> None:
    with pytest.raises(SitemapError) as info:
        parse_sitemap(b"<urlset><url><loc>https://ex.com/a</loc></urlset>")
    assert str(info.value).startswith("malformed sitemap XML")
    assert "\n" not in str(info.value)


def test_other_xml_is_rejected() -> None:
    with pytest.raises(SitemapError, match="not a sitemap: root element <html>"):
        parse_sitemap(b"<html><body>hello</body></html>")


def test_rss_feed_offered_as_sitemap_is_read_as_urlset() -> None:
    body = (
        b"<rss version='2.0'><channel><language>en</language><item><title>T</title>"
        b"<link>https://ex.com/s</link><pubDate>Tue, 05 Mar 2024 14:30:00 +0100</pubDate>"
        b"</item></channel></rss>"
    )
    entry = parse_sitemap(body).entries[0]
    assert entry.url == "https://ex.com/s"
    assert entry.news == {"title": "T", "published_at": "2024-03-05T14:30:00+01:00",
                          "language": "en"}


def test_external_entities_are_not_resolved(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<urlset><url><loc>https://ex.com/&xxe;</loc></url></urlset>"
    ).encode()
    sitemap = parse_sitemap(body)
    assert [e.url for e in sitemap.entries] == ["https://ex.com/"]


def test_billion_laughs_is_rejected_cleanly() -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{"".join(levels)}]>'
        "<urlset><url><loc>https://ex.com/&lol9;</loc></url></urlset>"
    ).encode()
    try:
        sitemap = parse_sitemap(body)
    except SitemapError:
        return
    assert all("lol" not in entry.url for entry in sitemap.entries)


def test_sitemaps_from_robots() -> None:
    robots = (
        b"User-agent: *\nDisallow: /private\n"
        b"Sitemap: https://ex.com/sitemap.xml\n"
        b"sitemap:https://ex.com/news.xml # news\n"
        b"  SITEMAP : https://ex.com/sitemap.xml\n"
        b"Sitemap: /relative.xml\n"
        b"# Sitemap: https://ex.com/commented.xml\n"
    )
    assert sitemaps_from_robots(robots) == ["https://ex.com/sitemap.xml", "https://ex.com/news.xml"]
    assert sitemaps_from_robots("\ufeffSitemap: http://ex.com/s.xml") == ["http://ex.com/s.xml"]
    assert sitemaps_from_robots(b"") == []


def test_internal_entities_are_not_expanded() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x "evil/path">]>'
        b"<urlset><url><loc>https://ex.com/&x;</loc></url></urlset>"
    )
    assert [e.url for e in parse_sitemap(body).entries] == ["https://ex.com/"]
