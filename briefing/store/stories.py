"""Digest story briefings built by queue workers: one row per (story content, engine, points).

    (none) ──request──▶ pending ──claim──▶ building ──▶ done (briefing) | failed (why)
                           ▲                  │
                           └──── release ─────┘  a configuration error: try again later

A story's key is the hash of its stored article ids (themselves content hashes), so the
same articles briefed with the same options are briefed once, whoever asks and however
many subscribers get the story. `request_story` inserts the row race-safely and says
whether this caller made it (and so must enqueue the build). `claim_story` is one
conditional UPDATE, so one process builds a story at a time; a `building` row is taken
over when its lease ran out, or at once when its holder is certainly dead
(`briefing.processes.is_dead`). The result is written in the same UPDATE that ends the
claim, so a process killed mid-build leaves the row `building` with no result: never a
half-written briefing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from briefing.models import Briefing
from briefing.processes import this_process
from briefing.store.holders import or_dead_holder
from briefing.store.tables import Base, utcnow

STORY_STATUSES = ("pending", "building", "done", "failed")


class StoryBriefing(Base):
    """A digest story's briefing for one engine and point count, built once by a worker."""

    __tablename__ = "story_briefings"
    __table_args__ = (UniqueConstraint("story_hash", "engine", "max_points", name="uq_story_briefings_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_hash: Mapped[str] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(16))
    max_points: Mapped[int] = mapped_column(Integer)
    article_ids: Mapped[list[str]] = mapped_column(JSON, doc="stored article ids, in the story's order")
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(255), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    def briefing(self) -> Briefing | None:
        return Briefing.model_validate(self.result) if self.result is not None else None


def story_hash(article_ids: Iterable[str]) -> str:
    """The story's content key: sha256 of its sorted stored article ids (content hashes)."""
    return hashlib.sha256("\n".join(sorted(article_ids)).encode()).hexdigest()


def _where_key(story: str, engine: str, max_points: int) -> Any:
    return and_(
        StoryBriefing.story_hash == story, StoryBriefing.engine == engine, StoryBriefing.max_points == max_points
    )


def get_story(session: Session, story: str, engine: str, max_points: int) -> StoryBriefing | None:
    return session.scalar(select(StoryBriefing).where(_where_key(story, engine, max_points)))


def get_stories(session: Session, stories: Sequence[str], engine: str, max_points: int) -> dict[str, StoryBriefing]:
    """The rows of these story hashes for one engine and point count, by story hash."""
    if not stories:
        return {}
    rows = session.scalars(
        select(StoryBriefing).where(
            StoryBriefing.story_hash.in_(list(stories)),
            StoryBriefing.engine == engine,
            StoryBriefing.max_points == max_points,
        )
    )
    return {row.story_hash: row for row in rows}


def request_story(
    session: Session, article_ids: Sequence[str], engine: str, max_points: int, *, now: datetime | None = None
) -> tuple[StoryBriefing, bool]:
    """The story's row, inserted as pending if there is none; True if this call inserted it."""
    story = story_hash(article_ids)
    row = get_story(session, story, engine, max_points)
    if row is not None:
        return row, False
    try:
        with session.begin_nested():
            row = StoryBriefing(
                story_hash=story, engine=engine, max_points=max_points, article_ids=list(article_ids),
                status="pending", attempts=0, requested_at=now or utcnow(),
            )
            session.add(row)
    except IntegrityError:  # another worker asked first: theirs is the one
        row = get_story(session, story, engine, max_points)
        assert row is not None
        return row, False
    return row, True


def ask_again(session: Session, row_id: int, *, older_than: timedelta, now: datetime | None = None) -> bool:
    """Mark a row pending longer than `older_than` as asked again; True for the one caller
    that should enqueue its build again (its first message was lost before reaching the queue)."""
    now = now or utcnow()
    result = session.execute(
        update(StoryBriefing)
        .where(StoryBriefing.id == row_id, StoryBriefing.status == "pending",
               StoryBriefing.requested_at < now - older_than)
        .values(requested_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def claim_story(
    session: Session, row_id: int, *, lease: timedelta, now: datetime | None = None, owner: str | None = None
) -> bool:
    """Move a pending (or abandoned building) row to building for this process; True if won."""
    now = now or utcnow()
    claimable = or_(
        StoryBriefing.status == "pending",
        and_(StoryBriefing.status == "building", StoryBriefing.lease_until < now),
    )
    claimable = or_dead_holder(claimable, session, StoryBriefing.id, row_id, StoryBriefing.status, "building",
                               StoryBriefing.claimed_by)
    result = session.execute(
        update(StoryBriefing)
        .where(StoryBriefing.id == row_id, claimable)
        .values(status="building", claimed_by=owner or this_process(), lease_until=now + lease,
                attempts=StoryBriefing.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _held(row_id: int, owner: str | None) -> Any:
    return and_(StoryBriefing.id == row_id, StoryBriefing.status == "building",
                StoryBriefing.claimed_by == (owner or this_process()))


def renew_story(session: Session, row_id: int, *, until: datetime, owner: str | None = None) -> None:
    session.execute(update(StoryBriefing).where(_held(row_id, owner)).values(lease_until=until))


def finish_story(
    session: Session, row_id: int, briefing: Briefing | None, *, error: str | None = None, owner: str | None = None
) -> bool:
    """Record the result (or, with `error`, that the story cannot be briefed) if this process
    still holds the claim; False when another process took it over meanwhile."""
    result = session.execute(
        update(StoryBriefing)
        .where(_held(row_id, owner))
        .values(
            status="failed" if briefing is None else "done",
            result=None if briefing is None else briefing.model_dump(mode="json"),
            error=error, lease_until=None, finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_story(session: Session, row_id: int, error: str, *, owner: str | None = None) -> None:
    """Give the claim back (pending) after an error that a later try may not meet."""
    session.execute(
        update(StoryBriefing).where(_held(row_id, owner)).values(status="pending", error=error, lease_until=None)
    )
