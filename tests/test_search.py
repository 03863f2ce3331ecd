"""Full-text search through ``Archive``, on SQLite and PostgreSQL, over articles stored by the
crawl's own write path (``ArchiveStore``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from newscrawler import Archive
from newscrawler.archive import models
from newscrawler.archive.query import InvalidQuery
from newscrawler.archive.store import ArchiveStore, ArticleRecord, content_hash
from newscrawler.extraction.article import Article
from newscrawler.search.backend import backend_for
from newscrawler.search.snippets import MARK_START, render

DAY = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
WIRE = " ".join(
    f"Storm Ciaran hit the northern coast on day {n}, cutting power to thousands of homes "
    f"while rescue teams worked through the night in village number {n}." for n in range(12))
FRENCH = [  # (slug, title, text, published day offset or None)
    ("gaza", "Gaza : le cessez-le-feu tient depuis dimanche",
     "Après des semaines de négociations, le cessez-le-feu est respecté. L'État hébreu "
     "et le Hamas échangent des otages.", 0),
    ("hopital", "Un nouvel hôpital ouvre à Lyon",
     "L'hôpital de la Croix-Rousse accueille ses premiers patients ce lundi.", 2),
    ("premier", "Le premier ministre présente son gouvernement",
     "Le premier ministre a présenté la liste des ministres. Démission surprise du "
     "ministre de la culture.", 4),
    ("ministre", "Remaniement : un ministre de premier plan quitte le gouvernement",
     "Le ministre, pourtant de premier plan, part sans démission officielle.", 6),
    ("sans-date", "Les élections municipales approchent",
     "Les candidats aux élections municipales présentent leurs programmes.", None),
]
ENGLISH = [
    ("ceasefire", "Ceasefire holds in the north", "Several countries welcomed the ceasefire "
     "agreed on Sunday, and hospitals reopened.", 1),
    ("markets", "Markets rally as talks resume", "A country of traders: markets rallied as "
     "negotiations on a truce resumed.", 3),
]


def _record(source: str, slug: str, title: str, text: str, day: int | None, lang: str,
            seen: int = 9) -> ArticleRecord:
    url = f"https://{source}.example/{slug}"
    published = None if day is None else DAY + timedelta(days=day)
    article = Article(url=url, title=title, text=text, language=lang, published_at=published,
                      extractor="test 1")
    return ArticleRecord(article=article, url=url, canonical_url=url, source=source,
                         content_hash=content_hash(title, text),
                         fetched_at=DAY + timedelta(days=seen))


@pytest.fixture
def archive(engine: Engine):
    """An archive of French and English articles and a wire story published twice."""
    store = ArchiveStore(engine)
    store.store_many([_record("journal-fr", *row, "fr") for row in FRENCH], None)
    store.store_many([_record("daily-en", *row, "en") for row in ENGLISH], None)
    store.store(_record("wire-a", "storm", "Storm Ciaran batters the coast", WIRE, 5, "en"), None)
    store.store(_record("wire-b", "storm-copy", "Storm Ciaran batters the coast",
                        WIRE.replace("thousands", "many thousands"), 5, "en"), None)
    with Archive(engine.url.render_as_string(hide_password=False)) as opened:
        yield opened


def slugs(hits) -> set[str]:
    return {hit.url.rsplit("/", 1)[1] for hit in hits}


def test_cessez_le_feu_finds_the_articles_containing_it(archive):
    assert slugs(archive.search("cessez-le-feu")) == {"gaza"}
    assert slugs(archive.search('"cessez le feu"')) == {"gaza"}
    assert slugs(archive.search("cessez-le-feu OR ceasefire")) == {"gaza", "ceasefire"}


@pytest.mark.parametrize("query, found", [
    ("ETAT", {"gaza"}), ("negociations", {"gaza"}), ("HOPITAL", {"hopital"}),
    ("élections MUNICIPALES", {"sans-date"}), ("eLeCtIoN", {"sans-date"}),
])
def test_accentless_and_lower_case_queries_find_accented_text(archive, query, found):
    assert slugs(archive.search(query)) == found


def test_plurals_find_singulars_in_french_and_english(archive):
    assert slugs(archive.search("hôpitaux")) == {"hopital"}  # French plural, singular text
    assert slugs(archive.search("country")) == {"ceasefire", "markets"}  # countries, country
    assert slugs(archive.search("hospital")) == {"ceasefire"}  # hospitals
    assert slugs(archive.search("hôpitaux", lang="fr")) == {"hopital"}


def test_phrases_and_exclusions(archive):
    assert slugs(archive.search('"premier ministre"')) == {"premier"}
    assert slugs(archive.search("premier ministre")) == {"premier", "ministre"}
    assert slugs(archive.search("ministre -démission")) == set()
    assert slugs(archive.search('ministre -"démission surprise"')) == {"ministre"}
    assert slugs(archive.search("title:gouvernement")) == {"premier", "ministre"}
    assert slugs(archive.search("title:ceasefire")) == {"ceasefire"}
    assert slugs(archive.search("négoc*")) == {"gaza"}
    assert slugs(archive.search("(truce OR otages) -hamas")) == {"markets"}


def test_since_until_filter_by_publication_else_first_seen(archive):
    assert slugs(archive.search("ministre", since="2024-06-06")) == {"ministre"}
    assert slugs(archive.search("ministre", until="2024-06-05")) == {"premier"}
    # undated: placed by when it was first seen (June 10)
    assert slugs(archive.search("élections", since="2024-06-10", until="2024-06-10")) == {
        "sans-date"}
    assert slugs(archive.search("élections", until="2024-06-09")) == set()


def _harbour_days(engine: Engine) -> dict[str, int | None]:
    """300 articles archived a day apart from DAY, each published that day, some undated;
    every fifth from day 150 on a backfill published 140 days before it was archived."""
    days: dict[str, int | None] = {}
    for n in range(300):
        days[f"h{n}"] = (n - 140 if n >= 150 and n % 5 == 0 else
                         None if n % 7 == 0 else n)
    records = [_record("harbour-news", slug, f"Harbour report {slug}",
                       "The harbour reopened after the storm.", day, "en", seen=int(slug[1:]))
               for slug, day in days.items()]
    store = ArchiveStore(engine)
    for start in range(0, len(records), 50):  # in crawl order, a batch at a time
        store.store_many(records[start:start + 50], None)
    return days


def test_a_period_finds_articles_archived_long_after_it(engine):
    """A date filter reads the ids its period's articles lie between: backfills, archived
    long after the period they are dated in, are found with the rest."""
    days = _harbour_days(engine)
    url = engine.url.render_as_string(hide_password=False)
    with Archive(url) as archive:
        for first, last in [(20, 40), (0, 12), (150, 170), (35, 35)]:
            expected = {slug for slug, day in days.items()
                        if first <= (int(slug[1:]) if day is None else day) <= last}
            since = (DAY + timedelta(days=first)).date().isoformat()
            until = (DAY + timedelta(days=last)).date().isoformat()
            assert slugs(archive.search("harbour", since=since, until=until,
                                        limit=500)) == expected
            oldest = archive.search("harbour", since=since, until=until, limit=500,
                                    sort="oldest")
            assert slugs(oldest) == expected
            assert archive.count(query="harbour", since=since, until=until) == len(expected)
    assert {"h160", "h165", "h170", "h175", "h180"} <= {  # the backfills of days 20-40
        slug for slug, day in days.items() if day is not None and 20 <= day <= 40}


def test_collapse_folds_a_wire_story_and_its_copy(archive):
    plain = archive.search("storm")
    assert len(plain) == 2 and {hit.source for hit in plain} == {"wire-a", "wire-b"}
    assert plain[0].cluster_id == plain[1].cluster_id
    folded = archive.search("storm", collapse=True)
    assert len(folded) == 1 and folded[0].copies == 2
    assert {hit.copies for hit in archive.search("ceasefire OR storm", collapse=True)} == {1, 2}


def test_hits_are_ranked_records_with_snippets(archive):
    hits = archive.search("ceasefire")
    assert [h.url.rsplit("/", 1)[1] for h in hits] == ["ceasefire"]
    hit = hits[0]
    assert hit["title"] == hit.title and dict(hit)["source"] == "daily-en"
    assert MARK_START in hit.snippet and "[ceasefire]" in render(hit.snippet)
    assert hit.score > 0 and hit.copies is None
    titled = archive.search("ministre premier")
    assert titled[0].score >= titled[-1].score
    assert [h.id for h in archive.search("ministre", sort="oldest")] == sorted(
        h.id for h in archive.search("ministre"))
    assert len(archive.search("ministre", limit=1, offset=1)) == 1


def test_count_records_and_filters_take_the_query(archive):
    assert archive.count(query="cessez-le-feu OR ceasefire") == 2
    assert archive.count(query="ministre", source="journal-fr", lang="fr") == 2
    assert {r["url"] for r in archive.records(query="storm")} == {
        "https://wire-a.example/storm", "https://wire-b.example/storm-copy"}
    assert archive.search("storm", source="wire-b")[0].source == "wire-b"


def test_tag_selects_the_sources_of_the_sources_file(archive, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[sources.journal-fr]\nstart_urls = ["https://journal-fr.example/"]\n'
                       'tags = { collection = "fr-test", country = "FR" }\n'
                       '[sources.daily-en]\nstart_urls = ["https://daily-en.example/"]\n'
                       'tags = { collection = "en-test" }\n')
    archive.sources_file = sources
    assert slugs(archive.search("ceasefire OR cessez-le-feu", tag="fr-test")) == {"gaza"}
    assert archive.count(query="ceasefire", tag="collection=en-test") == 1
    with pytest.raises(InvalidQuery, match="collection=fr-test"):
        archive.search("x", tag="nope")


def test_stats_by_day_count_matching_out_of_total(archive):
    rows = archive.stats("ministre OR cessez-le-feu", by="day", source="journal-fr")
    assert rows[0] == {"period": "2024-06-01", "source": None, "matching": 1, "total": 1,
                       "ratio": 1.0}
    by_day = {row["period"]: (row["matching"], row["total"]) for row in rows}
    assert by_day["2024-06-03"] == (0, 1) and by_day["2024-06-04"] == (0, 0)
    assert by_day["2024-06-05"] == (1, 1) and by_day["2024-06-10"] == (0, 1)
    assert len(rows) == 10  # every day from June 1 to June 10
    weekly = archive.stats("ceasefire", by="week", by_source=True)
    assert {row["period"] for row in weekly} == {"2024-05-27", "2024-06-03", "2024-06-10"}
    monthly = archive.stats(by="month")
    assert monthly == [{"period": "2024-06-01", "source": None, "matching": 9, "total": 9,
                        "ratio": 1.0}]


def test_results_become_typed_data_frames(archive):
    frame = archive.search("ministre").to_pandas()
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]" or \
        str(frame["published_at"].dtype).startswith("datetime64[")
    assert str(frame["id"].dtype) == "Int64" and frame["score"].dtype == "float64"
    assert list(frame.columns)[-3:] == ["score", "snippet", "copies"]
    stats = archive.stats("ministre", by="day").to_pandas()
    assert str(stats["period"].dtype).startswith("datetime64[")
    assert stats["total"].dtype == "int64" and stats["ratio"].dtype == "float64"


def test_the_index_follows_bulk_inserts_versions_updates_and_deletes(archive, engine):
    url = "https://journal-fr.example/hopital"
    store = ArchiveStore(engine)
    assert store.store(_record("journal-fr", "hopital", "Un nouvel hôpital ouvre à Lyon",
                               "La clinique vétérinaire ouvre ses portes.", 2, "fr", seen=11),
                       None) == "version"
    assert slugs(archive.search("clinique")) == {"hopital"}
    assert slugs(archive.search("patients")) == set()  # the old text left the index
    with Session(engine) as session, session.begin():
        session.execute(update(models.Article).where(models.Article.canonical_url == url)
                        .values(title="Une clinique pour chiens"))
    assert slugs(archive.search("title:chiens")) == {"hopital"}
    assert slugs(archive.search("title:hôpital")) == set()
    with Session(engine) as session, session.begin():
        session.execute(delete(models.Article).where(models.Article.canonical_url == url))
    assert slugs(archive.search("clinique")) == set()
    with engine.connect() as connection:
        backend = backend_for(engine.dialect.name)
        articles = connection.scalar(select(func.count(models.Article.id)))
        assert backend.indexed(connection) == articles == 8


QUERY_TEXT = st.lists(st.sampled_from(
    [*"aéZ19 -*\"'():«»_%\\;\x00東", "OR ", "AND ", "NOT ", "title:", "NEAR(", "storm ",
     "cessez-le-feu", "\u0301", "🔥"]), max_size=20).map("".join) | st.text(max_size=30)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERY_TEXT)
def test_any_input_answers_or_explains_in_one_line(archive, text):
    try:
        hits = archive.search(text, collapse=len(text) % 2 == 0)
        assert archive.count(query=text) >= len(hits)
    except InvalidQuery as error:
        assert "\n" not in str(error)


def test_export_writes_the_selection_in_each_format(archive, tmp_path):
    import pandas as pd

    assert archive.export(tmp_path / "a.parquet", "parquet", query="storm OR ministre") == 4
    frame = pd.read_parquet(tmp_path / "a.parquet")
    assert str(frame["first_seen_at"].dtype) == "datetime64[us, UTC]" and len(frame) == 4
    assert archive.export(tmp_path / "a.csv", "csv", tag=None, lang="en") == 4
    assert len(pd.read_csv(tmp_path / "a.csv")) == 4
    assert archive.export(tmp_path / "a.jsonl", query="cessez-le-feu") == 1
    with pytest.raises(InvalidQuery, match="format 'xml'"):
        archive.export(tmp_path / "a.xml", "xml")
    assert not (tmp_path / "a.xml").exists()


def test_ten_kilobytes_of_text_and_many_terms_are_answered(archive):
    text = " ".join(f"mot{n} cessez-le-feu ministre" for n in range(900))[:10_240]
    assert archive.search(text) == []
    assert archive.count(query=" OR ".join(f"w{n}" for n in range(999))) == 0
