"""CLI pieces for the email digest, mounted by briefing.cli:

    app.add_typer(subscribers_app, name="subscribers")
    app.add_typer(digest_app, name="digest")

Parse, call the library, print; the work is in briefing.digest and briefing.store.digest.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from briefing.cli_common import fail, open_database
from briefing.config import get_settings
from briefing.errors import BriefingError
from briefing.store import digest as subs
from briefing.untrusted import terminal_text

subscribers_app = typer.Typer(help="Manage who gets the daily email digest.", no_args_is_help=True)
digest_app = typer.Typer(help="Build and send the daily email digest.", no_args_is_help=True)


class Engine(str, Enum):
    offline = "offline"
    llm = "llm"
    auto = "auto"




# ---------------------------------------------------------------- subscribers


@subscribers_app.command("add")
def add_subscriber(
    email: Annotated[str, typer.Argument(help="Where the digest goes.")],
    name: Annotated[str, typer.Option(help="How the digest greets them.")] = "",
    topics: Annotated[str, typer.Option(help='Comma-separated keywords or queries, e.g. "ports, \\"plant fire\\"". None: every story.')] = "",
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Vienna.")] = "UTC",
    hour: Annotated[int, typer.Option(min=0, max=23, help="Local hour to send at (0-23).")] = 7,
) -> None:
    """Subscribe an address (an unsubscribed one is re-activated)."""
    db = open_database()
    try:
        with db.transaction() as session:
            row, created = subs.add_subscriber(
                session, email, name=name, topics=topics, timezone=timezone, send_hour=hour
            )
            line = (
                f"{'subscribed' if created else 're-subscribed'} {row.email} ({row.id}): "
                f"{', '.join(row.topics) or 'every story'}, at {row.send_hour:02d}:00 {row.timezone}"
            )
    except BriefingError as exc:
        raise fail(str(exc)) from exc
    finally:
        db.dispose()
    typer.echo(line)


@subscribers_app.command("list")
def list_subscribers(
    everyone: Annotated[bool, typer.Option("--all", help="Include unsubscribed and bounced addresses.")] = False,
) -> None:
    """List subscribers: id, address, send time, topics."""
    db = open_database()
    try:
        with db.transaction() as session:
            rows = subs.list_subscribers(session, active=None if everyone else True)
            lines = [
                f"{r.id}  {r.email:<32} {r.send_hour:02d}:00 {r.timezone:<20} "
                f"{terminal_text(', '.join(r.topics)) or '(every story)'}"
                + (f"  {r.name!r}" if r.name else "")
                + ("" if r.active else f"  INACTIVE ({r.deactivated_reason})")
                for r in rows
            ]
    finally:
        db.dispose()
    typer.echo("\n".join(lines) if lines else "no subscribers")


@subscribers_app.command("remove")
def remove_subscriber(
    email: Annotated[str, typer.Argument(help="The address (or subscriber id) to remove.")],
) -> None:
    """Delete a subscriber and their delivery log."""
    db = open_database()
    try:
        with db.transaction() as session:
            row = subs.remove_subscriber(session, email)
    finally:
        db.dispose()
    if row is None:
        raise fail(f"no subscriber {email!r}")
    typer.echo(f"removed {row.email} ({row.id})")


# ---------------------------------------------------------------- digest


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--date must be YYYY-MM-DD, not {value!r}") from None


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"--since must be an ISO date-time such as 2026-11-21T07:00Z, not {value!r}") from None


def _options(engine: Engine, max_stories: int, stale_minutes: int, **kwargs: object):  # noqa: ANN202
    from briefing.digest.run import MAX_POINTS, RunOptions
    from briefing.engines import BuildOptions

    stale = timedelta(minutes=stale_minutes) if stale_minutes > 0 else None
    build = BuildOptions(engine=engine.value, max_points=MAX_POINTS)
    return RunOptions(build=build, max_stories=max_stories, stale_after=stale, **kwargs)  # type: ignore[arg-type]


EngineOpt = Annotated[Engine, typer.Option(help="Engine for each story's briefing.")]
MaxStories = Annotated[int, typer.Option(min=1, max=20, help="Most stories per email.")]
StaleMinutes = Annotated[
    int,
    typer.Option(
        min=0,
        help="Re-send a delivery left 'sending' this long by a crashed run (at-least-once); "
        "0 never re-sends one (at-most-once).",
    ),
]


@digest_app.command("run")
def run(
    day: Annotated[str | None, typer.Option("--date", help="Digest date YYYY-MM-DD (default: each subscriber's today).")] = None,
    since: Annotated[str | None, typer.Option(help="Window start, ISO date-time (default: 24 h before the end).")] = None,
    engine: EngineOpt = Engine.offline,
    dry_run: Annotated[Path | None, typer.Option("--dry-run", help="Write .eml files here instead of sending.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Only this subscriber.")] = None,
    due: Annotated[bool, typer.Option("--due", help="Only subscribers whose local send hour is now (for hourly cron).")] = False,
    max_stories: MaxStories = 5,
    stale_minutes: StaleMinutes = 30,
    no_poll: Annotated[bool, typer.Option("--no-poll", help="Do not poll due feeds first.")] = False,
) -> None:
    """Poll due feeds, then send today's digest: stories from the stored articles, one email per subscriber.

    With BRIEFING_BROKER_URL set, each subscriber's send is enqueued for `briefing worker`."""
    from briefing.digest.run import describe, run_digest

    options = _options(
        engine, max_stories, stale_minutes, day=_day(day), since=_since(since), dry_run=dry_run, to=to, due=due
    )
    db = open_database()
    try:
        if not no_poll:
            from briefing.cli_feeds import run_poll

            run_poll(db, get_settings(), quiet_when_idle=True)
        settings = get_settings()
        if settings.broker_url and dry_run is None:  # one task per subscriber and date
            from briefing.digest.queued import enqueue_run
            from briefing.queue.broker import actors

            send = actors(settings).send_digest.send
            report = enqueue_run(db, lambda sid, day_, plan: send(sid, day_, plan), settings=settings, options=options)
        else:
            report = run_digest(db, settings=settings, options=options)
    except BriefingError as exc:
        raise fail(str(exc)) from exc
    finally:
        db.dispose()
    typer.echo("\n".join(terminal_text(line) for line in describe(report)))
    if report.stopped:
        raise typer.Exit(1)


@digest_app.command("schedule")
def schedule(
    engine: EngineOpt = Engine.offline,
    max_stories: MaxStories = 5,
    stale_minutes: StaleMinutes = 30,
    poll_minutes: Annotated[
        float | None, typer.Option(min=0, help="Poll due feeds this often (default BRIEFING_FEED_INTERVAL_MINUTES); 0: never.")
    ] = None,
) -> None:
    """Run in the foreground: poll feeds every N minutes, send each subscriber's digest at their local send hour."""
    import logging

    from briefing.digest.schedule import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    every = settings.feed_interval_minutes if poll_minutes is None else poll_minutes
    polling = f"feeds every {every:g} min, " if every else ""
    typer.echo(f"digest scheduler: {polling}digest every hour on the hour (UTC); Ctrl-C to stop", err=True)
    serve(settings, _options(engine, max_stories, stale_minutes), poll_minutes=every)
