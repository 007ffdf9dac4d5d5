"""The digest on a task queue: `enqueue_run` plans, `send_one` does one subscriber's send.

`briefing digest run` with a broker configured picks the subscribers and dates exactly as
the in-process run does (`run.due_targets`) and enqueues one task per (subscriber, date),
all with the same window and build options. A worker running `send_one` clusters the
window into stories (once per worker process and window), picks the subscriber's share
from the story briefings workers stored (`story_queue`: each story briefed once, by a
`brief_story` task, whatever the number of subscribers; the send is retried until they
are there) and delivers it through `run.deliver`: the delivery log stays the source of
truth, so a task run twice sends once, and a task redelivered after its worker was
killed takes the dead worker's claim over at once (same host) or after `stale_after`
(another host).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from briefing.config import Settings
from briefing.digest.articles import load_window
from briefing.digest.compose import MAX_POINTS, MAX_STORIES, Story, make_stories, summary
from briefing.digest.email import build_message, public_url
from briefing.digest.run import (
    REPEAT_DAYS,
    Outcome,
    RunOptions,
    RunReport,
    deliver,
    recipient_of,
    due_targets,
    window_bounds,
)
from briefing.digest.send import RetryPolicy, SmtpMailer
from briefing.digest.story_queue import StoredBriefings
from briefing.engines.base import BuildOptions
from briefing.store import Database
from briefing.store import digest as subs
from briefing.store.tables import utcnow


class SendPlan(BaseModel):
    """What every task of one run shares: the window, the run's time and the options."""

    now: datetime
    since: datetime
    until: datetime
    build: BuildOptions = Field(default_factory=lambda: BuildOptions(engine="offline", max_points=MAX_POINTS))
    max_stories: int = MAX_STORIES
    stale_after_seconds: float | None = 1800.0
    bounce_limit: int = 3
    max_attempts: int = 10
    base_url: str | None = None

    def options(self) -> RunOptions:
        stale = None if self.stale_after_seconds is None else timedelta(seconds=self.stale_after_seconds)
        return RunOptions(
            build=self.build, max_stories=self.max_stories,
            stale_after=stale, bounce_limit=self.bounce_limit, max_attempts=self.max_attempts,
            retry=RetryPolicy(attempts=1), base_url=self.base_url,  # the queue retries, with backoff
        )


Enqueue = Callable[[str, str, dict[str, Any]], object]  # (subscriber id, ISO date, plan as JSON)
EnqueueStory = Callable[[dict[str, Any]], object]  # a StoryRequest as JSON


def enqueue_run(
    db: Database, enqueue: Enqueue, *, settings: Settings, now: datetime | None = None, options: RunOptions | None = None
) -> RunReport:
    """Enqueue one send per due subscriber and date; those already done are reported, not queued."""
    options = options or RunOptions()
    now = (now or utcnow()).astimezone(UTC)
    since, until = window_bounds(now, options.day, options.since)
    report = RunReport(now=now, since=since, until=until, enqueued=True)
    plan = SendPlan(
        now=now, since=since, until=until, build=options.build, max_stories=options.max_stories,
        bounce_limit=options.bounce_limit, max_attempts=options.max_attempts,
        stale_after_seconds=None if options.stale_after is None else options.stale_after.total_seconds(),
        base_url=options.base_url or public_url(settings),
    )
    payload = plan.model_dump(mode="json")
    for target in due_targets(db, now, options, report):
        enqueue(target.recipient.id, target.day.isoformat(), payload)
        report.outcomes.append(Outcome(target.recipient.email, target.day, "queued"))
    return report


_lock = threading.Lock()
_stories: dict[tuple[Any, ...], list[Story]] = {}
_briefings: dict[tuple[Any, ...], StoredBriefings] = {}


def _window_stories(db: Database, settings: Settings, plan: SendPlan) -> list[Story]:
    """The window's ranked stories, clustered once per worker process and run."""
    key = (db.url, plan.since, plan.until)
    with _lock:
        if key not in _stories:
            with db.transaction() as session:
                window = load_window(session, plan.since, plan.until)
            _stories.clear()  # one run at a time is plenty to keep
            _stories[key] = make_stories(window, now=plan.until, settings=settings)
        return _stories[key]


def _stored(db: Database, settings: Settings, plan: SendPlan, enqueue: EnqueueStory) -> StoredBriefings:
    """The stored story briefings this run's sends read, kept per worker process and run."""
    key = (db.url, plan.since, plan.until, plan.build.engine, plan.build.max_points)
    with _lock:
        if key not in _briefings:
            _briefings.clear()  # a new run: the last one's briefings are not needed here again
            _briefings[key] = StoredBriefings(db, plan.build, enqueue, lease=timedelta(seconds=settings.queue_lease_seconds))
        return _briefings[key]


def send_one(
    db: Database, settings: Settings, subscriber_id: str, day: date, plan: SendPlan, *, enqueue_story: EnqueueStory
) -> Outcome:
    """Send (at most) one subscriber's digest for `day`; the outcome says what happened.

    Raises StoriesNotReady (having requested them) while stories it needs are unbriefed.
    """
    options = plan.options()
    with db.transaction() as session:
        row = subs.get_subscriber(session, subscriber_id)
        if row is None or not row.active:
            return Outcome(row.email if row else subscriber_id, day, "nothing to send", "no longer subscribed")
        done = subs.get_delivery(session, subscriber_id, day)
        if done is not None and done.status in ("sent", "failed"):
            return Outcome(row.email, day, "already sent" if done.status == "sent" else "failed earlier")
        seen = subs.recent_articles(session, subscriber_id, since=day - timedelta(days=REPEAT_DAYS), before=day)
        recipient = recipient_of(row)
    stories = _window_stories(db, settings, plan)
    picked = _stored(db, settings, plan, enqueue_story).pick(stories, recipient.topics, cap=options.max_stories, seen=seen)
    if not picked:
        return Outcome(recipient.email, day, "nothing to send", "no new story matches")
    msg = build_message(picked, recipient, day=day, settings=settings, now=plan.now, base_url=plan.base_url)
    report = RunReport(now=plan.now, since=plan.since, until=plan.until)
    with SmtpMailer.from_settings(settings, options.retry) as smtp:
        deliver(db, smtp, msg, recipient, day, picked=summary(picked), now=utcnow(), options=options, report=report)
    return report.outcomes[-1]
