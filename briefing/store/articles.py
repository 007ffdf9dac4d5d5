"""Stored articles for the digest job: insert with dedup by content hash, list by ingest time."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from briefing.dates import to_utc
from briefing.models import Article
from briefing.store.tables import StoredArticle, utcnow

_SPACE = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """sha256 of the text normalised: NFKC, case-folded, whitespace collapsed."""
    normal = _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha256(normal.encode()).hexdigest()


@dataclass(frozen=True)
class Inserted:
    """One input article: the row it is now stored as, and whether that row is new."""

    article: Article
    row: StoredArticle
    duplicate: bool


def check_storable(articles: Sequence[Article]) -> list[datetime | None]:
    """Each article's publication time in UTC; InputError naming the article when one has
    no UTC form. Callers that store later (a queue worker) check here first, synchronously."""
    return [to_utc(a.published_at, f"published_at of {a.id!r}") if a.published_at else None for a in articles]


def add_articles(
    session: Session,
    articles: Sequence[Article],
    *,
    key_id: str | None = None,
    now: datetime | None = None,
) -> list[Inserted]:
    """Store articles not seen before (by content hash); duplicates point at the existing row."""
    now = now or utcnow()
    published = check_storable(articles)  # before any row is built: only dates with a UTC form
    hashes = [content_hash(a.text) for a in articles]
    existing = {
        row.content_hash: row
        for row in session.scalars(
            select(StoredArticle).where(StoredArticle.content_hash.in_(set(hashes)))
        )
    }
    out: list[Inserted] = []
    for article, digest, published_at in zip(articles, hashes, published, strict=True):
        if digest in existing:
            out.append(Inserted(article, existing[digest], duplicate=True))
            continue
        values = dict(
            id=f"a_{digest[:24]}",
            content_hash=digest,
            source_id=article.id,
            title=article.title,
            outlet=article.outlet,
            url=article.url,
            published_at=published_at,
            text=article.text,
            ingested_at=now,
            key_id=key_id,
        )
        # Another process may store the same text between our select and this insert: the
        # unique hash decides, without an error or a savepoint (SQLite and PostgreSQL alike).
        # No conflict target: the id is made from the hash, so when two writers race,
        # PostgreSQL may meet the id's unique index before the hash's, and a conflict on
        # either is the same article already stored.
        table = cast(Table, StoredArticle.__table__)
        insert = pg_insert(table) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(table)
        added = session.scalar(
            insert.values(**values).on_conflict_do_nothing().returning(table.c.seq)
        )  # None when the article was already there
        row = session.scalar(select(StoredArticle).where(StoredArticle.content_hash == digest))
        assert row is not None
        existing[digest] = row
        out.append(Inserted(article, row, duplicate=added is None))
    session.flush()
    return out


def list_articles(
    session: Session,
    *,
    since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 100,
    key_id: str | None = None,
) -> list[StoredArticle]:
    """Articles ingested at or after `since` (and past the `after` cursor), in ingest order;
    only those stored with `key_id` when it is given (None: every article)."""
    query = select(StoredArticle).order_by(StoredArticle.ingested_at, StoredArticle.seq)
    if key_id is not None:
        query = query.where(StoredArticle.key_id == key_id)
    if since is not None:
        query = query.where(StoredArticle.ingested_at >= to_utc(since, "since"))
    if after is not None:
        at, seq = to_utc(after[0], "cursor"), after[1]
        query = query.where(
            or_(
                StoredArticle.ingested_at > at,
                and_(StoredArticle.ingested_at == at, StoredArticle.seq > seq),
            )
        )
    return list(session.scalars(query.limit(limit)))


def as_article(row: StoredArticle) -> Article:
    """A stored row back as the pipeline's Article (id is the stored id)."""
    return Article(
        id=row.id,
        title=row.title,
        outlet=row.outlet,
        url=row.url,
        published_at=row.published_at,
        text=row.text,
    )
