"""Deliveries record the process that claimed them, so a dead run's claim can be taken over.

Revision ID: 0004_delivery_owner
Revises: 0003_key_ownership
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_delivery_owner"
down_revision = "0003_key_ownership"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("claimed_by", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:  # nothing references deliveries
        batch.drop_column("claimed_by")
