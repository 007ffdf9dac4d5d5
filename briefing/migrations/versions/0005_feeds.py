"""Feeds: the feeds to poll (with their health) and the items seen in them.

Revision ID: 0005_feeds
Revises: 0004_delivery_owner
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import briefing.feeds.store  # noqa: F401  (registers the feed tables on Base.metadata)
from briefing.store.tables import UTCDateTime

revision = "0005_feeds"
down_revision = "0004_delivery_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_polled_at", UTCDateTime(), nullable=True),
        sa.Column("last_success_at", UTCDateTime(), nullable=True),
        sa.Column("last_error_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", UTCDateTime(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("articles_stored", sa.Integer(), nullable=False),
    )
    op.create_index("ix_feeds_next_poll_at", "feeds", ["next_poll_at"])
    op.create_table(
        "feed_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("canonical_url", sa.Text(), nullable=False, unique=True),
        sa.Column("feed_id", sa.String(32), sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("article_id", sa.String(32), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_feed_items_feed_id", "feed_items", ["feed_id"])


def downgrade() -> None:
    op.drop_index("ix_feed_items_feed_id", table_name="feed_items")
    op.drop_table("feed_items")
    op.drop_index("ix_feeds_next_poll_at", table_name="feeds")
    op.drop_table("feeds")
