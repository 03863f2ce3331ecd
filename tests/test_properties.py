"""Property tests: URL canonicalisation, extraction and the discovery parsers on any input.

Hypothesis generates the inputs (a bounded number per test, so the default run stays fast);
every bug these found has a plain regression test beside the code it fixed.
"""

from __future__ import annotations

import gzip
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls as valid_urls

from newscrawler.discovery.feeds import FeedError, looks_like_feed, parse_feed
from newscrawler.discovery.links import feed_links, page_links
from newscrawler.discovery.robots import sitemaps_from_robots
from newscrawler.discovery.sitemaps import SitemapError, parse_sitemap
from newscrawler.extraction import extract
from newscrawler.extraction.article import Article, Rejected
from newscrawler.urls import (
    TRACKING_PARAMS,
    canonicalize_url,
    is_amp_url,
    is_http_url,
    same_site,
    url_template,
)

FAST = settings(max_examples=300, deadline=None)
SLOW = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- URLs ----------------------------------------------------------------------------------
_URL_CHARS = string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=% \t\n\\\"<>{}|^`"
_hosts = st.one_of(
    st.sampled_from(["example.com", "www.example.com", "amp.example.com", "EXAMPLE.com.",
                     "127.0.0.1", "[::1]", "[2001:db8::1]", "xn--bcher-kva.example",
                     "bücher.example", "a..b", "", "[::1", "::1]", "host:", "ex ample.com"]),
    st.text(alphabet=string.ascii_lowercase + string.digits + ".-[]:", max_size=20),
    st.text(max_size=10),
)
_ports = st.one_of(st.just(""), st.integers(0, 70000).map(lambda p: f":{p}"),
                   st.sampled_from([":", ":abc", ":80", ":443", ": 8", ":-1", ":٣"]))
_paths = st.one_of(
    st.sampled_from(["", "/", "/amp", "/amp/", "/a/amp/", "/amp/a", "/x.amp.html",
                     "/%7Euser/%2F", "/a b", "/é", "/%zz", "/%", "/%E9t%C3%A9"]),
    st.text(alphabet=_URL_CHARS, max_size=30).map(lambda t: "/" + t),
    st.text(max_size=15).map(lambda t: "/" + t),
)
_params = st.one_of(
    st.sampled_from(sorted(TRACKING_PARAMS)), st.sampled_from(["utm_source", "UTM_Medium",
                                                              "amp", "outputType", "q", "page"]),
    st.text(alphabet=_URL_CHARS, max_size=8), st.text(max_size=5),
)
_queries = st.lists(st.tuples(_params, st.text(alphabet=_URL_CHARS, max_size=8)), max_size=4
                    ).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))
_built = st.builds(
    lambda scheme, user, host, port, path, query, fragment:
        f"{scheme}://{user}{host}{port}{path}{'?' + query if query else ''}{fragment}",
    st.sampled_from(["http", "https", "HTTP", "HtTpS", "ftp", "file", "javascript", ""]),
    st.sampled_from(["", "user@", "user:pass@", ":@", "@@"]),
    _hosts, _ports, _paths, _queries, st.sampled_from(["", "#", "#frag", "#a?b=c"]),
)
any_url = st.one_of(_built, valid_urls(), st.text(max_size=40),
                    st.text(alphabet=_URL_CHARS, max_size=40))


@FAST
@given(any_url)
def test_canonicalize_url_is_idempotent_and_raises_only_value_error(url: str) -> None:
    try:
        canonical = canonicalize_url(url)
    except ValueError:
        return
    assert canonicalize_url(canonical) == canonical


@FAST
@given(any_url, st.lists(st.sampled_from(["example.com", "www.example.com", "", "127.0.0.1",
                                          "http://example.com/x", "é.example"]), max_size=3))
def test_url_predicates_never_raise(url: str, domains: list[str]) -> None:
    assert isinstance(is_http_url(url), bool)
    assert isinstance(same_site(url, domains), bool)
    assert isinstance(is_amp_url(url), bool)
    assert isinstance(url_template(url), str)


# --- extraction ----------------------------------------------------------------------------
_tags = st.sampled_from(["p", "div", "article", "h1", "script", "style", "meta", "time",
                         "a", "br", "title", "head", "body", "html", "noscript", "main",
                         "svg", "template", "link", "span", "!--", "!DOCTYPE html", "?xml",
                         "base", "area"])
