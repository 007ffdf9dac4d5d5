"""One pass over the due feeds: fetch, parse, fetch the pages, store, record each feed's health.

    report = poll(db, settings)                     # the feeds whose next poll has come
    report = poll(db, settings, every=True)         # every enabled feed, due or not

Per feed: a conditional GET (304: nothing to parse, only pending pages are retried);
the entries not seen before (by canonical URL, across all feeds) become articles, from
the feed's own full text or from the linked page (robots.txt honoured); then one
transaction stores the new articles (deduplicated by content hash too), the item log and
the feed's health. A page that fails leaves its item `pending` for the next poll, and no
article: nothing is stored half. A feed that fails is polled again after an exponential
backoff, and disabled after `feed_max_failures` errors in a row (404/410: at once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from briefing import store
from briefing.config import Settings
from briefing.feeds import items as entries
from briefing.feeds.fetch import FEED_ACCEPT, Fetched, FetchError, Fetcher, Traffic
from briefing.feeds.parse import Entry, FeedParseError, ParsedFeed, parse_feed
from briefing.feeds.robots import Robots
from briefing.feeds.store import Feed, FeedItem, due_feeds, known_items, pending_items, record_failure, record_success
from briefing.models import Article
from briefing.store.tables import utcnow

log = logging.getLogger(__name__)


@dataclass
class FeedResult:
    """What one poll did for one feed."""

    feed_id: str
    url: str
    status: str  # ok | not modified | failed | disabled | removed
    entries: int = 0
    stored: int = 0
    duplicates: int = 0  # new to this feed, but the same text was already stored
    pending: int = 0  # pages that failed this time (retried next poll)
    given_up: int = 0  # pages that failed feed_page_attempts times
    error: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class PollReport:
    started: datetime
    feeds: list[FeedResult] = field(default_factory=list)
    traffic: Traffic = field(default_factory=Traffic)

    @property
    def stored(self) -> int:
        return sum(f.stored for f in self.feeds)

    def count(self, status: str) -> int:
        return sum(1 for f in self.feeds if f.status == status)

    def summary(self) -> str:
        t = self.traffic
        return (
            f"polled {len(self.feeds)} feeds: {self.count('ok')} ok, {self.count('not modified')} not modified, "
            f"{self.count('failed') + self.count('disabled')} failed; stored {self.stored} new articles "
            f"({sum(f.duplicates for f in self.feeds)} duplicates, {sum(f.pending for f in self.feeds)} pages pending); "
            f"{t.requests} requests, {t.bytes:,} bytes, {t.not_modified} not modified"
        )


@dataclass(frozen=True)
class _FeedRef:
    """What the async part needs of a feed row (rows stay in their session)."""

    id: str
    url: str
    etag: str | None
    last_modified: str | None
    name: str | None
    title: str | None

    def outlet(self, parsed: ParsedFeed | None) -> str | None:
        """The name given to the feed, else what the feed calls itself (now, or last time)."""
        return self.name or (parsed.title if parsed else None) or self.title


@dataclass
class _Work:
    """One item to resolve: from a new entry, or a pending row being retried."""

    key: str
    title: str
    published_at: datetime | None
    author: str | None
    text: str | None  # the feed's full text, if it had it
    article: Article | None = None
    error: str | None = None


@dataclass
class _Poll:
    db: store.Database
    settings: Settings
    now: datetime
    fetcher: Fetcher
    robots: Robots
    claimed: set[str] = field(default_factory=set)  # canonical URLs some feed in this run is resolving


def poll(
    db: store.Database, settings: Settings, *, now: datetime | None = None, every: bool = False,
    only: Collection[str] | None = None,
    on_feed: Callable[[FeedResult], None] | None = None, on_start: Callable[[int], None] | None = None,
) -> PollReport:
    """Poll due feeds (all enabled ones with `every`; of those, the ids in `only` if given);
    blocking wrapper of `poll_async`."""
    return asyncio.run(poll_async(db, settings, now=now, every=every, only=only, on_feed=on_feed, on_start=on_start))


async def poll_async(
    db: store.Database, settings: Settings, *, now: datetime | None = None, every: bool = False,
    only: Collection[str] | None = None,
    on_feed: Callable[[FeedResult], None] | None = None, on_start: Callable[[int], None] | None = None,
) -> PollReport:
    now = (now or utcnow()).astimezone(UTC)
    with db.transaction() as session:
        refs = [
            _FeedRef(f.id, f.url, f.etag, f.last_modified, f.name, f.title) for f in due_feeds(session, now, every=every)
            if only is None or f.id in only
        ]
    if on_start is not None:
        on_start(len(refs))
    report = PollReport(started=now)
    async with Fetcher(settings) as fetcher:
        ctx = _Poll(db, settings, now, fetcher, Robots(fetcher))
        gate = asyncio.Semaphore(max(1, settings.feed_concurrency))

        async def one(ref: _FeedRef) -> None:
            async with gate:
                result = await _poll_feed(ctx, ref)
            report.feeds.append(result)
            if on_feed is not None:
                on_feed(result)

        await asyncio.gather(*(one(r) for r in refs))
        report.traffic = fetcher.traffic
    report.feeds.sort(key=lambda r: r.url)
    return report


def enqueue_due(db: store.Database, send: Callable[[str, bool], object], *, now: datetime | None = None,
                every: bool = False) -> list[str]:
    """Hand each due feed (every enabled one with `every`) to `send(feed_id, every)` as its own
    task; returns their ids.

    A task polls its feed only if it is still due when it runs (`poll(only=...)`), so a task
    run twice, or a feed queued by two schedulers, is polled once per interval.
    """
    now = (now or utcnow()).astimezone(UTC)
    with db.transaction() as session:
        ids = [f.id for f in due_feeds(session, now, every=every)]
    for feed_id in ids:
        send(feed_id, every)
    return ids


async def _poll_feed(ctx: _Poll, ref: _FeedRef) -> FeedResult:
    """One feed; whatever goes wrong is this feed's result, never the whole poll's."""
    try:
        return await _poll_feed_unguarded(ctx, ref)
    except IntegrityError:
        # Another poller (a second process) stored the same items first: nothing is lost,
        # this feed's transaction rolled back whole and its items are seen again next poll.
        return FeedResult(ref.id, ref.url, "ok", problems=["another poll stored the same items at the same time"])
    except Exception as exc:  # a bug or a parser crash on odd input: record it on the feed, go on
        log.exception("polling %s failed", ref.url)
        return _failed(ctx, ref, FeedResult(ref.id, ref.url, "failed"), f"internal error: {type(exc).__name__}: {exc}",
                       permanent=False)


async def _poll_feed_unguarded(ctx: _Poll, ref: _FeedRef) -> FeedResult:
    result = FeedResult(ref.id, ref.url, "ok")
    try:
        fetched = await ctx.fetcher.get(ref.url, accept=FEED_ACCEPT, etag=ref.etag, last_modified=ref.last_modified)
        parsed = None if fetched.not_modified else await asyncio.to_thread(
            parse_feed, fetched.body, url=fetched.url, content_type=fetched.content_type
        )
    except FetchError as exc:
        return _failed(ctx, ref, result, exc.reason, permanent=exc.permanent)
    except FeedParseError as exc:
        return _failed(ctx, ref, result, str(exc), permanent=False)
    if parsed is None:
        result.status = "not modified"
    work, new = _plan(ctx, ref, parsed, result)
    outlet = ref.outlet(parsed)
    await asyncio.gather(*(_resolve(ctx, outlet, w) for w in work))
    _save(ctx, ref, fetched, parsed, work, new, result)
    return result


def _plan(ctx: _Poll, ref: _FeedRef, parsed: ParsedFeed | None, result: FeedResult) -> tuple[list[_Work], int]:
    """The items to resolve now: entries never seen (by any feed), and this feed's pending ones."""
    keyed: dict[str, Entry] = {}
    listed = parsed.entries if parsed else []
    cap = ctx.settings.feed_max_entries
    if len(listed) > cap:
        result.problems.append(f"the feed lists {len(listed)} entries; only the first {cap} were read")
    for entry in listed[:cap]:
        key = entries.entry_key(entry, ref.url)
        if key is None:
            result.problems.append(f"an entry without link or id ({entry.title[:60]!r}) was skipped")
        else:
            keyed.setdefault(key, entry)
    result.entries = len(keyed)
    with ctx.db.transaction() as session:
        known = known_items(session, list(keyed))
        retry = [r for r in pending_items(session, ref.id) if r.canonical_url not in keyed]
        retry_rows = [(r.canonical_url, r.title, r.published_at, r.author) for r in retry]
    work: list[_Work] = []
    new = 0
    for key, entry in keyed.items():
        row = known.get(key)
        if row is not None and row.status != "pending":
            continue
        if key in ctx.claimed:
            continue  # another feed in this run has it
        ctx.claimed.add(key)
        new += row is None
        text = entries.full_text(entry, ctx.settings.feed_full_text_chars)
        work.append(_Work(key, entry.title, entry.published_at, entry.author, text))
    for key, title, published, author in retry_rows:
        if key not in ctx.claimed:
            ctx.claimed.add(key)
            work.append(_Work(key, title, published, author, None))
    return work, new


