"""Feeds and the items seen in them: the tables, and the few writes polling needs.

A feed row carries its own health (last success, last error and why, consecutive
failures, next poll, disabled and why), so `feeds list` and `GET /v1/feeds` read one row.
An item row is keyed by the entry's canonical URL across all feeds: the same story in
two feeds is fetched and stored once. `pending` items are pages that failed; they keep
what the entry said so the next poll can retry them even when the feed answers 304.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from briefing.errors import InputError
from briefing.store.tables import Base, utcnow

MAX_URL_CHARS = 2000
MAX_TOPICS = 20
ITEM_STATUSES = ("stored", "pending", "failed")


class FeedExists(InputError):
    """The URL is already a feed."""


class Feed(Base):
    """One RSS/Atom feed to poll, with its conditional-GET validators and its health."""

    __tablename__ = "feeds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text, default=None, doc="outlet name; else the feed's title")
    title: Mapped[str | None] = mapped_column(Text, default=None, doc="what the feed calls itself")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    etag: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[str | None] = mapped_column(Text, default=None)
    last_polled_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    failures: Mapped[int] = mapped_column(Integer, default=0, doc="consecutive failed polls")
    next_poll_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, default=None)
    items_seen: Mapped[int] = mapped_column(Integer, default=0, doc="distinct entries ever seen")
    articles_stored: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def outlet(self) -> str | None:
        return self.name or self.title


class FeedItem(Base):
    """One entry, by canonical URL across every feed: stored, pending (page failed) or failed."""

    __tablename__ = "feed_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    article_id: Mapped[str | None] = mapped_column(String(32), default=None)
    title: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    author: Mapped[str | None] = mapped_column(Text, default=None, doc="the page's byline (Article has no field for it)")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def check_url(url: str) -> str:
    """An http(s) URL with a host, stripped; InputError (a 422 at the API) otherwise."""
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise InputError(f"the URL is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise InputError(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"a feed URL must be http or https, not {parts.scheme or 'schemeless'!r}")
    if not parts.hostname:
        raise InputError("a feed URL needs a host")
    if any(c.isspace() for c in url):
        raise InputError("a feed URL cannot contain spaces")
    return url


def clean_topics(topics: str | Sequence[str]) -> list[str]:
    """Comma-separated or a list; blanks dropped, order kept, duplicates once."""
    raw = topics.split(",") if isinstance(topics, str) else list(topics)
    out: list[str] = []
    for t in (t.strip() for t in raw):
        if t and t not in out:
            out.append(t)
    if len(out) > MAX_TOPICS:
        raise InputError(f"at most {MAX_TOPICS} topics")
    return out


def add_feed(
    session: Session, url: str, *, name: str | None = None, topics: str | Sequence[str] = ()
) -> Feed:
    """A new feed, due at once; FeedExists if the URL is already one."""
    url = check_url(url)
    existing = session.scalar(select(Feed).where(Feed.url == url))
    if existing is not None:
        raise FeedExists(f"{url} is already a feed ({existing.id})")
    row = Feed(
        id=f"f_{secrets.token_hex(8)}", url=url, name=(name or "").strip() or None,
        topics=clean_topics(topics), next_poll_at=None, created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def list_feeds(session: Session) -> list[Feed]:
    return list(session.scalars(select(Feed).order_by(Feed.created_at, Feed.id)))


def find_feed(session: Session, ref: str) -> Feed | None:
    """By id or by URL."""
    return session.get(Feed, ref) or session.scalar(select(Feed).where(Feed.url == ref.strip()))


def remove_feed(session: Session, ref: str) -> Feed | None:
    """Delete a feed and its item log (stored articles stay); None if there is none."""
    row = find_feed(session, ref)
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def due_feeds(session: Session, now: datetime, *, every: bool = False) -> list[Feed]:
    """Enabled feeds whose next poll has come (all enabled ones with `every`)."""
    query = select(Feed).where(Feed.enabled.is_(True)).order_by(Feed.next_poll_at, Feed.id)
    rows = list(session.scalars(query))
    return rows if every else [r for r in rows if r.next_poll_at is None or r.next_poll_at <= now]


def record_success(feed: Feed, now: datetime, interval: timedelta) -> None:
    feed.last_polled_at = feed.last_success_at = now
    feed.failures = 0
    feed.next_poll_at = now + interval


def record_failure(
    feed: Feed, now: datetime, reason: str, *, backoff: timedelta, cap: timedelta,
    max_failures: int, permanent: bool = False,
) -> None:
    """Count an error: exponential backoff, and disabled when permanent or too many in a row."""
    feed.last_polled_at = feed.last_error_at = now
    feed.last_error = reason
    feed.failures += 1
    feed.next_poll_at = now + min(cap, backoff * 2 ** (feed.failures - 1))
    if permanent or feed.failures >= max_failures:
        feed.enabled = False
        why = reason if permanent else f"{feed.failures} failures in a row; last: {reason}"
        feed.disabled_reason = why


def enable_feed(feed: Feed) -> None:
    """Give a disabled feed another chance, due at once."""
    feed.enabled, feed.disabled_reason, feed.failures, feed.next_poll_at = True, None, 0, None


def known_items(session: Session, urls: Sequence[str]) -> dict[str, FeedItem]:
    """Item rows for these canonical URLs (any feed)."""
    if not urls:
        return {}
    rows = session.scalars(select(FeedItem).where(FeedItem.canonical_url.in_(set(urls))))
    return {r.canonical_url: r for r in rows}


def pending_items(session: Session, feed_id: str) -> list[FeedItem]:
    return list(
        session.scalars(
            select(FeedItem).where(FeedItem.feed_id == feed_id, FeedItem.status == "pending").order_by(FeedItem.id)
        )
    )


def pending_counts(session: Session) -> dict[str, int]:
    """Pages waiting for a retry, per feed id (for `feeds list`)."""
    from sqlalchemy import func

    query = (
        select(FeedItem.feed_id, func.count())
        .where(FeedItem.status == "pending")
        .group_by(FeedItem.feed_id)
    )
    return {feed_id: n for feed_id, n in session.execute(query)}


def health(feed: Feed) -> str:
    """One word or phrase for a feed's state, as `feeds list` and the API show it."""
    if not feed.enabled:
        return "disabled"
    if feed.failures:
        return "failing"
    return "ok" if feed.last_success_at else "new"
