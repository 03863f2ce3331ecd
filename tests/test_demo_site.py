"""The bundled offline sites: discovery documents, articles, conditional GET, encodings, traps."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from newscrawler.demo import SiteServer, demo_site
from newscrawler.demo.site import Site
from tests.sites.traps import BOMB_MIB
from tests.sites.trapsite import trap_site

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def fetch(server: SiteServer, path: str, headers: dict[str, str] | None = None):
    """GET ``path``: (status, headers with lower-case names, raw body). No decoding at all."""
    conn = http.client.HTTPConnection(urlsplit(server.base_url).netloc, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def locs(xml: bytes) -> set[str]:
    return set(re.findall(r"<loc>([^<]+)</loc>", xml.decode()))


@pytest.fixture(scope="module")
def demo() -> Iterator[SiteServer]:
    with SiteServer(demo_site()) as server:
        yield server


@pytest.fixture(scope="module")
def traps() -> Iterator[SiteServer]:
    with SiteServer(trap_site()) as server:
        yield server


@pytest.mark.parametrize("name", ["demo", "traps"])
def test_robots_sitemaps_and_feed_list_every_article(name: str, request) -> None:
    server: SiteServer = request.getfixturevalue(name)
    base = server.base_url
    _, _, robots = fetch(server, "/robots.txt")
    sitemap_line = re.search(rb"^Sitemap: (\S+)$", robots, re.M)
    assert sitemap_line and sitemap_line.group(1).decode() == f"{base}/sitemap_index.xml"
    _, _, index = fetch(server, "/sitemap_index.xml")
    children = locs(index)
    assert len(children) >= 2 and all(c.startswith(base) for c in children)
    urls = server.site.article_urls(base)
    news = [c for c in children if "news" in c]
    assert len(news) == 1
    _, _, news_xml = fetch(server, urlsplit(news[0]).path)
    assert NEWS_NS.encode() in news_xml and locs(news_xml) == urls
    assert news_xml.count(b"<news:publication_date>") == len(urls)
    assert b"<news:title>" in news_xml and b"<news:language>" in news_xml
    regular = [c for c in children if "news" not in c and not c.endswith(".gz")]
    _, _, regular_xml = fetch(server, urlsplit(regular[0]).path)
    assert urls <= locs(regular_xml)
    feed_path = "/feed.xml" if name == "demo" else "/feed/"
    status, headers, feed = fetch(server, feed_path)
    assert status == 200 and "rss" in headers["content-type"]
    assert b'<rss version="2.0"' in feed and locs(feed) == set() and b"<item>" in feed


def test_demo_article_metadata_and_links_use_the_host_header(demo: SiteServer) -> None:
    article = demo.site.articles[0]
    status, headers, body = fetch(demo, article.path)
    html = body.decode("utf-8")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert '<meta property="og:type" content="article">' in html
    assert f'<link rel="canonical" href="{demo.base_url}{article.path}">' in html
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "NewsArticle" and data["datePublished"] == article.published
    assert [a["name"] for a in data["author"]] == list(article.authors)
    _, _, other_host = fetch(demo, article.path, {"Host": "news.example:8080"})
    assert b"http://news.example:8080/" in other_host
    langs = {a.lang for a in demo.site.articles}
    offsets = {a.published[19:] for a in demo.site.articles}
    assert langs == {"fr", "en"} and {"Z", "+01:00", "+02:00"} <= offsets
    assert len(demo.site.articles) == 12


def test_demo_listings_are_paginated_and_not_articles(demo: SiteServer) -> None:
    for path in [
        "/",
        "/actualites/",
        "/actualites/page/2/",
        "/tag/festival/",
        "/author/tom-becker/",
    ]:
        status, _, body = fetch(demo, path)
        assert status == 200 and b'og:type" content="article"' not in body, path
    assert fetch(demo, "/actualites/page/9/")[0] == 404


def test_conditional_get_answers_304_until_the_article_changes() -> None:
    site = demo_site()
    with SiteServer(site) as server:
        path = site.articles[0].path
        _, headers, _ = fetch(server, path)
        etag, modified = headers["etag"], headers["last-modified"]
        assert fetch(server, path, {"If-None-Match": etag})[0] == 304
        assert fetch(server, path, {"If-Modified-Since": modified})[0] == 304
        site.set_sidebar("Nouvelle barre latérale")  # boilerplate only: bytes change
        assert fetch(server, path, {"If-None-Match": etag})[0] == 200
        site.edit_article(0, "Un paragraphe ajouté après publication.")
        status, changed, body = fetch(server, path, {"If-Modified-Since": modified})
        assert status == 200 and "Un paragraphe ajouté".encode() in body
        assert changed["etag"] != etag
        new = site.add_article()
        _, _, sitemap = fetch(server, "/sitemap-news.xml")
        assert server.base_url + new.path in locs(sitemap)
        assert fetch(server, new.path)[0] == 200


def test_trap_articles_are_realistic_wordpress_pages(traps: SiteServer) -> None:
    site = traps.site
    expected = site.expected(traps.base_url)
    assert len(expected) == 24 and {e["url"] for e in expected} == site.article_urls(traps.base_url)
    for article in site.articles:
        words = len(article.text.split())
        assert len(article.paragraphs) >= 5 and 150 <= words <= 400, article.path
        assert article.published[19:] in ("+01:00", "+02:00")
    path = site.articles[0].path
    _, _, body = fetch(traps, path)
    html = body.decode("utf-8")
    assert '<html lang="fr-FR">' in html and "single single-post" in html
    for snippet in expected[0]["absent"] + expected[0]["snippets"]:
        assert snippet in html.replace("&#x27;", "'")
    graph = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))["@graph"]
    assert [n["@type"] for n in graph] == ["WebSite", "WebPage", "NewsArticle"]
    assert "utm_source=twitter" in html
    text = " ".join(a.text for a in site.articles)
    assert all(ch in text for ch in "éèàçô’«»")


def test_trap_site_is_deterministic_per_seed() -> None:
    assert trap_site().articles == trap_site().articles
    assert trap_site(seed=1).articles[0].text != trap_site().articles[0].text
    assert len({a.path for a in trap_site(n_articles=40).articles}) == 40


def test_awkward_encodings_all_decode_to_correct_accents(traps: SiteServer) -> None:
    paths = traps.site.special_paths
    _, headers, body = fetch(traps, paths["windows-1252"])
    assert headers["content-type"] == "text/html; charset=windows-1252"
    assert "’".encode("cp1252") in body and "é".encode() not in body
    assert "é" in body.decode("cp1252")
    _, headers, body = fetch(traps, paths["mismatch"])
    assert headers["content-type"] == "text/html" and b"charset=iso-8859-1" in body
    assert "é" in body.decode("utf-8")
    _, headers, body = fetch(traps, paths["bom"])
    assert headers["content-type"] == "text/html" and body.startswith(b"\xef\xbb\xbf")
    assert b"charset" not in body.lower() and "é" in body.decode("utf-8-sig")


def test_discovery_documents_of_the_trap_site(traps: SiteServer) -> None:
    base = traps.base_url
    _, _, robots = fetch(traps, "/robots.txt")
    assert b"Disallow: /prive/" in robots
    _, headers, gz = fetch(traps, "/page-sitemap.xml.gz")
    assert f"{base}/a-propos/" in locs(gzip.decompress(gz))
    _, _, home = fetch(traps, "/")
    private = base + traps.site.special_paths["private"]
    assert private.encode() in home and private not in traps.site.article_urls(base)
    assert all(p.startswith("/prive/") for p in [traps.site.special_paths["private"]])
    _, _, amp = fetch(traps, traps.site.special_paths["amp"])
    assert f'rel="canonical" href="{base}{traps.site.amp_article.path}"'.encode() in amp
    for path in ["/category/defense/page/2/", "/tag/rafale/", "/author/jdupont/", "/?s=rafale"]:
        assert fetch(traps, path)[0] == 200, path
    assert b"page-template-default page" in fetch(traps, "/a-propos/")[2]


def test_traps_respond_as_designed(traps: SiteServer) -> None:
    status, _, body = fetch(traps, "/calendrier/2026/03/?tri=date&vue=liste")
    assert status == 200 and b"/calendrier/2026/02/" in body and b"/calendrier/2026/04/" in body
    assert b"sessionid=" in body and b"?vue=liste&amp;tri=date" in body
    status, _, body = fetch(traps, "/pas-ici/")
    assert status == 404 and b"error404" in body
    status, _, body = fetch(traps, "/ancien-article/")
    assert status == 200 and b"Page introuvable" in body
    assert fetch(traps, "/docs/rapport-annuel/")[2].startswith(b"%PDF-1.4")
    assert fetch(traps, "/galerie/photo-du-jour/")[2].startswith(b"\x89PNG")
    port = urlsplit(traps.base_url).port
    for path, target in [
        ("/redirect-externe/", "http://10.0.0.1/secret"),
        ("/redirect-local/", f"http://127.0.0.2:{port}/admin"),
        ("/partenaire/", "http://example.invalid/"),
    ]:
        status, headers, _ = fetch(traps, path)
        assert status == 302 and headers["location"] == target


def test_gzip_bomb_is_small_on_the_wire(traps: SiteServer) -> None:
    status, headers, body = fetch(traps, "/bombe/")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert len(body) < 2 * 1024 * 1024 and body[:2] == b"\x1f\x8b"
    assert int.from_bytes(body[-4:], "little") == (BOMB_MIB << 20) & 0xFFFFFFFF


def test_slow_page_drips_without_blocking_other_requests(traps: SiteServer) -> None:
    host, port = urlsplit(traps.base_url).hostname, urlsplit(traps.base_url).port
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"GET /lent/ HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(1024)
        started = time.monotonic()
        assert fetch(traps, "/robots.txt")[0] == 200  # the server is not blocked
        body = received.split(b"\r\n\r\n", 1)[1]
        while len(body) < 2:
            body += sock.recv(1)
        assert time.monotonic() - started < 4


def test_requests_are_logged(traps: SiteServer) -> None:
    fetch(traps, "/robots.txt?x=1")
    assert ("GET", "/robots.txt?x=1") in traps.requests


def test_site_handles_requests_without_a_server() -> None:
    site: Site = trap_site(n_articles=6)
    response = site.handle("GET", site.articles[0].path, {"host": "h.test"})
    assert response.status == 200 and b"http://h.test/" in response.body
    assert len(site.expected("http://h.test")) == 6
