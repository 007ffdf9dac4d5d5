"""CLI for news feeds, mounted by briefing.cli as `briefing feeds …`.

Parse, call the library (briefing.feeds), print; polling itself is briefing.feeds.poll.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from briefing.cli_common import fail, open_database
from briefing import store
from briefing.config import Settings, get_settings
from briefing.errors import BriefingError

feeds_app = typer.Typer(help="News feeds the digest polls for articles.", no_args_is_help=True)
err = Console(stderr=True)




def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "—"


@feeds_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The feed's http(s) URL (RSS or Atom).")],
    name: Annotated[str | None, typer.Option(help="Outlet name for its articles (default: the feed's title).")] = None,
    topics: Annotated[str, typer.Option(help="Comma-separated labels for the feed.")] = "",
) -> None:
    """Add a feed; it is polled on the next `feeds poll` or `digest run`."""
    from briefing.feeds import store as feeds

    db = open_database()
    try:
        with db.transaction() as session:
            row = feeds.add_feed(session, url, name=name, topics=topics)
            line = f"added {row.url} ({row.id})" + (f" as {row.name!r}" if row.name else "")
    except BriefingError as exc:
        raise fail(str(exc)) from exc
    finally:
        db.dispose()
    typer.echo(line)


@feeds_app.command("list")
def list_feeds() -> None:
    """Feeds with their health: last success, last error and why, items seen, next poll."""
    from briefing.feeds import store as feeds

    db = open_database()
    try:
        with db.transaction() as session:
            rows = feeds.list_feeds(session)
            pending = feeds.pending_counts(session)
            blocks = [_describe(r, pending.get(r.id, 0)) for r in rows]
    finally:
        db.dispose()
    typer.echo("\n".join(blocks) if blocks else "no feeds; add one with `briefing feeds add URL`")


def _describe(r: object, pending: int) -> str:
    """Three lines per feed: who and where; how it went; what went wrong, if anything."""
    from briefing.feeds.store import Feed, health

    assert isinstance(r, Feed)
    state = health(r)
    if state == "failing":
        state += f" ({r.failures} in a row)"
    head = f"{r.id}  {state:<10} {r.outlet or '(untitled)'}  {r.url}"
    topics = f" · topics {', '.join(r.topics)}" if r.topics else ""
    nxt = _when(r.next_poll_at) if r.enabled else "never (disabled)"
    lines = [
        head,
        f"    last success {_when(r.last_success_at)} · items seen {r.items_seen} · stored {r.articles_stored}"
        f" · pages pending {pending} · next poll {nxt}{topics}",
    ]
    if not r.enabled:
        lines.append(f"    disabled: {r.disabled_reason}")
    if r.last_error and (r.failures or not r.enabled):
        lines.append(f"    last error {_when(r.last_error_at)}: {r.last_error}")
    return "\n".join(lines)


@feeds_app.command("remove")
def remove(ref: Annotated[str, typer.Argument(help="The feed's id or URL.")]) -> None:
    """Delete a feed and its item log (articles already stored stay)."""
    from briefing.feeds import store as feeds

    db = open_database()
    try:
        with db.transaction() as session:
            row = feeds.remove_feed(session, ref)
            line = None if row is None else f"removed {row.url} ({row.id})"
    finally:
        db.dispose()
    if line is None:
        raise fail(f"no feed {ref!r}")
    typer.echo(line)


@feeds_app.command("enable")
def enable(ref: Annotated[str, typer.Argument(help="The feed's id or URL.")]) -> None:
    """Re-enable a disabled feed; it is due at once."""
    from briefing.feeds import store as feeds

    db = open_database()
    try:
        with db.transaction() as session:
            row = feeds.find_feed(session, ref)
            if row is not None:
                feeds.enable_feed(row)
    finally:
        db.dispose()
    if row is None:
        raise fail(f"no feed {ref!r}")
    typer.echo(f"enabled {row.url} ({row.id})")


@feeds_app.command("import")
def import_opml(path: Annotated[Path, typer.Argument(help="An OPML file (a feed reader's export).")]) -> None:
    """Add every feed in an OPML file (folders and categories become topics)."""
    from briefing.feeds import store as feeds
    from briefing.feeds.opml import read_opml

    try:
        outlines = read_opml(path.read_bytes(), str(path))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from exc
    except BriefingError as exc:
        raise fail(str(exc)) from exc
    db = open_database()
    added, skipped = 0, []
    try:
        for o in outlines:
            try:
                with db.transaction() as session:
                    feeds.add_feed(session, o.url, name=o.name, topics=list(o.topics))
                added += 1
            except BriefingError as exc:
                skipped.append(f"{o.url}: {exc}")
    finally:
        db.dispose()
    for line in skipped:
        typer.echo(f"skipped {line}", err=True)
    typer.echo(f"added {added} feeds from {path} ({len(skipped)} skipped)")


def run_poll(
    db: store.Database, settings: Settings, *, every: bool = False, quiet_when_idle: bool = False, queue: bool = False
) -> int:
    """One poll with a progress bar on a terminal; prints failures and a summary. Returns failed count.

    With `queue` and a broker configured, each due feed becomes a task for `briefing worker`
    instead (the workers record each feed's health; `feeds list` shows it)."""
    from briefing.feeds.poll import enqueue_due, poll

    if queue and settings.broker_url:
        from briefing.queue.broker import actors

        send = actors(settings).poll_feed.send
        queued = enqueue_due(db, lambda feed_id, all_: send(feed_id, all_), every=every)
        typer.echo(f"queued {len(queued)} feeds for `briefing worker`", err=True)
        return 0

    progress = Progress(
        TextColumn("polling feeds"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=err, disable=not err.is_terminal, transient=True,
    )
    with progress:
        task = progress.add_task("", total=None)
        report = poll(
            db, settings, every=every,
            on_start=lambda n: progress.update(task, total=n),
            on_feed=lambda r: progress.update(task, advance=1, description=r.url[-50:]),
        )
    if not report.feeds and quiet_when_idle:
        return 0
    for f in report.feeds:  # plain lines: long URLs and reasons must not be wrapped mid-word
        if f.error:
            typer.echo(f"{f.status}: {f.url}: {f.error}", err=True)
        for p in f.problems:
            typer.echo(f"  {f.url}: {p}", err=True)
    typer.echo(report.summary(), err=True)
    return report.count("failed") + report.count("disabled")


@feeds_app.command("poll")
def poll_command(
    once: Annotated[bool, typer.Option("--once", help="One pass over the due feeds, then exit.")] = False,
    every: Annotated[bool, typer.Option("--all", help="Poll every enabled feed, due or not.")] = False,
) -> None:
    """Poll due feeds and store their new articles; without --once, keep polling until Ctrl-C.

    With BRIEFING_BROKER_URL set, each due feed is enqueued as a task for `briefing worker`."""
    settings = get_settings()
    db = open_database()
    try:
        while True:
            run_poll(db, settings, every=every, queue=True)
            if once:
                return
            every = False
            time.sleep(_pause(db, settings))
    except KeyboardInterrupt:
        pass
    finally:
        db.dispose()


def _pause(db: store.Database, settings: Settings) -> float:
    """Seconds until the next feed is due: at least 10, at most the poll interval."""
    from briefing.feeds import store as feeds
    from briefing.store.tables import utcnow

    with db.transaction() as session:
        times = [f.next_poll_at for f in feeds.list_feeds(session) if f.enabled and f.next_poll_at]
    longest = settings.feed_interval_minutes * 60
    if not times:
        return longest
    return max(10.0, min(longest, (min(times) - utcnow()).total_seconds()))
