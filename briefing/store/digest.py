"""Digest subscribers and the delivery log: one row per (subscriber, digest date).

    (none) ──ensure──▶ pending ──claim──▶ sending ──▶ sent
                          ▲                  │ └────▶ failed   (5xx: recorded, never retried)
                          └──── defer ───────┘                  (4xx / unreachable: next run)

`claim_delivery` is one conditional UPDATE, so two runs (or two hosts) cannot both send the
same digest, and the unique (subscriber_id, digest_date) constraint means there is never a
second row to send from. The claim is committed *before* the SMTP conversation and the
outcome *after* it.

Delivery guarantee: **at least once**, and only in one narrow window. A process that dies
after the SMTP server accepted a message but before `finish_delivery` committed leaves the
row in `sending`. The claim records the claiming process (`claimed_by`, see
`briefing.processes`): a later run on the same host takes the row over at once when that
process is certainly gone (killed, pid gone or reused); otherwise (another host, or the
owner still alive) once the claim is older than `stale_after`. Either way the message is
sent again with the same Message-ID, so most clients fold the two. Pass
`stale_after=None` for **at most once**: a `sending` row is then left alone (never
re-sent), dead owner or not, and shows up in the run report. Losing a reader's whole day
to a crash is the worse failure for a daily digest, hence the default.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from briefing.errors import InputError
from briefing.processes import this_process
from briefing.store.holders import or_dead_holder
from briefing.store.tables import Base, utcnow
from briefing.untrusted import has_encoded_word

DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")
MAX_TOPICS = 20
MAX_TOPIC_CHARS = 200
MAX_NAME_CHARS = 200
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# local@domain, nothing that could end a header or hide a second address.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


class Subscriber(Base):
    """Someone who gets the daily digest: where, when (local hour) and about what."""

    __tablename__ = "subscribers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    send_hour: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    hard_bounces: Mapped[int] = mapped_column(Integer, default=0, doc="consecutive 5xx refusals")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    deactivated_reason: Mapped[str | None] = mapped_column(Text, default=None)
    key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None, index=True,
        doc="the API key that subscribed them (NULL: the CLI, or before keys owned rows)",
    )


class Delivery(Base):
    """One subscriber's digest for one date: the row that makes sending idempotent."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "digest_date", name="uq_deliveries_subscriber_date"),
        Index("ix_deliveries_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[str] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    digest_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), doc="pending | sending | sent | failed")
    attempts: Mapped[int] = mapped_column(Integer, default=0, doc="SMTP tries over all runs")
    smtp_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None, doc="the last SMTP reply or error")
    message_id: Mapped[str | None] = mapped_column(String(255), default=None)
    subject: Mapped[str | None] = mapped_column(Text, default=None)
    stories: Mapped[list[Any] | None] = mapped_column(JSON, default=None, doc="what was sent")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str | None] = mapped_column(
        String(255), default=None, doc="'host:pid:start' of the process that claimed it"
    )
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


# ---------------------------------------------------------------- validation


def normalise_email(email: str) -> str:
    """The address trimmed and lower-cased; InputError if it is not one plain address."""
    value = (email or "").strip().lower()
    if len(value) > 254 or not _EMAIL.match(value) or ".." in value:
        raise InputError(f"not an email address: {email!r}")
    return value


def check_timezone(name: str) -> str:
    """An IANA zone name such as 'Europe/Vienna'; InputError otherwise."""
    value = (name or "").strip()
    try:
        if not value or value.startswith(("/", ".")) or ".." in value:
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r}; use an IANA name such as Europe/Vienna") from None
    return value


def check_name(name: str | None) -> str:
    """A display name: one line of plain text (it goes into the `To` header and the greeting).

    Control characters, bidi overrides and RFC 2047 encoded words (`=?utf-8?q?…?=`, which
    the email package would decode into line breaks) are refused, not silently mangled.
    """
    value = (name or "").strip()
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI for ch in value):
        raise InputError("a name may not contain line breaks, control or bidi-override characters")
    if has_encoded_word(value):
        raise InputError("a name may not contain MIME encoded words ('=?charset?q?…?='); send it as plain text")
    if len(value) > MAX_NAME_CHARS:
        raise InputError(f"a name may have at most {MAX_NAME_CHARS} characters")
    return " ".join(value.split())


def check_hour(hour: int) -> int:
    if not 0 <= hour <= 23:
        raise InputError(f"send hour must be 0-23, not {hour}")
    return hour


def parse_topics(topics: str | Iterable[str] | None) -> list[str]:
    """'a, b' or ['a', 'b'] → ['a', 'b']: trimmed, blanks and repeats dropped, bounded."""
    if topics is None:
        return []
    items = topics.split(",") if isinstance(topics, str) else list(topics)
    out: list[str] = []
    for item in items:
        topic = " ".join(str(item).split())
        if not topic or topic.casefold() in (t.casefold() for t in out):
            continue
        if len(topic) > MAX_TOPIC_CHARS:
            raise InputError(f"a topic may have at most {MAX_TOPIC_CHARS} characters")
        out.append(topic)
    if len(out) > MAX_TOPICS:
        raise InputError(f"at most {MAX_TOPICS} topics per subscriber")
    return out


