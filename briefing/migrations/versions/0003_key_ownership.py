"""Key ownership: admin keys, and subscribers owned by the key that created them.

Briefings and stored articles have recorded the key that created them (`key_id`) from
the start, so they stay with that key. Subscribers get `key_id` here, and keys get an
`admin` flag (an admin key sees and manages everything). Subscribers that exist before
this migration get `key_id` NULL, as do articles stored by the CLI: only admin keys see
those through the API (the CLI, run by the operator, sees everything as before). An
index per owner keeps "my articles, by ingest time" and "my subscribers" cheap.

Revision ID: 0003_key_ownership
Revises: 0002_digest
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_key_ownership"
down_revision = "0002_digest"
branch_labels = None
depends_on = None


@contextmanager
def _subscribers() -> Iterator[Any]:
    """Alter `subscribers`, keeping the delivery log.

    SQLite alters a table by copying it and dropping the old one; with foreign keys on,
    that drop fires deliveries' ON DELETE CASCADE. The log is set aside and put back.
    """
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMP TABLE _deliveries_kept AS SELECT * FROM deliveries")
    with op.batch_alter_table("subscribers") as batch:
        yield batch
    if sqlite:
        op.execute("DELETE FROM deliveries")
        op.execute("INSERT INTO deliveries SELECT * FROM _deliveries_kept")
        op.execute("DROP TABLE _deliveries_kept")


def upgrade() -> None:
    op.add_column(
        "api_keys",
        sa.Column("admin", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    with _subscribers() as batch:
        batch.add_column(sa.Column("key_id", sa.String(32), nullable=True))
        batch.create_foreign_key(
            "fk_subscribers_key_id", "api_keys", ["key_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_subscribers_key_id", ["key_id"])
    op.create_index("ix_articles_key_ingested", "articles", ["key_id", "ingested_at"])


def downgrade() -> None:
    op.drop_index("ix_articles_key_ingested", table_name="articles")
    with _subscribers() as batch:
        batch.drop_index("ix_subscribers_key_id")
        batch.drop_constraint("fk_subscribers_key_id", type_="foreignkey")
        batch.drop_column("key_id")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("admin")
