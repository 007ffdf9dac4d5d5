"""Digest stories briefed once each, by queue workers, for every send that picks them.

A send task (`queued.send_one`) walks its subscriber's candidate stories in rank order
and looks their briefings up in the store (`briefing.store.stories`, keyed by the story's
content hash, engine and point count). Stories nobody briefed yet are requested: the
first asker inserts the row and enqueues one `brief_story` task, and the send task is
retried later (with the queue's backoff) instead of briefing the story itself. So a
story picked by 10,000 subscribers is briefed once, by one worker at a time
(`claim_story`), and a worker killed mid-brief leaves the row without a result for the
redelivered task to claim and build again.

    stored = StoredBriefings(db, plan.build, enqueue=actors.brief_story.send)
    picked = stored.pick(stories, topics, cap=5, seen=seen)   # or raises StoriesNotReady
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from briefing import store
from briefing.config import Settings
from briefing.digest.compose import Picked, Story, candidates
from briefing.engines.base import BuildOptions
from briefing.errors import BriefingError, ConfigError
from briefing.models import Briefing
from briefing.pipeline import build_briefing
from briefing.store import Database
from briefing.store import stories as rows
from briefing.store.tables import StoredArticle, utcnow

log = logging.getLogger(__name__)

ASK_AGAIN_LEASES = 10  # a story requested this many leases ago and still pending: enqueue it again


class StoryRequest(BaseModel):
    """The `brief_story` task's message: which story, built how."""

    model_config = ConfigDict(extra="forbid")

    story: str = Field(pattern=r"^[0-9a-f]{64}$", description="story_hash of its stored article ids")
    options: BuildOptions


class StoriesNotReady(Exception):
    """Some stories this send needs are still being briefed; try the send again later."""


Renewing = Callable[[Callable[[], None], timedelta, str], AbstractContextManager[None]]


def _key(options: BuildOptions) -> tuple[str, int]:
    assert options.max_points is not None, "a queued story's point count is settled when the run is planned"
    return options.engine, options.max_points


def story_key(story: Story) -> str:
    return rows.story_hash(a.id for a in story.articles)


class StoredBriefings:
    """This process's view of the stored story briefings of one engine and point count."""

    def __init__(
        self, db: Database, options: BuildOptions, enqueue: Callable[[dict[str, Any]], object], *, lease: timedelta
    ) -> None:
        self.db = db
        self.options = options
        self.enqueue = enqueue
        self.lease = lease
        self.known: dict[str, Briefing | None] = {}  # finished rows never change: kept
        self._lock = threading.Lock()

    def pick(
        self, stories: Sequence[Story], topics: Sequence[str], *, cap: int, seen: Collection[str] = frozenset()
    ) -> list[Picked]:
        """The best `cap` wanted stories whose briefing has points, as `compose.pick_stories`
        picks them; raises StoriesNotReady (after requesting them) while any is unbriefed."""
        picked: list[Picked] = []
        waiting: list[Story] = []
        walk = candidates(stories, topics, seen)
        for chunk in _chunks(walk, max(cap, 1)):
            self._load([story_key(s) for s in chunk])
            for story in chunk:
                if len(picked) + len(waiting) >= cap:
                    break
                key = story_key(story)
                if key not in self.known:
                    waiting.append(story)
                elif (briefing := self.known[key]) is not None and briefing.points:
                    picked.append(Picked(story, briefing))
            if len(picked) + len(waiting) >= cap:
                break
        if waiting:
            self._request(waiting)
            raise StoriesNotReady(f"{len(waiting)} of this digest's stories are being briefed")
        return picked

    def _load(self, keys: list[str]) -> None:
        """Fill `known` with the finished rows among `keys`."""
        with self._lock:
            missing = [k for k in keys if k not in self.known]
        if not missing:
            return
        engine, points = _key(self.options)
        with self.db.transaction() as session:
            found = rows.get_stories(session, missing, engine, points)
            done = {k: r.briefing() for k, r in found.items() if r.status == "done"}
            done.update({k: None for k, r in found.items() if r.status == "failed"})
        with self._lock:
            self.known.update(done)

    def _request(self, stories: Sequence[Story]) -> None:
        """Ask for each story's briefing: whoever inserts the row enqueues its one task."""
        engine, points = _key(self.options)
        send: list[str] = []
        with self.db.transaction() as session:
            for story in stories:
                row, created = rows.request_story(session, [a.id for a in story.articles], engine, points)
                if created or rows.ask_again(session, row.id, older_than=self.lease * ASK_AGAIN_LEASES):
                    send.append(row.story_hash)
        for key in send:  # after the commit: the task finds its row
            self.enqueue(StoryRequest(story=key, options=self.options).model_dump(mode="json"))


def _chunks(items: Iterator[Story], size: int) -> Iterator[list[Story]]:
    chunk: list[Story] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_story(
    db: Database, settings: Settings, request: StoryRequest, *, lease: timedelta, renewing: Renewing
) -> str:
    """The `brief_story` task: claim the story, brief it, store the result in one UPDATE.

    Returns what happened: done | failed (the story cannot be briefed: skipped by every
    send) | finished earlier | held elsewhere (a live process is briefing it) | missing.
    A configuration error (wrong model settings) gives the claim back and is raised, so
    the queue retries the task with backoff.
    """
    engine, points = _key(request.options)
    with db.transaction() as session:
        row = rows.get_story(session, request.story, engine, points)
        if row is None:
            return "missing"
        if row.status in ("done", "failed"):
            return "finished earlier"
        if not rows.claim_story(session, row.id, lease=lease):
            return "held elsewhere"
        row_id, ids = row.id, list(row.article_ids)
        found = {r.id: r for r in session.scalars(select(StoredArticle).where(StoredArticle.id.in_(ids)))}
        articles = [store.as_article(found[i]) for i in ids if i in found]

    def renew() -> None:
        with db.transaction() as session:
            rows.renew_story(session, row_id, until=utcnow() + lease)

    briefing: Briefing | None = None
    error: str | None = None
    try:
        if len(articles) != len(ids):
            raise BriefingError(f"{len(ids) - len(articles)} of the story's articles are no longer stored")
        with renewing(renew, lease, f"story-{request.story[:12]}"):
            briefing = build_briefing(articles, request.options, settings=settings)
    except ConfigError as exc:
        with db.transaction() as session:
            rows.release_story(session, row_id, f"{type(exc).__name__}: {exc}")
        raise
    except BriefingError as exc:
        log.warning("story %s skipped: %s", request.story[:12], exc)
        error = f"{type(exc).__name__}: {exc}"
    with db.transaction() as session:
        kept = rows.finish_story(session, row_id, briefing, error=error)
    log.info("story %s briefed (%s): %s", request.story[:12], engine, "done" if briefing else "failed")
    return ("done" if briefing is not None else "failed") if kept else "taken over"