# ---------------------------------------------------------------- subscribers


class SubscriberExists(InputError):
    """An active subscriber already has this address."""


def add_subscriber(
    session: Session,
    email: str,
    *,
    name: str = "",
    topics: str | Iterable[str] | None = None,
    timezone: str = "UTC",
    send_hour: int = 7,
    now: datetime | None = None,
    key_id: str | None = None,
) -> tuple[Subscriber, bool]:
    """Subscribe `email`; returns (row, created). An unsubscribed address is re-activated.

    A new row belongs to `key_id` (None: the operator's, from the CLI); a re-activated
    row keeps its owner.
    """
    address = normalise_email(email)
    values = {
        "name": check_name(name),
        "topics": parse_topics(topics),
        "timezone": check_timezone(timezone),
        "send_hour": check_hour(send_hour),
    }
    row = find_subscriber(session, address)
    if row is not None:
        if row.active:
            raise SubscriberExists(f"{address} is already subscribed (id {row.id})")
        for key, value in values.items():
            setattr(row, key, value)
        row.active, row.hard_bounces = True, 0
        row.deactivated_at = row.deactivated_reason = None
        session.flush()
        return row, False
    row = Subscriber(
        id="s_" + secrets.token_hex(8),
        email=address,
        unsubscribe_token=secrets.token_urlsafe(24),
        active=True,
        hard_bounces=0,
        created_at=now or utcnow(),
        key_id=key_id,
        **values,
    )
    session.add(row)
    session.flush()
    return row, True


def find_subscriber(session: Session, email: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email == email.strip().lower()))


def get_subscriber(session: Session, subscriber_id: str) -> Subscriber | None:
    return session.get(Subscriber, subscriber_id)


def list_subscribers(
    session: Session, *, active: bool | None = None, key_id: str | None = None
) -> list[Subscriber]:
    """Subscribers in the order they joined (email breaks ties), optionally by state and
    by owning key (None: every key's)."""
    query = select(Subscriber).order_by(Subscriber.created_at, Subscriber.email)
    if key_id is not None:
        query = query.where(Subscriber.key_id == key_id)
    if active is not None:
        query = query.where(Subscriber.active.is_(active))
    return list(session.scalars(query))


def remove_subscriber(session: Session, id_or_email: str) -> Subscriber | None:
    """Delete a subscriber and its delivery log; None if there is no such subscriber."""
    row = get_subscriber(session, id_or_email) or find_subscriber(session, id_or_email)
    if row is None:
        return None
    session.delete(row)
    session.flush()
    return row


def unsubscribe(session: Session, token: str, *, now: datetime | None = None) -> Subscriber | None:
    """Deactivate the subscriber holding `token` (again is harmless); None if unknown."""
    if not token or len(token) > 64:
        return None
    row = session.scalar(select(Subscriber).where(Subscriber.unsubscribe_token == token))
    if row is not None and row.active:
        _deactivate(row, "unsubscribed", now)
        session.flush()
    return row


def _deactivate(row: Subscriber, reason: str, now: datetime | None) -> None:
    row.active = False
    row.deactivated_at = now or utcnow()
    row.deactivated_reason = reason


# ---------------------------------------------------------------- deliveries


def get_delivery(session: Session, subscriber_id: str, day: date) -> Delivery | None:
    return session.scalar(
        select(Delivery).where(Delivery.subscriber_id == subscriber_id, Delivery.digest_date == day)
    )


def list_deliveries(
    session: Session, *, subscriber_id: str | None = None, day: date | None = None
) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.digest_date, Delivery.id)
    if subscriber_id is not None:
        query = query.where(Delivery.subscriber_id == subscriber_id)
    if day is not None:
        query = query.where(Delivery.digest_date == day)
    return list(session.scalars(query))


def recent_articles(session: Session, subscriber_id: str, *, since: date, before: date) -> set[str]:
    """Ids of the articles this subscriber was sent in digests dated [since, before)."""
    rows = session.scalars(
        select(Delivery.stories).where(
            Delivery.subscriber_id == subscriber_id,
            Delivery.status == "sent",
            Delivery.digest_date >= since,
            Delivery.digest_date < before,
        )
    )
    return {str(a) for stories in rows for story in (stories or []) for a in story.get("articles", [])}


def unfinished_deliveries(session: Session, subscriber_ids: Sequence[str]) -> list[Delivery]:
    """Pending or sending rows of these subscribers: work a crashed or deferred run left."""
    if not subscriber_ids:
        return []
    return list(
        session.scalars(
            select(Delivery).where(
                Delivery.subscriber_id.in_(list(subscriber_ids)),
                Delivery.status.in_(("pending", "sending")),
            )
        )
    )


