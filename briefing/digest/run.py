"""The digest job: window → stories → one email per subscriber, each send idempotent.

    report = run_digest(db, settings=settings, options=RunOptions(due=True))

1. **who**: active subscribers (only `to`, if given; only those whose local hour is their
   send hour, if `due`). Each one's digest date is `day`, else today in their time zone.
   Anyone whose delivery for that date is already `sent` or `failed` is skipped before
   any work is done, so a second run costs a query and sends nothing.
2. **what**: articles ingested in the window (default the 24 h before the run; `day`
   ends it at that date's midnight UTC; `since` moves its start), clustered into stories
   and ranked (`compose`); each subscriber gets up to `max_stories` matching their topics,
   leaving out stories they were already sent in the last week with nothing new since.
3. **send**: the delivery row is claimed (`pending` → `sending`, committed), the message
   sent, the outcome committed (`sent`, or `failed` for a 5xx, or back to `pending` for a
   4xx). A run that dies half-way leaves the unsent rows `pending` (or unclaimed) and the
   next run sends exactly those. The one row it may leave `sending` names the dead run's
   process: the next run on the same host takes it over at once, on another host after
   `stale_after`; see `briefing.store.digest` for that at-least-once window and how to
   choose at-most-once instead.

`due` also picks up a subscriber whose send hour has passed today but whose delivery is
still unfinished (deferred by a 4xx, or left by a crash), so the hourly cron finishes
yesterday-hour's work instead of dropping it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from briefing.config import Settings
from briefing.dates import to_utc
from briefing.digest.articles import load_window
from briefing.digest.compose import MAX_POINTS, MAX_STORIES, Briefer, make_stories, pick_stories, summary
from briefing.digest.email import Recipient, build_message, public_url
from briefing.digest.send import (
    MailerConfigError,
    MailerUnavailable,
    PermanentFailure,
    RetryPolicy,
    Sent,
    SmtpMailer,
    TransientFailure,
)
from briefing.engines.base import BuildOptions
from briefing.errors import InputError
from briefing.render.view import plural
from briefing.store import Database
from briefing.store import digest as subs
from briefing.store.tables import utcnow

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
REPEAT_DAYS = 7  # a story already sent in the last week is not sent again without news


class Mailer(Protocol):
    """What the job needs from a mailer (SmtpMailer; a test may pass its own)."""

    def __enter__(self) -> Mailer: ...
    def __exit__(self, *exc: Any) -> None: ...
    def send(self, msg: EmailMessage, to: str) -> Sent: ...


@dataclass(frozen=True)
class RunOptions:
    """What `briefing digest run` takes (see its --help)."""

    day: date | None = None
    since: datetime | None = None
    build: BuildOptions = field(default_factory=lambda: BuildOptions(engine="offline", max_points=MAX_POINTS))
    due: bool = False
    to: str | None = None
    dry_run: Path | None = None
    max_stories: int = MAX_STORIES
    stale_after: timedelta | None = timedelta(minutes=30)
    bounce_limit: int = 3
    max_attempts: int = 10
    retry: RetryPolicy = RetryPolicy()
    base_url: str | None = None


@dataclass(frozen=True)
class Target:
    recipient: Recipient
    day: date
    seen: frozenset[str]  # article ids sent to them in the REPEAT_DAYS before `day`


@dataclass
class Outcome:
    """What happened to one subscriber in this run."""

    email: str
    day: date
    status: str  # sent | written | already sent | failed earlier | in progress | nothing to send
    #              | failed | deferred | not attempted
    detail: str = ""


@dataclass
class RunReport:
    now: datetime
    since: datetime
    until: datetime
    articles: int = 0
    stories: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (SMTP unreachable, settings wrong)
    enqueued: bool = False  # the sends were handed to the task queue (see digest/queued.py)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def window_bounds(now: datetime, day: date | None, since: datetime | None) -> tuple[datetime, datetime]:
    """[since, until): the 24 h before the run, or before the end of `day` (UTC) if earlier."""
    until = now
    if day is not None:
        until = min(now, datetime.combine(day + timedelta(days=1), time(0), UTC))
    if since is not None:
        since = to_utc(since, "the window start")
    start = since or until - WINDOW
    if start >= until:
        raise InputError(f"the window is empty: {start.isoformat()} is not before {until.isoformat()}")
    return start, until


def local_now(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def recipient_of(row: subs.Subscriber) -> Recipient:
    return Recipient(
        email=row.email, name=row.name, topics=tuple(row.topics or ()), timezone=row.timezone,
        send_hour=row.send_hour, token=row.unsubscribe_token, id=row.id,
    )


def due_targets(db: Database, now: datetime, options: RunOptions, report: RunReport) -> list[Target]:
    """Who gets a digest in this run, and for which date; the already-done are reported."""
    out: list[Target] = []
    with db.transaction() as session:
        rows = subs.list_subscribers(session, active=True)
        if options.to:
            wanted = subs.normalise_email(options.to)
            rows = [r for r in rows if r.email == wanted]
            if not rows:
                raise InputError(f"{wanted} is not an active subscriber")
        rows.sort(key=lambda r: (r.email, r.id))
        unfinished = {(d.subscriber_id, d.digest_date) for d in subs.unfinished_deliveries(session, [r.id for r in rows])}
        for row in rows:
            local = local_now(now, row.timezone)
            day = options.day or local.date()
            if options.due and local.hour != row.send_hour and (row.id, day) not in unfinished:
                continue
            if options.dry_run is None:
                done = subs.get_delivery(session, row.id, day)
                if done is not None and done.status in ("sent", "failed"):
                    status = "already sent" if done.status == "sent" else "failed earlier"
                    report.outcomes.append(Outcome(row.email, day, status, done.error or ""))
                    continue
            seen = subs.recent_articles(session, row.id, since=day - timedelta(days=REPEAT_DAYS), before=day)
            out.append(Target(recipient_of(row), day, frozenset(seen)))
    return out


def _eml_name(recipient: Recipient, day: date) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", recipient.email.replace("@", "_at_"))
    return f"{day:%Y-%m-%d}_{safe}.eml"


def run_digest(
    db: Database,
    *,
    settings: Settings,
    now: datetime | None = None,
    options: RunOptions = RunOptions(),
    mailer: Mailer | None = None,
) -> RunReport:
    """Send (or, with `dry_run`, write) today's digest to every subscriber it is for."""
    now = (now or utcnow()).astimezone(UTC)
    since, until = window_bounds(now, options.day, options.since)
    base_url = options.base_url or public_url(settings)
    report = RunReport(now=now, since=since, until=until)
    targets = due_targets(db, now, options, report)
    if not targets:
        return report

    with db.transaction() as session:
        window = load_window(session, since, until)
    stories = make_stories(window, now=until, settings=settings)
    report.articles, report.stories = len(window), len(stories)
    briefer = Briefer(options.build, settings=settings)
    if options.dry_run is not None:
        options.dry_run.mkdir(parents=True, exist_ok=True)

    with mailer or SmtpMailer.from_settings(settings, options.retry) as smtp:
        pending = iter(targets)
        for target in pending:
            recipient, day = target.recipient, target.day
            picked = pick_stories(stories, recipient.topics, briefer, cap=options.max_stories, seen=target.seen)
            if not picked:
                report.outcomes.append(Outcome(recipient.email, day, "nothing to send", "no new story matches"))
                continue
            msg = build_message(picked, recipient, day=day, settings=settings, now=now, base_url=base_url)
            if options.dry_run is not None:
                path = options.dry_run / _eml_name(recipient, day)
                path.write_bytes(msg.as_bytes())
                report.outcomes.append(Outcome(recipient.email, day, "written", str(path)))
                continue
            stop = deliver(db, smtp, msg, recipient, day, picked=summary(picked), now=now, options=options, report=report)
            if stop:
                report.stopped = stop
                for rest in pending:
                    report.outcomes.append(Outcome(rest.recipient.email, rest.day, "not attempted", "the run stopped early"))
                break
    for o in report.outcomes:
        log.info("digest %s %s: %s %s", o.day, o.email, o.status, o.detail)
    return report