_attrs = st.sampled_from([
    '', ' charset="utf-8"', ' charset="x-no-such"', ' charset="utf-16"',
    ' property="og:type" content="article"', ' type="application/ld+json"',
    ' property="article:published_time" content="2025-03-30T02:30:00"',
    ' name="author" content="Ann &amp; Bob"', ' datetime="1741767300000"',
    ' lang="fr"', ' lang="\x00"', ' rel="canonical" href="http://[::1"',
    ' rel="canonical" href="javascript:alert(1)"', ' http-equiv="refresh" content="0;url=/"',
    ' href="http://[::1"', ' href="//evil.example/x"', ' href="/a/../../b?c#d"',
    ' rel="alternate" type="application/rss+xml" href="feed:x"', ' href="\x00"',
])
_texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(['{"@type": "NewsArticle", "datePublished": 1741767300000}',
                     '{"@graph": [{"@type": ["NewsArticle"], "author": [null, 3, {}]}]}',
                     '[{"headline": {"x": 1}}, 7]', "{", "30 février 2025", "0000-00-00",
                     "Published 2025-13-45T99:99", "\x00\x01\ufffd", "x" * 300]),
)
_nodes = st.recursive(
    _texts.map(lambda t: t.replace("<", "&lt;")),
    lambda inner: st.builds(lambda tag, attrs, body: f"<{tag}{attrs}>{''.join(body)}</{tag}>",
                            _tags, _attrs, st.lists(inner, max_size=4)),
    max_leaves=25,
)
_encodings = st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252", "shift_jis"])
html_bytes = st.builds(lambda nodes, enc: "".join(nodes).encode(enc, "replace"),
                       st.lists(_nodes, max_size=6), _encodings)
_headers = st.one_of(st.none(), st.fixed_dictionaries({"Content-Type": st.sampled_from([
    "text/html", "text/html; charset=utf-8", "text/html; charset=x-no-such-charset",
    "text/html; charset=\xff\xfe", "application/pdf", "text/html; charset="])}))


@SLOW
@given(st.one_of(st.binary(max_size=3000), html_bytes), _headers, any_url, st.booleans())
def test_extraction_never_raises(body: bytes, headers: dict[str, str] | None, url: str,
                                 force: bool) -> None:
    result = extract(body, url, headers, force_article=force)
    assert isinstance(result, Article | Rejected)


@FAST
@given(html_bytes, any_url)
def test_link_discovery_never_raises(body: bytes, base_url: str) -> None:
    assert all(is_http_url(url) for url in page_links(body, base_url))
    assert all(is_http_url(url) for url in feed_links(body, base_url))


# --- discovery -----------------------------------------------------------------------------
_xml_tags = st.sampled_from(["urlset", "url", "loc", "lastmod", "sitemapindex", "sitemap",
                             "news:news", "news:publication_date", "news:title", "news",
                             "publication", "keywords", "rss", "channel", "item", "link",
                             "guid", "pubDate", "dc:creator", "author", "feed", "entry",
                             "published", "updated", "rdf:RDF", "origLink", "language"])
_xml_text = st.one_of(st.text(max_size=30).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;")),
    st.sampled_from(["https://ex.com/a", "/relative", "http://[::1", "javascript:x",
                     "2025-03-30T02:30:00", "Tue, 31 Feb 2025 25:61:00 +9900", "1741767300000",
                     "0001-01-01", "9999-12-31T23:59:59-23:59", "&lol9;", "&#0;", "&#xD800;"]))
_xml_nodes = st.recursive(
    _xml_text,
    lambda inner: st.builds(
        lambda tag, attrs, body: f"<{tag}{attrs}>{''.join(body)}</{tag}>", _xml_tags,
        st.sampled_from(["", ' href="https://ex.com/b"', ' rel="alternate" href="/c"',
                         ' xml:base="/x/"', ' isPermaLink="false"', ' xml:lang="fr"',
                         ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"',
                         ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"']),
        st.lists(inner, max_size=4)),
    max_leaves=30,
)
_prologs = st.sampled_from(["", '<?xml version="1.0"?>', '<?xml version="1.0" encoding="x"?>',
                            "\ufeff", "<!DOCTYPE urlset [<!ENTITY a 'b'>]>", "  \n"])
xml_bytes = st.builds(lambda prolog, node: (prolog + node).encode("utf-8"), _prologs, _xml_nodes)
discovery_bytes = st.one_of(st.binary(max_size=2000), xml_bytes,
                            xml_bytes.map(lambda b: gzip.compress(b, mtime=0)),
                            st.binary(max_size=200).map(lambda b: b"\x1f\x8b" + b))


@FAST
@given(discovery_bytes)
def test_sitemap_parser_raises_only_sitemap_error(body: bytes) -> None:
    try:
        sitemap = parse_sitemap(body)
    except SitemapError as exc:
        assert "\n" not in str(exc)
        return
    assert all(is_http_url(entry.url) for entry in sitemap.entries)


@FAST
@given(discovery_bytes, st.sampled_from(["", "https://ex.com/feed/", "http://[::1", "x"]))
def test_feed_parser_raises_only_feed_error(body: bytes, base_url: str) -> None:
    assert isinstance(looks_like_feed(body, "application/rss+xml"), bool)
    try:
        entries = parse_feed(body, base_url)
    except FeedError as exc:
        assert "\n" not in str(exc)
        return
    assert all(is_http_url(entry.url) for entry in entries)


@FAST
@given(st.one_of(st.binary(max_size=500), st.text(max_size=500)))
def test_robots_sitemap_lines_never_raise(body: bytes | str) -> None:
    assert all(is_http_url(url) for url in sitemaps_from_robots(body))