def ensure_delivery(session: Session, subscriber_id: str, day: date, *, now: datetime | None = None) -> Delivery:
    """The row for (subscriber, day), inserted as pending if there is none yet (race-safe)."""
    row = get_delivery(session, subscriber_id, day)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = Delivery(
                subscriber_id=subscriber_id, digest_date=day, status="pending", attempts=0,
                created_at=now or utcnow(),
            )
            session.add(row)
    except IntegrityError:  # another run inserted it first: use theirs
        row = get_delivery(session, subscriber_id, day)
        assert row is not None
    return row


def claim_delivery(
    session: Session,
    delivery_id: int,
    *,
    now: datetime | None = None,
    stale_after: timedelta | None = timedelta(minutes=30),
    owner: str | None = None,
) -> bool:
    """Atomically move a pending (or abandoned sending) row to sending; True if this caller won.

    A `sending` row is abandoned when its claim is older than `stale_after`, or at once
    when the process that claimed it is certainly dead (`processes.is_dead`). `owner`
    names the claiming process (default: this one).
    """
    now = now or utcnow()
    claimable = Delivery.status == "pending"
    if stale_after is not None:
        claimable = or_(
            claimable, and_(Delivery.status == "sending", Delivery.claimed_at < now - stale_after)
        )
        claimable = or_dead_holder(claimable, session, Delivery.id, delivery_id, Delivery.status, "sending",
                                   Delivery.claimed_by)
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, claimable)
        .values(status="sending", claimed_at=now, claimed_by=owner or this_process())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount == 1  # type: ignore[attr-defined]


def finish_delivery(
    session: Session,
    delivery_id: int,
    *,
    attempts: int,
    message_id: str,
    subject: str,
    stories: list[Any],
    reply: str | None = None,
    now: datetime | None = None,
) -> Delivery:
    """Record a message the SMTP server accepted; a hard-bounce streak ends here."""
    row = _delivery(session, delivery_id)
    row.status = "sent"
    row.attempts += attempts
    row.smtp_code, row.error = 250, None
    row.message_id, row.subject, row.stories = message_id, subject, stories
    row.finished_at = now or utcnow()
    subscriber = session.get(Subscriber, row.subscriber_id)
    if subscriber is not None:
        subscriber.hard_bounces = 0
    session.flush()
    return row


def defer_delivery(
    session: Session,
    delivery_id: int,
    *,
    attempts: int,
    code: int | None,
    error: str,
    max_attempts: int = 10,
) -> Delivery:
    """A transient failure: back to pending for the next run, or failed once out of attempts."""
    row = _delivery(session, delivery_id)
    row.attempts += attempts
    row.smtp_code, row.error = code, error[:2000]
    if row.attempts >= max_attempts:
        row.status = "failed"
        row.error = f"gave up after {row.attempts} attempts; last: {error}"[:2000]
        row.finished_at = utcnow()
    else:
        row.status = "pending"
    session.flush()
    return row


def fail_delivery(
    session: Session,
    delivery_id: int,
    *,
    attempts: int,
    code: int | None,
    error: str,
    bounce: bool,
    bounce_limit: int = 3,
    now: datetime | None = None,
) -> Delivery:
    """A permanent failure (5xx): recorded with the reply and never retried.

    A refused recipient (`bounce`) adds to the subscriber's hard-bounce streak; at
    `bounce_limit` consecutive bounces the subscriber is deactivated.
    """
    now = now or utcnow()
    row = _delivery(session, delivery_id)
    row.status = "failed"
    row.attempts += attempts
    row.smtp_code, row.error = code, error[:2000]
    row.finished_at = now
    if bounce:
        subscriber = session.get(Subscriber, row.subscriber_id)
        if subscriber is not None:
            subscriber.hard_bounces += 1
            if subscriber.active and subscriber.hard_bounces >= bounce_limit:
                _deactivate(subscriber, f"{subscriber.hard_bounces} hard bounces; last: {error}"[:500], now)
    session.flush()
    return row


def _delivery(session: Session, delivery_id: int) -> Delivery:
    row = session.get(Delivery, delivery_id, populate_existing=True)
    if row is None:
        raise KeyError(delivery_id)
    return row


__all__ = [
    "DELIVERY_STATUSES",
    "Delivery",
    "Subscriber",
    "SubscriberExists",
    "add_subscriber",
    "check_hour",
    "check_name",
    "check_timezone",
    "claim_delivery",
    "defer_delivery",
    "ensure_delivery",
    "fail_delivery",
    "find_subscriber",
    "finish_delivery",
    "get_delivery",
    "get_subscriber",
    "list_deliveries",
    "list_subscribers",
    "normalise_email",
    "parse_topics",
    "recent_articles",
    "remove_subscriber",
    "unfinished_deliveries",
    "unsubscribe",
]