def deliver(
    db: Database,
    smtp: Mailer,
    msg: EmailMessage,
    recipient: Recipient,
    day: date,
    *,
    picked: list[dict[str, object]],
    now: datetime,
    options: RunOptions,
    report: RunReport,
) -> str | None:
    """Claim, send and record one delivery; returns why the run must stop, if it must."""
    with db.transaction() as session:
        row = subs.ensure_delivery(session, recipient.id, day, now=now)
        won = subs.claim_delivery(session, row.id, now=now, stale_after=options.stale_after)
        held = session.get(subs.Delivery, row.id, populate_existing=True)
        assert held is not None
        delivery_id, status, holder = held.id, held.status, held.claimed_by
    if not won:
        label = {"sent": "already sent", "failed": "failed earlier"}.get(status, "in progress")
        detail = "" if label != "in progress" else f"another run ({holder or 'unknown process'}) holds it"
        report.outcomes.append(Outcome(recipient.email, day, label, detail))
        return None

    def record(status: str, detail: str) -> None:
        report.outcomes.append(Outcome(recipient.email, day, status, detail))

    try:
        sent = smtp.send(msg, recipient.email)
    except PermanentFailure as exc:
        with db.transaction() as session:
            subs.fail_delivery(
                session, delivery_id, attempts=exc.attempts, code=exc.code, error=str(exc),
                bounce=exc.bounce, bounce_limit=options.bounce_limit, now=now,
            )
        record("failed", str(exc))
    except TransientFailure as exc:
        with db.transaction() as session:
            subs.defer_delivery(session, delivery_id, attempts=exc.attempts, code=exc.code, error=str(exc),
                                max_attempts=options.max_attempts)
        record("deferred", str(exc))
    except (MailerUnavailable, MailerConfigError) as exc:
        counted = exc.attempts if isinstance(exc, MailerUnavailable) else 0
        with db.transaction() as session:
            subs.defer_delivery(session, delivery_id, attempts=counted, code=exc.code, error=str(exc),
                                max_attempts=options.max_attempts)
        record("deferred", str(exc))
        return str(exc)
    except BaseException:
        # Anything else (a bug, Ctrl-C) mid-send: whether the server took the message is
        # unknown. At-least-once gives the row back now; at-most-once leaves it `sending`.
        if options.stale_after is not None:
            with db.transaction() as session:
                subs.defer_delivery(session, delivery_id, attempts=0, code=None, error="interrupted",
                                    max_attempts=options.max_attempts)
        raise
    else:
        with db.transaction() as session:
            subs.finish_delivery(
                session, delivery_id, attempts=sent.attempts, message_id=str(msg["Message-ID"]),
                subject=str(msg["Subject"]), stories=picked, reply=sent.reply, now=now,
            )
        record("sent", f"{len(picked)} {'story' if len(picked) == 1 else 'stories'}")
    return None


def describe(report: RunReport) -> Sequence[str]:
    """Lines for people: one per subscriber, then a summary."""
    lines = [f"{o.day}  {o.email:<32} {o.status}{': ' + o.detail if o.detail else ''}" for o in report.outcomes]
    counts: dict[str, int] = {}
    for o in report.outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no subscriber due"
    window = f"window {report.since:%Y-%m-%d %H:%M} → {report.until:%Y-%m-%d %H:%M} UTC"
    if report.enqueued:  # the workers load the window and brief its stories, not this process
        lines.append(f"{window}: stories are briefed by `briefing worker`; {tally}")
    else:
        lines.append(
            f"{window}: {plural(report.articles, 'article')}, "
            f"{report.stories} {'story' if report.stories == 1 else 'stories'}; {tally}"
        )
    if report.stopped:
        lines.append(f"stopped early: {report.stopped}")
    return lines
