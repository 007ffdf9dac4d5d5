"""Task bodies run by `briefing worker`; each is idempotent against the database.

A task that finds its work held by another live process raises `dramatiq.Retry`, so the
queue tries again later (with backoff) instead of doing the work twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dramatiq import Retry
from pydantic import ValidationError
from sqlalchemy import select

from briefing import store
from briefing.config import Settings, get_settings
from briefing.engines.base import BuildOptions
from briefing.errors import BriefingError, InputError
from briefing.models import Article
from briefing.nearindex import NearIndex
from briefing.pipeline import build_briefing
from briefing.store import Database, StoredArticle, batches
from briefing.store.tables import utcnow

log = logging.getLogger(__name__)


@lru_cache
def _database(url: str) -> Database:
    return Database(url)


@lru_cache
def _near(redis_url: str | None, threshold: float, num_perm: int, namespace: str) -> NearIndex:
    return NearIndex(threshold=threshold, num_perm=num_perm, redis_url=redis_url, basename=namespace)


def _settings() -> tuple[Settings, Database]:
    settings = get_settings()
    return settings, _database(settings.resolved_database_url)


@contextmanager
def renewing(renew: Callable[[], None], lease: timedelta, name: str) -> Iterator[None]:
    """Call `renew` every third of `lease` while the body runs, so nobody takes the work over."""
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(lease.total_seconds() / 3):
            renew()

    thread = threading.Thread(target=keep, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def build_job(job_id: str, options: dict[str, Any] | None = None) -> str:
    """Build one queued llm/auto briefing job as `options` (BuildOptions as JSON) say; a
    finished job is left as it is. Options that do not validate fail the job at once."""
    settings, db = _settings()
    limits = settings.api
    lease = timedelta(seconds=limits.job_lease_seconds)
    with db.transaction() as session:
        store.recover_jobs(session, max_attempts=limits.job_max_attempts)  # a dead builder's job
    with db.transaction() as session:
        job = store.claim_job(session, job_id, lease=lease)
        if job is None:
            current = store.get_job(session, job_id)
            if current is None or current.status in ("done", "failed"):
                return current.status if current else "missing"
            raise Retry(f"job {job_id} is being built elsewhere", delay=int(lease.total_seconds() * 1000))
        articles = store.job_articles(job)
        wanted = options if options is not None else {"engine": job.engine, "max_points": job.max_points}

    def renew() -> None:
        with db.transaction() as session:
            store.renew_leases(session, [job_id], until=utcnow() + lease)

    try:
        build = BuildOptions.model_validate(wanted)
        with renewing(renew, lease, f"lease-{job_id}"):
            briefing = build_briefing(articles, build, settings=settings)
    except ValidationError as exc:
        with db.transaction() as session:
            store.fail_job(session, job_id, f"invalid build options: {exc.errors(include_url=False)}")
        return "failed"
    except BriefingError as exc:
        with db.transaction() as session:
            store.fail_job(session, job_id, f"{type(exc).__name__}: {exc}")
        return "failed"
    with db.transaction() as session:
        store.finish_job(session, job_id, briefing)
    return "done"


def brief_story(request: dict[str, Any]) -> str:
    """Brief one digest story (a StoryRequest as JSON) once for every send that picks it."""
    from briefing.digest.story_queue import StoryRequest, build_story

    settings, db = _settings()
    lease = timedelta(seconds=settings.queue_lease_seconds)
    return build_story(db, settings, StoryRequest.model_validate(request), lease=lease, renewing=renewing)


def send_digest(subscriber_id: str, day: str, plan: dict[str, Any]) -> str:
    """One subscriber's digest for one date; retried while deferred, held elsewhere, or
    waiting for its stories to be briefed (by `brief_story` tasks this one requested)."""
    from briefing.digest.queued import SendPlan, send_one
    from briefing.digest.story_queue import StoriesNotReady
    from briefing.queue.broker import actors

    settings, db = _settings()
    try:
        outcome = send_one(db, settings, subscriber_id, date.fromisoformat(day), SendPlan.model_validate(plan),
                           enqueue_story=actors(settings).brief_story.send)
    except StoriesNotReady as exc:
        raise Retry(str(exc)) from None
    log.info("digest %s %s: %s %s", outcome.day, outcome.email, outcome.status, outcome.detail)
    if outcome.status in ("in progress", "deferred"):
        raise Retry(f"{outcome.email}: {outcome.status} {outcome.detail}".strip())
    return outcome.status


def poll_feed(feed_id: str, every: bool = False) -> str:
    """Poll one feed if it is still due (any enabled feed with `every`): a redelivered or
    doubled task finds it polled already (its next poll moved on) and does nothing."""
    from briefing.feeds.poll import poll

    settings, db = _settings()
    report = poll(db, settings, every=every, only={feed_id})
    if not report.feeds:
        return "not due"
    result = report.feeds[0]
    log.info("feed %s: %s, %d stored", result.url, result.status, result.stored)
    return result.status


def ingest_articles(articles: list[dict[str, Any]], key_id: str | None = None, batch_id: str | None = None) -> str:
    """Store articles once (unique content hash) and link near repeats through the shared
    index; with `batch_id`, what was stored is recorded on that batch in the same transaction."""
    settings, db = _settings()
    index = _near(settings.resolved_dedup_redis_url, settings.dedup_ingest_threshold, settings.dedup_num_perm,
                  settings.queue_namespace)
    parsed = [Article.model_validate(a) for a in articles]
    try:
        with db.transaction() as session:
            inserted = store.add_articles(session, parsed, key_id=key_id)
            if batch_id is not None:
                batches.mark_stored(session, batch_id, batches.batch_result(inserted))
            rows = [(i.row.id, i.row.text, i.duplicate) for i in inserted]
    except InputError as exc:  # checked when accepted; kept for tasks enqueued by code
        if batch_id is not None:
            with db.transaction() as session:
                batches.mark_failed(session, batch_id, str(exc))
        return "failed"
    for article_id, text, duplicate in rows:
        # A repeat already indexed is done; one that is not was stored by a run of this task
        # that died before indexing it (redelivered now), so it is indexed here.
        twin = None if duplicate and article_id in index else index.add(article_id, text)
        if twin is not None:
            with db.transaction() as session:
                row = session.scalar(select(StoredArticle).where(StoredArticle.id == article_id))
                if row is not None and row.near_duplicate_of is None:
                    row.near_duplicate_of = twin
    if batch_id is not None:
        with db.transaction() as session:
            batches.mark_done(session, batch_id)
    return f"{sum(1 for r in rows if not r[2])} stored"
