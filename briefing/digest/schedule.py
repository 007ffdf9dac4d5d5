"""`briefing digest schedule`: one APScheduler job at the top of every UTC hour.

Each tick runs the digest for subscribers whose *local* hour is their send hour
(`RunOptions(due=True)`), reading subscribers from the store every time: the store is
the source of truth, so adding, changing or removing a subscriber needs no restart and
there is no per-subscriber job to keep in sync. Time zones with a half-hour offset get
their digest at half past their send hour.

A second job polls the due feeds every N minutes (`briefing.feeds.poll`), so the
articles are in the store before the hour's digest reads them.

Without a long-running process, cron does the same (`digest run` polls first):

    */30 * * * * briefing feeds poll --once
    0 * * * * briefing digest run --due
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from briefing.config import Settings
from briefing.digest.run import RunOptions, RunReport, describe, run_digest
from briefing.store import Database

log = logging.getLogger(__name__)

JOB_ID = "digest-hourly"
POLL_JOB_ID = "feeds-poll"


def tick(db: Database, settings: Settings, options: RunOptions, now: datetime | None = None) -> RunReport:
    """One hourly run: everyone due now (and anyone whose today's digest is unfinished).

    With a broker configured the sends are enqueued for `briefing worker` instead."""
    if settings.broker_url:
        from briefing.digest.queued import enqueue_run
        from briefing.queue.broker import actors

        send = actors(settings).send_digest.send
        report = enqueue_run(db, lambda sid, day, plan: send(sid, day, plan), settings=settings, now=now,
                             options=replace(options, due=True))
    else:
        report = run_digest(db, settings=settings, now=now, options=replace(options, due=True))
    for line in describe(report):
        log.info("%s", line)
    return report


def add_digest_job(scheduler: BaseScheduler, db: Database, settings: Settings, options: RunOptions) -> None:
    """Register the hourly tick on `scheduler` (any APScheduler 3 scheduler)."""
    scheduler.add_job(
        tick,
        CronTrigger(minute=0, timezone=UTC),
        args=(db, settings, options),
        id=JOB_ID,
        name="daily digest: subscribers whose local send hour it is",
        coalesce=True,  # after a pause, one catch-up run, not one per missed hour
        max_instances=1,  # never two runs at once (the delivery log would hold anyway)
        misfire_grace_time=30 * 60,
        replace_existing=True,
    )


def poll_tick(db: Database, settings: Settings) -> None:
    """Poll the feeds that are due; errors are the feeds' own (recorded on them), not the job's.

    With a broker configured each due feed is enqueued for `briefing worker` instead."""
    from briefing.feeds.poll import enqueue_due, poll

    if settings.broker_url:
        from briefing.queue.broker import actors

        send = actors(settings).poll_feed.send
        log.info("queued %d feeds", len(enqueue_due(db, lambda feed_id, every: send(feed_id, every))))
        return
    log.info("%s", poll(db, settings).summary())


def add_poll_job(scheduler: BaseScheduler, db: Database, settings: Settings, minutes: float) -> None:
    """Register the feed poll every `minutes` (first run at once)."""
    scheduler.add_job(
        poll_tick,
        IntervalTrigger(minutes=minutes, timezone=UTC),
        args=(db, settings),
        id=POLL_JOB_ID,
        name="poll due feeds",
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )


def serve(settings: Settings, options: RunOptions, *, poll_minutes: float = 0) -> None:
    """Block, polling feeds every `poll_minutes` (0: never) and running the digest every hour."""
    db = Database.from_settings(settings)
    db.migrate()
    scheduler = BlockingScheduler(timezone=UTC)
    add_digest_job(scheduler, db, settings, options)
    if poll_minutes > 0:
        add_poll_job(scheduler, db, settings, poll_minutes)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        db.dispose()
