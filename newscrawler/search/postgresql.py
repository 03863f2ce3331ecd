"""PostgreSQL search: a trigger-maintained ``tsvector`` side table with a GIN index.

``article_search(article_id, document)`` holds one ``tsvector`` per article: its title with
weight A, its description and text with weight D, analysed by the text search configuration
of its language: ``nc_french`` and ``nc_english`` (PostgreSQL's Snowball stemmers of the
``french`` and ``english`` configurations, after the ``unaccent`` dictionary, without stop
words so phrases such as "cessez le feu" keep every word), or ``nc_simple`` (folded, not
stemmed). Texts are cut into runs of letters and digits first, as the SQLite analyzer does,
so ``covid-19`` and ``l'état`` are words, not PostgreSQL's hyphenated or signed tokens.
A trigger writes the row in the article's own transaction; deleting the article cascades.

Queries are built from the parsed tree: each term becomes ``to_tsquery(config, :text)``
with ``:text`` a bound parameter made of analysed words in quotes, combined with
``tsquery_and``/``tsquery_or``/``tsquery_not``. Ranking is ``ts_rank_cd`` with the title
weighted ``TITLE_WEIGHT`` times the body.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    REAL,
    ColumnElement,
    Connection,
    Float,
    Integer,
    Subquery,
    bindparam,
    cast,
    column,
    func,
    literal,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSVECTOR, array
from sqlalchemy.exc import DBAPIError

from newscrawler.archive import models
from newscrawler.archive.engine import ArchiveError
from newscrawler.search.query import Node, Not, Or, Term

__all__ = ["PostgreSQLBackend"]

TITLE_WEIGHT = 4.0
CONFIGS = {"fr": "nc_french", "en": "nc_english", None: "nc_simple"}
_WORD_TYPES = "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, " \
    "hword_part, hword_numpart"
_SEARCH = table("article_search", column("article_id", Integer), column("document", TSVECTOR))
DDL = (
    "CREATE TEXT SEARCH DICTIONARY nc_french_stem (TEMPLATE = snowball, LANGUAGE = french)",
    "CREATE TEXT SEARCH DICTIONARY nc_english_stem (TEMPLATE = snowball, LANGUAGE = english)",
    *(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = simple)" for name in CONFIGS.values()),
    f"ALTER TEXT SEARCH CONFIGURATION nc_french ALTER MAPPING FOR {_WORD_TYPES} "
    "WITH unaccent, nc_french_stem",
    f"ALTER TEXT SEARCH CONFIGURATION nc_english ALTER MAPPING FOR {_WORD_TYPES} "
    "WITH unaccent, nc_english_stem",
    f"ALTER TEXT SEARCH CONFIGURATION nc_simple ALTER MAPPING FOR {_WORD_TYPES} "
    "WITH unaccent, simple",
    """CREATE FUNCTION nc_search_document(language text, title text, description text,
                                          body text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT setweight(to_tsvector(c, regexp_replace(coalesce(title, ''),
                                                        '[^[:alnum:]]+', ' ', 'g')), 'A')
             || setweight(to_tsvector(c, regexp_replace(
                    coalesce(description, '') || ' ' || coalesce(body, ''),
                    '[^[:alnum:]]+', ' ', 'g')), 'D')
         FROM (SELECT CASE lower(left(coalesce(language, ''), 2))
                        WHEN 'fr' THEN 'nc_french' WHEN 'en' THEN 'nc_english'
                        ELSE 'nc_simple' END::regconfig AS c) AS chosen
       $$""",
    """CREATE TABLE article_search (
         article_id INTEGER NOT NULL,
         document tsvector NOT NULL,
         CONSTRAINT pk_article_search PRIMARY KEY (article_id),
         CONSTRAINT fk_article_search_article_id_articles FOREIGN KEY (article_id)
           REFERENCES articles (id) ON DELETE CASCADE)""",
    "CREATE INDEX ix_article_search_document ON article_search USING gin (document)",
    """CREATE FUNCTION nc_article_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO article_search (article_id, document)
         VALUES (NEW.id, nc_search_document(NEW.language, NEW.title, NEW.description, NEW.text))
         ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER article_search_sync AFTER INSERT OR UPDATE OF title, description, text, "
    "language ON articles FOR EACH ROW EXECUTE FUNCTION nc_article_search_sync()",
)
_FILL = ("INSERT INTO article_search (article_id, document) SELECT id, nc_search_document("
         "language, title, description, text) FROM articles")
