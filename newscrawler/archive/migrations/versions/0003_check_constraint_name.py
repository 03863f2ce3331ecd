"""Give crawl_runs' status check the name the models give it.

0002 re-created the check as ``ck_crawl_runs_status`` and Alembic applied the naming
convention to that name once more: ``ck_crawl_runs_ck_crawl_runs_status``. The models (and
so a new archive, created from them in one step by ``archive.engine``) say
``ck_crawl_runs_status``; ``op.f`` marks both names as final here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = "status IN ('running', 'finished', 'failed', 'interrupted')"
DOUBLED = "ck_crawl_runs_ck_crawl_runs_status"
MODELS = "ck_crawl_runs_status"


def _rename(old: str, new: str) -> None:
    # SQLite rebuilds the table (foreign keys are off around migrations, see archive.engine).
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_constraint(op.f(old), type_="check")
        batch.create_check_constraint(op.f(new), STATUSES)


def upgrade() -> None:
    _rename(DOUBLED, MODELS)


def downgrade() -> None:
    _rename(MODELS, DOUBLED)
