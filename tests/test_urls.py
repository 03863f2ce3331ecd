"""Canonical URLs, AMP folding, fingerprints, templates and site membership."""

import pytest

from newscrawler.urls import (
    canonicalize_url,
    is_amp_url,
    is_http_url,
    same_site,
    url_fingerprint,
    url_template,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://ex.com/a?utm_source=rss&utm_medium=x&id=3&fbclid=abc&gclid=1&_ga=2",
            "https://ex.com/a?id=3",
        ),
        ("https://ex.com/a?xtor=RSS-1&at_medium=social&mc_cid=1&igshid=2", "https://ex.com/a"),
        ("https://ex.com/a?UTM_Campaign=x&ref_src=twsrc", "https://ex.com/a"),
        ("HTTPS://WWW.Ex.COM:443/Path/Case?b=2&a=1#section", "https://www.ex.com/Path/Case?a=1&b=2"),
        ("http://ex.com:80/", "http://ex.com/"),
        ("http://ex.com:8080/x?", "http://ex.com:8080/x"),
        ("https://ex.com/%7euser/caf%c3%a9", "https://ex.com/~user/caf%C3%A9"),
        ("https://ex.com/p?q=caf%E9", "https://ex.com/p?q=caf%E9"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(
    "amp",
    [
        "https://ex.com/news/story/amp/",
        "https://ex.com/news/story/amp",
        "https://ex.com/amp/news/story",
        "https://ex.com/news/story?amp=1",
        "https://ex.com/news/story?outputType=amp",
        "https://amp.ex.com/news/story",
    ],
)
def test_amp_variants_fold_onto_the_regular_page(amp: str) -> None:
    assert is_amp_url(amp)
    assert canonicalize_url(amp) in {"https://ex.com/news/story", "https://ex.com/news/story/"}
    assert not is_amp_url(canonicalize_url(amp))


def test_amp_folding_keeps_other_parameters_and_words_containing_amp() -> None:
    assert canonicalize_url("https://ex.com/s/amp/?amp=1&id=3") == "https://ex.com/s/?id=3"
    assert canonicalize_url("https://ex.com/camp/example") == "https://ex.com/camp/example"
    assert not is_amp_url("https://ex.com/camp/lamp?ampere=1")


def test_fingerprint_is_the_sha1_of_the_canonical_form() -> None:
    a = url_fingerprint("https://ex.com/a?b=1&a=2&utm_source=x#top")
    assert a == url_fingerprint("https://EX.com/a?a=2&b=1")
    assert a != url_fingerprint("https://ex.com/a?a=2&b=2")
    assert len(a) == 40 and int(a, 16) >= 0


@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("https://ex.com/calendar/2031/07/", "/calendar/N/N/"),
        ("https://ex.com/list?page=3&sort=asc&page=4", "/list?page&sort"),
        ("https://ex.com/a/b12c345", "/a/bNcN"),
        ("https://ex.com", "/"),
    ],
)
def test_url_template(url: str, template: str) -> None:
    assert url_template(url) == template


def test_url_template_groups_pagination_and_query_permutations() -> None:
    pages = {url_template(f"https://ex.com/tag/x/page/{n}/?s={n}") for n in range(50)}
    assert pages == {"/tag/x/page/N/?s"}


def test_same_site() -> None:
    domains = ["example.com", "www.other.org"]
    assert same_site("https://example.com/a", domains)
    assert same_site("https://www.example.com/a", domains)
    assert same_site("https://news.EXAMPLE.com./a", domains)
    assert same_site("https://other.org/", domains)
    assert not same_site("https://badexample.com/", domains)
    assert not same_site("https://example.com.evil.net/", domains)
    assert not same_site("mailto:a@example.com", domains)
    assert same_site("https://example.com/a", ["https://www.example.com/"])


def test_is_http_url() -> None:
    assert is_http_url("https://ex.com/a")
    assert is_http_url("HTTP://ex.com")
    for url in ("ftp://ex.com/", "javascript:alert(1)", "/relative", "https://", "mailto:x@y"):
        assert not is_http_url(url)


@pytest.mark.parametrize("url", ["http://]", "http://[::1", "https://[/x", "http://a]b/"])
def test_predicates_answer_for_urls_urllib_cannot_split(url: str) -> None:
    # Found by the property tests: these raised ValueError ("Invalid IPv6 URL").
    assert not is_http_url(url)
    assert not same_site(url, ["example.com"])
    assert not same_site("https://example.com/", [url])
    assert not is_amp_url(url)
    assert url_template(url) == url.replace("1", "N")  # digits aside, itself
    with pytest.raises(ValueError):  # documented: canonicalize_url refuses what it cannot split
        canonicalize_url(url)