DROP = (
    "DROP TRIGGER IF EXISTS article_search_sync ON articles",
    "DROP FUNCTION IF EXISTS nc_article_search_sync()",
    "DROP TABLE IF EXISTS article_search",
    "DROP FUNCTION IF EXISTS nc_search_document(text, text, text, text)",
    *(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}" for name in CONFIGS.values()),
    "DROP TEXT SEARCH DICTIONARY IF EXISTS nc_french_stem",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS nc_english_stem",
)
_PERIODS = {"day": "day", "week": "week", "month": "month"}


def _ensure_unaccent(connection: Connection) -> None:
    """``CREATE EXTENSION unaccent`` where this role may; else say who must run what."""
    present = connection.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'unaccent'").scalar()
    if present:
        return
    database = connection.exec_driver_sql("SELECT current_database()").scalar()
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DBAPIError as exc:
        raise ArchiveError(
            f"search needs the PostgreSQL extension unaccent, which this role cannot create "
            f"({str(exc.orig).strip().splitlines()[0]}): a superuser must run "
            f'`CREATE EXTENSION unaccent;` in database "{database}" (package '
            "postgresql-contrib), then rerun `newscrawler db upgrade`"
        ) from exc


def _text(term: Term) -> str:
    """to_tsquery input: the term's words in quotes (letters and digits only), in sequence."""
    label = "A" if term.title else ""
    quoted = [f"'{word}'" + (":" + label if label else "") for word in term.words]
    if term.prefix:
        quoted[-1] = f"'{term.words[-1]}':*{label}"
    return " <-> ".join(quoted)


def _term(term: Term, languages: Sequence[str | None]) -> ColumnElement[Any]:
    configs = list(dict.fromkeys(CONFIGS[language] for language in languages))
    if term.prefix and CONFIGS[None] not in configs:
        configs.append(CONFIGS[None])  # a stem can be shorter than the prefix typed
    value = bindparam(None, _text(term), unique=True)
    return _balanced(func.tsquery_or, [
        func.to_tsquery(cast(literal(config), REGCONFIG), value) for config in configs])


def _balanced(combine: Any, parts: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    """``combine`` over ``parts`` as a balanced tree: a long query nests log2(n) deep, not n
    (PostgreSQL's parser has a stack depth limit)."""
    while len(parts) > 1:
        pairs = [combine(a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)]
        parts = pairs + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0]


def tsquery(node: Node, languages: Sequence[str | None]) -> ColumnElement[Any]:
    """The ``tsquery`` expression of a parsed query, with every word a bound parameter."""
    if isinstance(node, Term):
        return _term(node, languages)
    if isinstance(node, Not):
        return func.tsquery_not(tsquery(node.child, languages))
    combine = func.tsquery_or if isinstance(node, Or) else func.tsquery_and
    return _balanced(combine, [tsquery(child, languages) for child in node.children])


class PostgreSQLBackend:
    """tsvector index and queries (see the module docstring)."""

    name = "postgresql"

    def create(self, connection: Connection) -> None:
        _ensure_unaccent(connection)
        for statement in DDL:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(_FILL)

    def drop(self, connection: Connection) -> None:
        for statement in DROP:
            connection.exec_driver_sql(statement)

    def reindex(self, connection: Connection) -> int:
        connection.exec_driver_sql("TRUNCATE article_search")
        connection.exec_driver_sql(_FILL)
        return self.indexed(connection)

    def indexed(self, connection: Connection) -> int:
        return int(connection.exec_driver_sql("SELECT count(*) FROM article_search").scalar() or 0)

    def id_range(self, connection: Connection, since: datetime | None,
                 until: datetime | None) -> tuple[int, int] | None:
        """None: PostgreSQL's planner combines the date filter with the GIN index itself."""
        return None

    def matches(self, tree: Node, languages: Sequence[str | None],
                within: tuple[int, int] | None = None) -> Subquery:
        query = tsquery(tree, languages)
        # Weights of D (body), C, B, A (title): the title counts TITLE_WEIGHT times the body.
        weights = cast(array([1 / TITLE_WEIGHT, 0.2, 0.4, 1.0]), ARRAY(REAL))
        score = func.ts_rank_cd(weights, _SEARCH.c.document, query, 1)
        article = models.Article
        statement = select(
            _SEARCH.c.article_id.label("article_id"), cast(score, Float).label("score"),
            article.published_at, article.first_seen_at, article.source_id, article.language,
            article.cluster_id,
        ).join(article, article.id == _SEARCH.c.article_id) \
            .where(_SEARCH.c.document.bool_op("@@")(query))
        if within is not None:
            statement = statement.where(_SEARCH.c.article_id.between(*within))
        return statement.subquery("matches")

    def period(self, when: ColumnElement[Any], by: str) -> ColumnElement[str]:
        return func.to_char(func.date_trunc(_PERIODS[by], when), "YYYY-MM-DD")
