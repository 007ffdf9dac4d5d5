"""Articles in and out of the store for the digest: `ingest --store` and a day's window.

Storage is the store's own repository (`briefing.store.add_articles`: one row per
distinct text, stamped with its ingest time); this module only adds the two shapes
the CLI and the digest job need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from briefing import store
from briefing.config import Settings
from briefing.digest.compose import Dated
from briefing.models import Article

PAGE = 500


@dataclass
class StoreResult:
    """What `store_articles` did: ids of new rows, and inputs whose text was stored before."""

    stored: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (input id, stored id)

    def summary(self) -> str:
        return f"stored {len(self.stored)} new articles ({len(self.duplicates)} already stored)"


def store_articles(
    articles: Sequence[Article], settings: Settings, *, now: datetime | None = None
) -> StoreResult:
    """Store articles (with their ingest time) in the configured database for digests."""
    db = store.Database.from_settings(settings)
    try:
        db.migrate()
        with db.transaction() as session:
            rows = store.add_articles(session, articles, now=now)
    finally:
        db.dispose()
    out = StoreResult()
    for r in rows:
        if r.duplicate:
            out.duplicates.append((r.article.id, r.row.id))
        else:
            out.stored.append(r.row.id)
    return out


def load_window(session: Session, since: datetime, until: datetime) -> list[Dated]:
    """Stored articles ingested in [since, until), oldest first, with their ingest time."""
    out: list[Dated] = []
    after: tuple[datetime, int] | None = None
    while True:
        rows = store.list_articles(session, since=since, after=after, limit=PAGE)
        for row in rows:
            if row.ingested_at >= until:
                return out
            out.append(Dated(store.as_article(row), row.ingested_at))
        if len(rows) < PAGE:
            return out
        after = (rows[-1].ingested_at, rows[-1].seq)
