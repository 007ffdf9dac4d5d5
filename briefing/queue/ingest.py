"""Ingest through the queue: articles are checked here, stored by a `briefing worker`.

    batch_id = submit(db, settings, articles, problems, key_id=key)   # then poll the batch

Used by `POST /v1/articles` and `briefing ingest --store` when a broker is configured.
Everything that could refuse the articles (unreadable input, a date with no UTC form) is
checked before anything is recorded, so bad input is answered at once and nothing is
half-stored; the batch row is committed before its task is sent, so the worker finds it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from briefing import store
from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.models import Article, InputProblem
from briefing.queue.broker import actors
from briefing.store import Database, batches


class QueueUnavailable(BriefingError):
    """The broker could not take the task; the batch is marked failed, nothing was stored."""


def submit(
    db: Database,
    settings: Settings,
    articles: Sequence[Article],
    problems: Sequence[InputProblem] = (),
    *,
    key_id: str | None = None,
) -> str:
    """Check the articles, record a batch and enqueue its `ingest_articles` task; its id."""
    store.check_storable(articles)  # InputError, before anything is recorded
    with db.transaction() as session:
        batch_id = batches.add_batch(
            session, articles=len(articles), problems=[p.model_dump(mode="json") for p in problems], key_id=key_id
        ).id
    payload = [a.model_dump(mode="json", exclude={"path"}) for a in articles]
    try:
        actors(settings).ingest_articles.send(payload, key_id, batch_id)
    except Exception as exc:  # redis down or refusing: say so, and leave no batch waiting forever
        with db.transaction() as session:
            batches.mark_failed(session, batch_id, f"not queued: {exc}")
        raise QueueUnavailable(f"the task queue did not take the articles: {exc}") from exc
    return batch_id


def wait_for(db: Database, batch_id: str, *, poll_seconds: float = 0.2, timeout: float | None = None) -> batches.IngestBatch:
    """The batch once a worker finished it (done or failed); TimeoutError past `timeout`."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with db.transaction() as session:
            row = batches.get_batch(session, batch_id)
            if row is not None and row.status in ("done", "failed"):
                session.expunge(row)
                return row
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"batch {batch_id} not finished after {timeout:g} s")
        time.sleep(poll_seconds)


def store_queued(
    articles: Sequence[Article], problems: Sequence[InputProblem], settings: Settings, *, wait: bool
) -> str:
    """`briefing ingest --store` with a broker: enqueue, and with `wait` report the outcome."""
    db = Database.from_settings(settings)
    try:
        db.migrate()
        batch_id = submit(db, settings, articles, problems)
        if not wait:
            return f"queued {len(articles)} articles as batch {batch_id}; `briefing worker` stores them"
        row = wait_for(db, batch_id)
    finally:
        db.dispose()
    if row.status == "failed":
        raise BriefingError(f"batch {batch_id} failed: {row.error}")
    result = row.result or {}
    stored, repeats = result.get("stored", []), result.get("duplicates", [])
    near = sum(1 for s in stored if s.get("near_duplicate_of"))
    return (f"stored {len(stored)} new articles ({len(repeats)} already stored, {near} near copies linked) "
            f"through the queue, batch {batch_id}")
