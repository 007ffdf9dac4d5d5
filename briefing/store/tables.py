"""The database schema as typed SQLAlchemy 2 models; migrations/ must match it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from briefing.dates import to_utc

JOB_STATUSES = ("queued", "running", "done", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = to_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}  # noqa: RUF012


class ApiKey(Base):
    """A client's key: public id, hashed secret, revoked or not."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    admin: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), doc="sees and manages every key's rows"
    )


class StoredArticle(Base):
    """An article kept for the digest job, unique by the hash of its normalised text."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_key_ingested", "key_id", "ingested_at"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source_id: Mapped[str | None] = mapped_column(String(200), default=None)
    title: Mapped[str] = mapped_column(Text, default="")
    outlet: Mapped[str | None] = mapped_column(Text, default=None)
    url: Mapped[str | None] = mapped_column(Text, default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None
    )
    near_duplicate_of: Mapped[str | None] = mapped_column(
        String(32), default=None, doc="the stored article this one nearly repeats (shared MinHash index)"
    )


class BriefingJob(Base):
    """One briefing request: the job row is the source of truth, the result lands on it."""

    __tablename__ = "briefings"
    __table_args__ = (
        UniqueConstraint("key_id", "idempotency_key", name="uq_briefings_key_idempotency"),
        Index("ix_briefings_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str] = mapped_column(String(16))
    max_points: Mapped[int | None] = mapped_column(Integer, default=None)
    request: Mapped[dict[str, Any]] = mapped_column(
        doc="{'articles': [Article as JSON], 'problems': [InputProblem as JSON]}"
    )
    request_hash: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None
    )
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(
        default=None, doc="while running: when the job counts as abandoned unless renewed"
    )
