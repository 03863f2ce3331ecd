"""Page-level faults, crawled: what ``scrapy crawl news`` stores of each and what it counts.

Two crawls of the fault server (tests/sites/faults.py) cover every route here: one in
``url`` mode (pages classified, links followed) started from all of them at once, on SQLite;
one in ``urls_file`` mode (each page read as an article whatever it looks like) on
PostgreSQL, which refuses a NUL byte in text. Several routes serve the same article text:
the first one stored is ``new``, the others its aliases (``duplicate``); both mean stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from newscrawler.api import Archive
from newscrawler.extraction import Article, Rejected, extract
from newscrawler.extraction.dates import doubt, parse_datetime
from newscrawler.urls import canonicalize_url, has_tracking_params
from tests.conftest import pg_database
from tests.crawling import CrawlResult, final_stats, run_crawl
from tests.sites.faults import FaultServer, Seen
from tests.sites.pages import PARAGRAPHS, TRACKING_VARIANTS

pytestmark = pytest.mark.e2e

CONTENT = ["/content/pdf-as-html", "/content/jpeg-as-html", "/content/invalid-utf8",
           "/content/unknown-charset", "/content/binary-content-type", "/content/nested-divs",
           "/content/huge-text-node", "/content/nul-bytes", "/content/many-links"]
DATES = ["/dates/dst-gap", "/dates/no-zone", "/dates/future", "/dates/before-1990",
         "/dates/epoch-ms"]
WITHOUT_ARTICLE = ["/pages/consent-wall", "/pages/paywall", "/pages/soft-404"]
STORED = ("new", "duplicate")  # the article, or an alias of the same article
WORKERS = 2  # extraction processes: the memory bound below holds on any machine


@dataclass
class Crawl:
    server: FaultServer
    db_url: str
    result: CrawlResult
    stats: dict[str, int]
    requests: list[Seen]  # what this crawl asked the fault server

    def outcomes(self, path: str) -> list[str]:
        """The fetch outcomes recorded for ``path`` (its URL without query), oldest first."""
        engine = create_engine(self.db_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT outcome FROM fetches WHERE url = :url ORDER BY id"),
                                {"url": self.server.url(path)}).scalars().all()
        engine.dispose()
        return list(rows)

    def article(self, path: str) -> dict | None:
        with Archive(self.db_url) as archive:
            return archive.article(self.server.url(path))

    def requested(self, prefix: str) -> list[str]:
        return [seen.target for seen in self.requests if seen.target.startswith(prefix)]


def _crawl(server: FaultServer, args: list[str], db_url: str, warc: Path) -> Crawl:
    before = len(server.seen())
    result = run_crawl(args, db_url, warc, timeout=180,
                       settings={"NEWSCRAWLER_EXTRACT_WORKERS": str(WORKERS)})
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-5000:]
    requests = [seen for seen in server.seen()[before:] if seen.site == "main"]
    return Crawl(server, db_url, result, final_stats(result.log), requests)


@pytest.fixture(scope="module")
def site_crawl(fault_server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """``-a url=`` every content, date and wall route, and the page of tracking links."""
    tmp = tmp_path_factory.mktemp("faults-content")
    starts = [fault_server.url(p) for p in [*CONTENT, *DATES, *WITHOUT_ARTICLE,
                                            "/tracking/index"]]
    return _crawl(fault_server, [f"url={','.join(starts)}"],
                  f"sqlite:///{tmp / 'archive.sqlite3'}", tmp / "warc")


@pytest.fixture(scope="module")
def listed_crawl(fault_server: FaultServer, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Crawl]:
    """``-a urls_file=``: the pages without their article, and NUL bytes, on PostgreSQL."""
    tmp = tmp_path_factory.mktemp("faults-listed")
    listed = tmp / "pages.txt"
    listed.write_text("".join(f"{fault_server.url(p)}\n" for p in [
        *WITHOUT_ARTICLE, "/content/nul-bytes", "/content/invalid-utf8"]))
    with pg_database() as name:
        yield _crawl(fault_server, [f"urls_file={listed}"],
                     f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", tmp / "warc")


# --- content ---------------------------------------------------------------------------------
def test_pdf_and_jpeg_served_as_html_are_refused(site_crawl: Crawl) -> None:
    for path in ("/content/pdf-as-html", "/content/jpeg-as-html"):
        assert site_crawl.outcomes(path) == ["dropped:not_html"], path
        assert site_crawl.article(path) is None
    assert site_crawl.stats["newscrawler/dropped/not_html"] == 2


def test_broken_encodings_are_stored_with_the_text_around_them_intact(site_crawl: Crawl) -> None:
    """Invalid UTF-8, a charset no codec knows, bytes that are not text in Content-Type."""
    for path, title in (("/content/invalid-utf8", "Breakwater finished before winter"),
                        ("/content/unknown-charset", "Unknown charset"),
                        ("/content/binary-content-type", "Breakwater finished before winter")):
        assert site_crawl.outcomes(path)[0] in STORED, path
        article = site_crawl.article(path)
        assert article is not None and article["title"] == title, path
        assert "authority confirmed on Tuesday" in article["text"]
        assert PARAGRAPHS[1] in article["text"] and PARAGRAPHS[2] in article["text"]
    assert site_crawl.article("/content/invalid-utf8")["text"].startswith("The harb")


def test_nul_bytes_are_removed_and_the_article_stored(site_crawl: Crawl,
                                                      listed_crawl: Crawl) -> None:
    for crawl in (site_crawl, listed_crawl):
        assert crawl.outcomes("/content/nul-bytes")[0] in STORED
        article = crawl.article("/content/nul-bytes")
        assert "\x00" not in article["text"] and "inner basin to be dredged" in article["text"]
    # Without its NULs the page is the plain article: the same text, so the same hash.
    plain = site_crawl.article("/content/binary-content-type")
    assert site_crawl.article("/content/nul-bytes")["content_hash"] == plain["content_hash"]


def test_100000_nested_divs_are_parsed_to_a_bounded_depth_and_dropped(site_crawl: Crawl) -> None:
    assert site_crawl.outcomes("/content/nested-divs") == ["dropped:not_article"]
    assert site_crawl.article("/content/nested-divs") is None


def test_a_10_mb_text_node_ends_as_an_article_in_bounded_memory(site_crawl: Crawl) -> None:
    """Extracted in a worker, under the per-page time limit (a page past it would be
    ``dropped:extract_timeout``): libxml2 stops parsing at a text node over 10,000,000 bytes,
    the article keeps the paragraphs before it."""
    assert site_crawl.outcomes("/content/huge-text-node") == ["new"]
    article = site_crawl.article("/content/huge-text-node")
    assert article["title"] == "A ten megabyte paragraph"
    assert article["text"] == "\n".join(PARAGRAPHS)
    # The crawl and its workers together, with the 10 MB body in flight.
    assert site_crawl.result.peak_pss_mib < 600, site_crawl.result.peak_pss_mib


def test_a_page_of_50000_links_is_read_to_1000_and_its_shape_budget(site_crawl: Crawl) -> None:
    assert site_crawl.outcomes("/content/many-links") == ["dropped:not_article"]
    assert site_crawl.stats["newscrawler/discovery/page_link_limit"] == 49_000
    followed = site_crawl.requested("/links/")
    assert 0 < len(followed) <= 60  # NEWSCRAWLER_MAX_PAGES_PER_TEMPLATE: every one a 404
    assert site_crawl.stats["newscrawler/discovery/template_budget"] == 1000 - len(followed)


# --- dates -----------------------------------------------------------------------------------
def _published(crawl: Crawl, path: str) -> datetime | None:
    article = crawl.article(path)
    assert article is not None, path
    value = article["published_at"]
    return datetime.fromisoformat(value) if value else None


def test_a_time_without_zone_is_stored_as_utc(site_crawl: Crawl) -> None:
    assert _published(site_crawl, "/dates/no-zone") == datetime(2025, 3, 12, 8, 15, tzinfo=UTC)


def test_a_time_in_a_daylight_saving_gap_is_kept_as_written(site_crawl: Crawl) -> None:
    """02:30 on the night Paris skips from 02:00 to 03:00, without an offset: UTC, as any
    zoneless time; no named zone is applied, so nothing is shifted or refused."""
    assert _published(site_crawl, "/dates/dst-gap") == datetime(2025, 3, 30, 2, 30, tzinfo=UTC)


def test_epoch_milliseconds_are_read_as_utc(site_crawl: Crawl) -> None:
    assert _published(site_crawl, "/dates/epoch-ms") == datetime(2025, 3, 12, 8, 15, tzinfo=UTC)


def test_future_and_pre_1990_dates_are_not_believed_and_counted(site_crawl: Crawl) -> None:
    for path in ("/dates/future", "/dates/before-1990"):
        assert site_crawl.outcomes(path) == ["new"], path
        assert _published(site_crawl, path) is None, path
    assert site_crawl.stats["newscrawler/dates/future"] == 1
    assert site_crawl.stats["newscrawler/dates/before_1990"] == 1


# --- pages that answer 200 without the article -----------------------------------------------
@pytest.mark.parametrize("crawl_name", ["site_crawl", "listed_crawl"])
def test_consent_walls_paywalls_and_soft_404s_are_dropped_with_their_reason(
        crawl_name: str, request: pytest.FixtureRequest) -> None:
    """In both modes: a page listed as an article is not stored when it is none of these."""
    crawl: Crawl = request.getfixturevalue(crawl_name)
    for path, reason in zip(WITHOUT_ARTICLE, ["consent_wall", "paywall", "soft_404"],
                            strict=True):
        assert crawl.outcomes(path) == [f"dropped:{reason}"], path
        assert crawl.article(path) is None, path
        assert crawl.stats[f"newscrawler/dropped/{reason}"] == 1
    with Archive(crawl.db_url) as archive:
        texts = [record["text"] for record in archive.records()]
    assert not any("843 partners" in t or "Subscribe" in t or "not found" in t for t in texts)


def test_twenty_tracking_variants_of_one_article_cost_one_fetch(site_crawl: Crawl) -> None:
    assert site_crawl.requested("/tracking/article") == ["/tracking/article"]
    assert site_crawl.stats["newscrawler/discovery/tracking_links"] == len(TRACKING_VARIANTS)
    assert site_crawl.outcomes("/tracking/article")[0] in STORED
    stored = site_crawl.article("/tracking/article")
    assert stored is not None
    for variant in TRACKING_VARIANTS:
        assert site_crawl.article(f"/tracking/article{variant}")["id"] == stored["id"]


# --- the same rules, page by page (extraction is pure: no crawl needed) ---------------------
def _page(body: str, title: str = "Le port", head: str = "") -> bytes:
    return (f'<html lang="fr"><head><title>{title}</title>{head}</head>'
            f"<body>{body}</body></html>").encode()


ARTICLE_BODY = "<article><h1>Le port</h1>" + "".join(
    f"<p>{p}</p>" for p in PARAGRAPHS * 3) + "</article>"
OG_ARTICLE = '<meta property="og:type" content="article">'


@pytest.mark.parametrize(("body", "reason"), [
    ("<h1>Vos choix concernant les cookies</h1><p>Nous et nos partenaires utilisons des "
     "traceurs pour mesurer l'audience.</p><button>Tout accepter</button>"
     "<button>Continuer sans accepter</button>", "consent_wall"),
    (f"<article><h1>Le port</h1><p>{PARAGRAPHS[0]}</p><p>Il vous reste 85 % de cet article à "
     "lire. La suite est réservée aux abonnés.</p></article>", "paywall"),
    ("<h1>Page introuvable</h1><p>Cette page n'existe pas ou plus.</p>", "soft_404"),
])
@pytest.mark.parametrize("force", [False, True])
def test_french_pages_without_the_article_are_told_apart(body: str, reason: str,
                                                          force: bool) -> None:
    result = extract(_page(body, head=OG_ARTICLE), "https://x.example/2025/le-port",
                     force_article=force)
    assert isinstance(result, Rejected) and result.reason == reason


@pytest.mark.parametrize("extra", [
    '<div class="cookies">Nous utilisons des cookies. <button>Accepter</button></div>',
    "<aside>Subscribe to continue reading our newsletter. Article réservé aux abonnés.</aside>",
    "<aside><h2>404 links: page not found</h2></aside>",
])
def test_an_article_with_a_banner_or_an_offer_beside_it_is_kept(extra: str) -> None:
    result = extract(_page(extra + ARTICLE_BODY, head=OG_ARTICLE),
                     "https://x.example/2025/le-port", force_article=True)
    assert isinstance(result, Article) and PARAGRAPHS[2] in result.text


@pytest.mark.parametrize(("value", "expected"), [
    ("1741767300000", datetime(2025, 3, 12, 8, 15, tzinfo=UTC)),
    ("1741767300", datetime(2025, 3, 12, 8, 15, tzinfo=UTC)),
    ("20250312", datetime(2025, 3, 12)),  # eight digits: an ISO 8601 basic date, not seconds
])
def test_epoch_seconds_and_milliseconds_are_utc(value: str, expected: datetime) -> None:
    stamp = parse_datetime(value)
    assert stamp is not None and stamp.value == expected


def test_a_date_beyond_a_day_ahead_or_before_1990_is_doubted() -> None:
    now = datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert [doubt(parse_datetime(text), now) for text in (  # type: ignore[arg-type]
        "2025-06-02T11:00:00Z", "2025-06-02T13:00:00Z", "2025-06-03", "1990-01-01",
        "1989-12-31T23:59:59Z", "0001-01-01", "1970-01-01T00:00:00Z",
    )] == [None, "future", "future", None, "before_1990", "before_1990", "before_1990"]


def test_an_implausible_declared_date_gives_way_to_the_next_candidate() -> None:
    """A CMS default in JSON-LD (0001-01-01) does not hide the page's own ``<time>``."""
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Le port",'
            ' "datePublished": "0001-01-01T00:00:00+00:00"}</script>')
    body = ARTICLE_BODY.replace("<h1>Le port</h1>", '<h1>Le port</h1><time datetime='
                                '"2025-03-12T08:15:00+01:00">12 mars</time>')
    result = extract(_page(body, head=head), "https://x.example/2025/le-port")
    assert isinstance(result, Article)
    assert result.published_at == datetime.fromisoformat("2025-03-12T08:15:00+01:00")
    assert result.discarded_dates == ("before_1990",)


def test_links_with_tracking_parameters_are_recognised() -> None:
    base = "https://x.example/tracking/article"
    for variant in TRACKING_VARIANTS:
        assert has_tracking_params(base + variant), variant
        assert canonicalize_url(base + variant) == base
    assert not has_tracking_params(base + "?page=2")
    assert not has_tracking_params("http://[::1")
