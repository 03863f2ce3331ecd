"""The archive over time: revisit bookkeeping, near-duplicate bands, run locks, 'interrupted'.

- ``articles.last_changed_at`` (backfilled from the newest version) and ``articles.minhash``;
  ``cluster_id`` backfilled with the article's own id (signatures of older articles are
  computed when they are next fetched).
- ``content_hash`` of articles and versions recomputed with the normalisation that ignores
  typographic quotes, dashes and invisible characters, so a recheck after the upgrade does
  not record a spurious version.
- ``article_bands`` (LSH keys) and ``run_locks`` (one running crawl per source).
- crawl run status ``interrupted``.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newscrawler.analysis.normalise import content_hash
from newscrawler.archive.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 1000
OLD_STATUSES = "status IN ('running', 'finished', 'failed')"
NEW_STATUSES = "status IN ('running', 'finished', 'failed', 'interrupted')"


def _rehash(table: str) -> None:
    """Recompute ``content_hash`` from title and text, batch by batch in id order."""
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column("title", sa.Text),
                    sa.column("text", sa.Text), sa.column("content_hash", sa.String))
    connection = op.get_bind()
    last = 0
    while True:
        batch = connection.execute(
            sa.select(rows.c.id, rows.c.title, rows.c.text, rows.c.content_hash)
            .where(rows.c.id > last).order_by(rows.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        for row_id, title, text, old in batch:
            new = content_hash(title, text)
            if new != old:
                connection.execute(
                    rows.update().where(rows.c.id == row_id).values(content_hash=new)
                )
        last = batch[-1][0]


def _backfill_articles() -> None:
    op.execute(
        "UPDATE articles SET last_changed_at = (SELECT MAX(v.fetched_at) FROM article_versions v"
        " WHERE v.article_id = articles.id)"
    )
    op.execute("UPDATE articles SET cluster_id = CAST(id AS VARCHAR(64)) WHERE cluster_id IS NULL")
    _rehash("articles")
    _rehash("article_versions")


def _new_tables() -> None:
    op.create_table(
        "article_bands",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name="fk_article_bands_article_id_articles", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "band", name="pk_article_bands"),
    )
    op.create_index("ix_article_bands_band_key", "article_bands", ["band", "key"])
    op.create_table(
        "run_locks",
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name="fk_run_locks_run_id_crawl_runs",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("source", name="pk_run_locks"),
    )


def _run_statuses(condition: str) -> None:
    # SQLite rebuilds the table; archive.engine turns foreign keys off around migrations so
    # dropping the old crawl_runs does not null every fetch's run_id.
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_constraint("ck_crawl_runs_status", type_="check")
        batch.create_check_constraint("ck_crawl_runs_status", condition)


def upgrade() -> None:
    op.add_column("articles", sa.Column("last_changed_at", UTCDateTime(), nullable=True))
    op.add_column("articles", sa.Column("minhash", sa.LargeBinary(), nullable=True))
    _backfill_articles()
    _new_tables()
    _run_statuses(NEW_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE crawl_runs SET status = 'failed' WHERE status = 'interrupted'")
    _run_statuses(OLD_STATUSES)
    op.drop_table("run_locks")
    op.drop_index("ix_article_bands_band_key", table_name="article_bands")
    op.drop_table("article_bands")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("minhash")
        batch.drop_column("last_changed_at")
