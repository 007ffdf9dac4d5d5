"""Articles: the stored article each one nearly repeats (shared near-duplicate index).

Revision ID: 0006_near_duplicates
Revises: 0005_feeds
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_near_duplicates"
down_revision = "0005_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("near_duplicate_of", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("near_duplicate_of")
