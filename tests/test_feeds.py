"""RSS 2.0, RSS 1.0/RDF and Atom feeds."""

import pytest

from newscrawler.discovery.feeds import FeedEntry, FeedError, looks_like_feed, parse_feed

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel>
  <title>Example News</title><link>https://ex.com/</link><language>en-GB</language>
  <item>
    <title>First &amp; foremost</title>
    <link>https://ex.com/news/first</link>
    <pubDate>Tue, 05 Mar 2024 14:30:00 +0100</pubDate>
    <dc:creator>Jane Doe</dc:creator>
    <dc:creator>John Roe</dc:creator>
  </item>
  <item>
    <title>Second</title>
    <link>http://feeds.feedburner.com/~r/ex/~3/abc</link>
    <feedburner:origLink>https://ex.com/news/second</feedburner:origLink>
    <author>editor@ex.com (Ed Itor)</author>
  </item>
  <item><title>Guid only</title><guid>https://ex.com/news/third</guid></item>
  <item><title>Not a permalink</title><guid isPermaLink="false">abc-123</guid></item>
  <item><title>Relative</title><link>/news/fourth</link><author>x@ex.com</author></item>
</channel>
</rss>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://ex.com/"><title>Ex</title><dc:language>de</dc:language></channel>
  <item rdf:about="https://ex.com/a">
    <title>RDF item</title><link>https://ex.com/a</link>
    <dc:date>2024-03-05T14:30:00+01:00</dc:date><dc:creator>Max Muster</dc:creator>
  </item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr" xml:base="https://ex.com/blog/">
  <title>Ex</title>
  <entry>
    <title>Atom entry</title>
    <link rel="self" href="https://ex.com/api/1"/>
    <link rel="alternate" type="text/html" href="2024/atom-entry"/>
    <published>2024-03-05T14:30:00+01:00</published>
    <updated>2024-03-06T09:00:00Z</updated>
    <author><name>Marie Curie</name></author>
    <author><name>Pierre Curie</name></author>
  </entry>
  <entry xml:lang="en">
    <title>Updated only</title><link href="https://ex.com/b"/>
    <updated>2024-03-06T09:00:00Z</updated>
  </entry>
  <entry><title>No link</title></entry>
</feed>"""


def test_rss2() -> None:
    entries = parse_feed(RSS2, base_url="https://ex.com/feed.xml")
    assert entries[0] == FeedEntry(
        url="https://ex.com/news/first",
        title="First & foremost",
        published_at="2024-03-05T14:30:00+01:00",
        authors=["Jane Doe", "John Roe"],
        language="en-GB",
    )
    assert entries[1].url == "https://ex.com/news/second"
    assert entries[1].authors == ["Ed Itor"]
    assert entries[2].url == "https://ex.com/news/third"
    assert [e.url for e in entries[3:]] == ["https://ex.com/news/fourth"]
    assert entries[3].authors == []


def test_rss1_rdf() -> None:
    (entry,) = parse_feed(RDF)
    assert entry == FeedEntry(
        url="https://ex.com/a",
        title="RDF item",
        published_at="2024-03-05T14:30:00+01:00",
        authors=["Max Muster"],
        language="de",
    )


def test_atom() -> None:
    first, second = parse_feed(ATOM)
    assert first == FeedEntry(
        url="https://ex.com/blog/2024/atom-entry",
        title="Atom entry",
        published_at="2024-03-05T14:30:00+01:00",
        authors=["Marie Curie", "Pierre Curie"],
        language="fr",
    )
    assert second.url == "https://ex.com/b"
    assert second.published_at == "2024-03-06T09:00:00+00:00"
    assert second.language == "en"


def test_malformed_and_non_feeds() -> None:
    with pytest.raises(FeedError, match="malformed feed"):
        parse_feed(b"<rss><channel><item></channel></rss>")
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"<urlset/>")


def test_entities_are_not_resolved(tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("TOP-SECRET")
    body = (
        f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]><rss><channel><item>'
        "<title>&x;</title><link>https://ex.com/a</link></item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(body)
    assert entry.title is None


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (RSS2, "text/xml", True),
        (RDF, "application/xml", True),
        (ATOM, "", True),
        (b"<!-- hi --><?xml-stylesheet href='x'?>\n<rss>", "text/plain", True),
        (b"garbage", "application/rss+xml; charset=utf-8", True),
        (b"<!DOCTYPE html><html><head>", "text/html", False),
        (b"<urlset>", "application/xml", False),
        (b"", "", False),
    ],
)
def test_looks_like_feed(body: bytes, content_type: str, expected: bool) -> None:
    assert looks_like_feed(body, content_type) is expected
