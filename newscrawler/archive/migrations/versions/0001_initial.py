"""The initial schema: sources, crawl runs, articles, versions, URLs, fetches.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newscrawler.archive.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _articles() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("sitename", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("modified_at", UTCDateTime(), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("cluster_id", sa.String(64), nullable=True),
        sa.Column("warc_file", sa.Text(), nullable=True),
        sa.Column("warc_offset", sa.BigInteger(), nullable=True),
        sa.Column("extractor", sa.String(100), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(64), nullable=True),
        sa.Column("next_check_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"],
            name="fk_articles_source_id_sources", ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("canonical_url", name="uq_articles_canonical_url"),
    )
    for column in ("source_id", "published_at", "language", "content_hash", "cluster_id",
                   "next_check_at"):
        op.create_index(f"ix_articles_{column}", "articles", [column])


def _article_children() -> None:
    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name="fk_article_versions_article_id_articles", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_article_versions"),
        sa.UniqueConstraint(
            "article_id", "version", name="uq_article_versions_article_id_version"
        ),
    )
    op.create_table(
        "article_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name="fk_article_urls_article_id_articles", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_article_urls"),
        sa.UniqueConstraint("url", name="uq_article_urls_url"),
    )
    op.create_index("ix_article_urls_article_id", "article_urls", ["article_id"])


def _fetches() -> None:
    op.create_table(
        "fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"],
            name="fk_fetches_run_id_crawl_runs", ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name="fk_fetches_article_id_articles", ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fetches"),
    )
    op.create_index("ix_fetches_run_id", "fetches", ["run_id"])
    op.create_index("ix_fetches_article_id", "fetches", ["article_id"])


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("name", name="uq_sources_name"),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("articles_new", sa.Integer(), nullable=False),
        sa.Column("versions_new", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("hostname", sa.String(255), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'failed')", name="ck_crawl_runs_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )
    _articles()
    _article_children()
    _fetches()


def downgrade() -> None:
    for table in ("fetches", "article_urls", "article_versions", "articles", "crawl_runs",
                  "sources"):
        op.drop_table(table)
