"""Ingest batches: articles accepted by the API or the CLI and stored by a queue worker.

    queued ──worker stores the rows──▶ stored ──near copies linked──▶ done

With a broker, `POST /v1/articles` and `briefing ingest --store` check the articles, add
a batch row and enqueue its task; the answer names the batch to poll. The worker writes
what it stored (or found stored already) in the same transaction as the article rows, so
a batch is `stored` exactly when its articles are, and a task redelivered after that only
finishes the near-copy links.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from briefing.store.articles import Inserted
from briefing.store.tables import Base, StoredArticle, utcnow

BATCH_STATUSES = ("queued", "stored", "done", "failed")


class IngestBatch(Base):
    """One request's articles on their way through the queue, and what became of them."""

    __tablename__ = "ingest_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"), default=None)
    articles: Mapped[int] = mapped_column(Integer, doc="how many articles were accepted")
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, doc="inputs refused when the batch was accepted")
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None, doc="{'stored': [...], 'duplicates': [...]}")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


def add_batch(
    session: Session, *, articles: int, problems: Sequence[dict[str, Any]] = (), key_id: str | None = None
) -> IngestBatch:
    row = IngestBatch(id=secrets.token_hex(16), status="queued", key_id=key_id, articles=articles,
                      problems=list(problems), created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def get_batch(session: Session, batch_id: str) -> IngestBatch | None:
    return session.get(IngestBatch, batch_id, populate_existing=True)


def batch_result(inserted: Sequence[Inserted]) -> dict[str, Any]:
    """What a batch stored, as the API shows it (near-copy links filled in by `mark_done`)."""
    return {
        "stored": [{"id": i.row.id, "source_id": i.article.id, "title": i.article.title, "near_duplicate_of": None}
                   for i in inserted if not i.duplicate],
        "duplicates": [{"source_id": i.article.id, "title": i.article.title, "duplicate_of": i.row.id}
                       for i in inserted if i.duplicate],
    }


def mark_stored(session: Session, batch_id: str, result: dict[str, Any]) -> None:
    """Record what was stored; called in the transaction that stored the articles."""
    session.execute(update(IngestBatch).where(IngestBatch.id == batch_id, IngestBatch.status == "queued")
                    .values(status="stored", result=result))


def mark_done(session: Session, batch_id: str) -> None:
    """The near-copy links are made: copy each stored article's link into the result."""
    row = get_batch(session, batch_id)
    if row is None or row.result is None or row.status != "stored":
        return
    result = dict(row.result)
    ids = [s["id"] for s in result.get("stored", [])]
    near = dict(session.execute(select(StoredArticle.id, StoredArticle.near_duplicate_of)
                                .where(StoredArticle.id.in_(ids))).tuples().all())
    result["stored"] = [{**s, "near_duplicate_of": near.get(s["id"])} for s in result.get("stored", [])]
    row.result, row.status, row.finished_at = result, "done", utcnow()


def mark_failed(session: Session, batch_id: str, error: str) -> None:
    session.execute(update(IngestBatch).where(IngestBatch.id == batch_id, IngestBatch.status == "queued")
                    .values(status="failed", error=error, finished_at=utcnow()))
