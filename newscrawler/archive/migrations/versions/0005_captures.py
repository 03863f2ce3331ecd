"""Raw captures in the archive: a row per WARC record, each article version at its record.

- ``captures``: one row per response, revisit and metadata record the crawl wrote (where
  it lies, its date, status, payload digest, record id and what it refers to), indexed for
  the revisit lookups of later runs (URL and payload digest, URL and date).
- ``article_versions``: the WARC record each version was extracted from (``warc_file``,
  ``warc_offset``, ``warc_length``) and the ``extractor`` that read it; each article's
  latest version is backfilled from the article's own columns.

Revision ID: 0005
Revises: 0003 (relinked to the search migration, 0004, when both are merged)
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newscrawler.archive.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None



def _version_columns() -> list[sa.Column[object]]:
    return [sa.Column("warc_file", sa.Text(), nullable=True),
            sa.Column("warc_offset", sa.BigInteger(), nullable=True),
            sa.Column("warc_length", sa.BigInteger(), nullable=True),
            sa.Column("extractor", sa.String(100), nullable=True)]


def _captures() -> None:
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("warc_date", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("rec_type", sa.String(16), nullable=False),
        sa.Column("payload_digest", sa.String(64), nullable=True),
        sa.Column("warc_file", sa.Text(), nullable=False),
        sa.Column("warc_offset", sa.BigInteger(), nullable=False),
        sa.Column("warc_length", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("refers_to", sa.String(64), nullable=True),
        sa.Column("truncated", sa.String(16), nullable=True),
        sa.Column("whole", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"],
                                name="fk_captures_run_id_crawl_runs", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_captures"),
        sa.UniqueConstraint("record_id", name="uq_captures_record_id"),
        sa.UniqueConstraint("warc_file", "warc_offset", name="uq_captures_warc_file_warc_offset"),
    )
    op.create_index("ix_captures_run_id", "captures", ["run_id"])
    op.create_index("ix_captures_refers_to", "captures", ["refers_to"])
    op.create_index("ix_captures_url_payload_digest", "captures", ["url", "payload_digest"])
    op.create_index("ix_captures_url_warc_date", "captures", ["url", "warc_date"])


def upgrade() -> None:
    _captures()
    for column in _version_columns():
        op.add_column("article_versions", column)
    # The latest version was extracted from the record its article points at.
    for name in ("warc_file", "warc_offset", "extractor"):
        op.execute(
            f"UPDATE article_versions SET {name} = (SELECT a.{name} FROM articles a"
            " WHERE a.id = article_versions.article_id"
            " AND a.version = article_versions.version)"
        )


def downgrade() -> None:
    with op.batch_alter_table("article_versions") as batch:
        for column in reversed(_version_columns()):
            batch.drop_column(column.name)
    op.drop_table("captures")
