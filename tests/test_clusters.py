"""Near-duplicate clusters: syndicated copies share cluster_id, unrelated stories do not."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from newscrawler.analysis import minhash
from newscrawler.archive import models
from tests.test_store import make_record

WIRE = (
    "PARIS (AP) — France's parliament on Tuesday approved a contested bill that raises the "
    "retirement age from 62 to 64, after months of strikes and street protests that drew "
    "millions of people across the country.\n"
    "The lower house voted 287 to 252 in favour of the measure, which the government says is "
    "needed to keep the pension system from running a deficit as the population ages.\n"
    "Unions said they would keep up the pressure and called for another day of nationwide "
    "action next week, while opposition lawmakers vowed to challenge the law before the "
    "Constitutional Council.\n"
    "Prime Minister Elisabeth Borne told lawmakers the reform was a matter of responsibility "
    "and that the government had listened to concerns by adding measures for people who "
    "started working very young and for those in physically demanding jobs.\n"
    "Critics argue that the burden falls hardest on low-income workers and women, and polls "
    "show that a large majority of French people remain opposed to the change."
)
SITE_A = "Subscribe to our newsletter for the best stories every morning. " + WIRE + \
    "\nCopyright 2024 The Associated Press. All rights reserved. Follow us on social media."
SITE_B = ("Advertisement. " + WIRE.replace("Tuesday", "Tuesday evening")
          .replace("millions of people", "millions of demonstrators")
          .replace("PARIS (AP) — ", "") + "\nRead more: our coverage of the pension reform. "
          "Share this article with your friends and family.")
OTHER = (
    "A rare total solar eclipse will cross North America next spring, and astronomers are "
    "urging people along the path of totality to plan ahead. Hotels in small towns in Texas, "
    "Ohio and Vermont are already fully booked, and officials expect traffic jams on rural "
    "roads. Experts remind viewers to use certified eclipse glasses, because looking at the "
    "sun without protection can cause permanent eye damage within seconds."
)


def cluster_of(store, url: str) -> tuple[int, str]:
    with store.engine.connect() as connection:
        return connection.execute(
            select(models.Article.id, models.Article.cluster_id)
            .where(models.Article.canonical_url == url)
        ).one()


def test_signature_similarity_estimates_jaccard():
    a, b, c = (minhash.signature(t) for t in (SITE_A, SITE_B, OTHER))
    assert a is not None and b is not None and c is not None
    exact = len(minhash.shingles(SITE_A) & minhash.shingles(SITE_B)) / \
        len(minhash.shingles(SITE_A) | minhash.shingles(SITE_B))
    assert abs(minhash.similarity(a, b) - exact) < 0.15
    assert minhash.similarity(a, b) >= minhash.THRESHOLD > minhash.similarity(a, c)
    assert minhash.signature("  ") is None and minhash.signature(SITE_A) == a
    assert len(minhash.band_keys(a)) == minhash.BANDS


def test_wire_copies_share_a_cluster(store):
    assert store.store(make_record("https://site-a.example/pensions", text=SITE_A), None) == "new"
    assert store.store(make_record("https://other.example/eclipse", text=OTHER), None) == "new"
    assert store.store(make_record("https://site-b.example/retraites", text=SITE_B,
                                   title="France raises retirement age"), None) == "new"
    a_id, a_cluster = cluster_of(store, "https://site-a.example/pensions")
    other_id, other_cluster = cluster_of(store, "https://other.example/eclipse")
    _, b_cluster = cluster_of(store, "https://site-b.example/retraites")
    assert a_cluster == b_cluster == str(a_id)
    assert other_cluster == str(other_id) != a_cluster
    with store.engine.connect() as connection:
        bands = connection.scalar(select(func.count()).select_from(models.ArticleBand))
    assert bands == 3 * minhash.BANDS


def test_a_new_version_can_join_a_cluster(store):
    store.store(make_record("https://site-a.example/p", text=SITE_A), None)
    store.store(make_record("https://site-c.example/p", text="Developing story, more soon."),
                None)
    c_id, c_cluster = cluster_of(store, "https://site-c.example/p")
    assert c_cluster == str(c_id)
    assert store.store(make_record("https://site-c.example/p", text=SITE_B), None) == "version"
    a_id, _ = cluster_of(store, "https://site-a.example/p")
    assert cluster_of(store, "https://site-c.example/p")[1] == str(a_id)


def test_article_without_signature_is_clustered_when_seen_again(store):
    store.store(make_record("https://site-a.example/q", text=SITE_A), None)
    with store.engine.begin() as connection:  # as archived before migration 0002
        connection.execute(delete(models.ArticleBand))
        connection.execute(models.Article.__table__.update().values(minhash=None,
                                                                    cluster_id=None))
    store.store(make_record("https://site-b.example/q", text=SITE_B), None)
    a_id, a_cluster = cluster_of(store, "https://site-a.example/q")
    assert a_cluster is None
    assert store.store(make_record("https://site-a.example/q", text=SITE_A), None) == "unchanged"
    assert cluster_of(store, "https://site-a.example/q")[1] is not None
    assert cluster_of(store, "https://site-a.example/q")[1] == \
        cluster_of(store, "https://site-b.example/q")[1]


def test_batches_of_copies_join_their_stories_clusters(store):
    # Ten unrelated stories and a copy of each in one batch, a reprint of each in the next:
    # within a batch each copy finds the story stored before it, across batches each reprint
    # finds its archived story; no two stories share a cluster.
    import random

    rng = random.Random(7)
    vocabulary = [f"word{n}" for n in range(5000)]
    stories = [" ".join(rng.choice(vocabulary) for _ in range(150)) for _ in range(10)]

    def record(kind: str, n: int) -> object:
        text = stories[n] if kind == "story" else f"Edition {kind}. " + stories[n]
        return make_record(f"https://{kind}-{n}.example/p", text=text)

    first = [record("story", n) for n in range(10)] + [record("copy", n) for n in range(10)]
    assert store.store_many(first, None) == ["new"] * 20
    second = [record("reprint", n) for n in range(10)]
    assert store.store_many(second, None) == ["new"] * 10
    clusters = set()
    for n in range(10):
        story_id, cluster = cluster_of(store, f"https://story-{n}.example/p")
        assert cluster == str(story_id)
        assert cluster_of(store, f"https://copy-{n}.example/p")[1] == cluster
        assert cluster_of(store, f"https://reprint-{n}.example/p")[1] == cluster
        clusters.add(cluster)
    assert len(clusters) == 10
