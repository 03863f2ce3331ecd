"""Full-text search: the index of every article, kept by triggers in its own transaction.

SQLite: the FTS5 table ``article_search`` and triggers on ``articles``; PostgreSQL: the
``unaccent`` extension, text search configurations and the ``article_search`` tsvector table
with its GIN index and trigger (see ``newscrawler.search``). Existing articles are indexed
here, so the upgrade takes about two minutes per 100,000 articles.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

from newscrawler.search import schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema.install(op.get_bind())


def downgrade() -> None:
    schema.uninstall(op.get_bind())