async def _resolve(ctx: _Poll, outlet: str | None, work: _Work) -> None:
    """Fill `work.article` from the feed's text or the page, or say why not in `work.error`."""
    if work.text is not None:
        entry = Entry(link=work.key, guid=None, title=work.title, published_at=work.published_at)
        work.article = entries.entry_article(entry, work.key, work.text, outlet)
        return
    if not entries.fetchable(work.key):
        work.error = "the entry has no full text and no link to fetch it from"
        return
    try:
        if not await ctx.robots.allowed(work.key):
            work.error = "robots.txt disallows fetching the page"
            return
        page = await ctx.fetcher.get(work.key)
        got = await asyncio.to_thread(
            entries.page_article, page.body, page.charset, key=work.key, title=work.title,
            published_at=work.published_at, outlet=outlet, author=work.author,
        )
    except FetchError as exc:
        work.error = f"page: {exc.reason}"
    except entries.PageError as exc:
        work.error = f"page: {exc}"
    else:
        work.article, work.author = got.article, got.author


def _save(
    ctx: _Poll, ref: _FeedRef, fetched: Fetched, parsed: ParsedFeed | None, work: list[_Work], new: int,
    result: FeedResult,
) -> None:
    """One transaction: the new articles, the item log, the feed's validators and health."""
    settings, now = ctx.settings, ctx.now
    with ctx.db.transaction() as session:
        feed = session.get(Feed, ref.id)
        if feed is None:
            result.status = "removed"
            return
        if fetched.etag or not fetched.not_modified:
            feed.etag = fetched.etag
        if fetched.last_modified or not fetched.not_modified:
            feed.last_modified = fetched.last_modified
        if parsed is not None and parsed.title:
            feed.title = parsed.title
        rows = known_items(session, [w.key for w in work])
        ready = [w for w in work if w.article is not None and getattr(rows.get(w.key), "status", None) != "stored"]
        inserted = store.add_articles(session, [w.article for w in ready if w.article], now=now)
        for w, ins in zip(ready, inserted, strict=True):
            row = _item(session, rows, w, ref, now)
            row.status, row.article_id, row.error, row.author = "stored", ins.row.id, None, w.author
            row.title = ins.row.title
            row.attempts += 1
            result.duplicates += ins.duplicate
            result.stored += not ins.duplicate
        for w in work:
            if w.article is not None:
                continue
            row = _item(session, rows, w, ref, now)
            if row.status == "stored":
                continue
            row.attempts += 1
            row.error = w.error
            row.status = "failed" if row.attempts >= settings.feed_page_attempts else "pending"
            result.pending += row.status == "pending"
            result.given_up += row.status == "failed"
            result.problems.append(f"{w.key}: {w.error}")
        feed.items_seen += new
        feed.articles_stored += result.stored
        record_success(feed, now, timedelta(minutes=settings.feed_interval_minutes))
        if parsed is not None and parsed.warning:
            result.problems.append(f"the feed is not well-formed but was read: {parsed.warning}")


def _item(session: Session, rows: dict[str, FeedItem], w: _Work, ref: _FeedRef, now: datetime) -> FeedItem:
    row = rows.get(w.key)
    if row is None:
        row = FeedItem(
            canonical_url=w.key, feed_id=ref.id, status="pending", title=w.title, published_at=w.published_at,
            author=w.author, attempts=0, first_seen_at=now, updated_at=now,
        )
        session.add(row)
        rows[w.key] = row
    row.updated_at = now
    return row


def _failed(ctx: _Poll, ref: _FeedRef, result: FeedResult, reason: str, *, permanent: bool) -> FeedResult:
    s = ctx.settings
    with ctx.db.transaction() as session:
        feed = session.get(Feed, ref.id)
        if feed is None:
            result.status = "removed"
            return result
        record_failure(
            feed, ctx.now, reason, backoff=timedelta(minutes=s.feed_backoff_minutes),
            cap=timedelta(minutes=s.feed_backoff_max_minutes), max_failures=s.feed_max_failures, permanent=permanent,
        )
        result.status = "failed" if feed.enabled else "disabled"
    result.error = reason
    return result
