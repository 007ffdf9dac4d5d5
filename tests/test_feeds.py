"""Feeds against a real web server on 127.0.0.1: polling, faults, safe XML, dedup, robots.txt.

Nothing of ours is patched: the server is scripted to be slow, fail, loop, bloat or lie,
and the poller has to cope. Timeouts and caps are shrunk by settings, never by mocks.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from briefing import store
from briefing.config import Settings
from briefing.feeds import store as feeds
from briefing.feeds.items import canonical_url, entry_key, full_text
from briefing.feeds.opml import read_opml
from briefing.feeds.parse import Entry, FeedParseError, parse_feed
from briefing.feeds.poll import poll
from briefing.errors import InputError
from briefing.store.tables import StoredArticle

try:
    from fakes.feed_server import FeedServer, Item, Route, page, rss
except ModuleNotFoundError:
    from tests.fakes.feed_server import FeedServer, Item, Route, page, rss

NOW = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
CAP = 1_000_000

STORY = (
    "The harbour authority of Selmouth said on Monday that the new deep-water pier would open in May, "
    "two months later than planned, after storms damaged the crane rails in January.\n\n"
    "The pier cost 12 million euros and took three years to build, harbour master Ines Varga told reporters "
    "at the quay. Varga said the first ferries would berth there from June and cargo ships from September.\n\n"
    "Fishermen in Selmouth welcomed the pier, according to their association, which had campaigned for "
    "deeper water at the quay for more than a decade. Its chair said boats would no longer wait for the tide."
)


def story(n: int) -> str:
    """A distinct article (so content hashes differ) about the same pier."""
    return f"Report number {n} from the Selmouth desk.\n\n{STORY}\n\nThis is update {n} of the story."


@pytest.fixture
def web() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'feeds.db'}",
        feed_host_delay=0.0, feed_host_concurrency=4, feed_connect_timeout=2.0, feed_read_timeout=2.0,
        feed_total_timeout=5.0, feed_max_bytes=CAP, feed_max_redirects=3, feed_backoff_minutes=5.0,
        feed_max_failures=3, feed_full_text_chars=400, feed_contact_url="https://example.org/ops",
        feed_allow_private_hosts=True,
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[store.Database]:
    database = store.Database(settings.resolved_database_url)
    database.migrate()
    yield database
    database.dispose()


def add(db: store.Database, url: str, name: str | None = None) -> str:
    with db.transaction() as session:
        return feeds.add_feed(session, url, name=name).id


def feed_row(db: store.Database, feed_id: str) -> feeds.Feed:
    with db.transaction() as session:
        row = session.get(feeds.Feed, feed_id)
        assert row is not None
        return row


def articles(db: store.Database) -> list[StoredArticle]:
    with db.transaction() as session:
        return list(session.scalars(select(StoredArticle).order_by(StoredArticle.seq)))


def items(db: store.Database) -> list[feeds.FeedItem]:
    with db.transaction() as session:
        return list(session.scalars(select(feeds.FeedItem).order_by(feeds.FeedItem.id)))


def serve_feed(web: FeedServer, path: str, entries: list[Item], **route: object) -> str:
    web.routes[path] = Route(rss("Selmouth Star", entries), content_type="application/rss+xml", **route)  # type: ignore[arg-type]
    return web.url(path)


# ---------------------------------------------------------------- pure parts


def test_canonical_urls_drop_tracking_fragments_and_default_ports():
    assert canonical_url("HTTPS://News.Example.COM:443/a/b?utm_source=rss&id=7&fbclid=x&b=2#comments") == (
        "https://news.example.com/a/b?b=2&id=7"
    )
    assert canonical_url("http://example.com") == "http://example.com/"
    assert canonical_url("http://example.com:8080/x?gclid=1") == "http://example.com:8080/x"
    e = Entry(link=None, guid="urn:uuid:1", title="t", published_at=None)
    assert entry_key(e, "http://f/feed") == "http://f/feed#guid=urn:uuid:1"


def test_full_text_only_when_the_content_is_the_whole_article():
    long = "<p>" + "A sentence about the pier. " * 40 + "</p>"
    assert full_text(Entry("http://x/1", None, "t", None, content=long), 400)
    assert full_text(Entry("http://x/1", None, "t", None, content=long + "<p>Read more</p>"), 400) is None
    assert full_text(Entry("http://x/1", None, "t", None, content=long[:-4] + " …</p>"), 400) is None
    assert full_text(Entry("http://x/1", None, "t", None, content="<p>Short teaser.</p>"), 400) is None
    assert full_text(Entry("http://x/1", None, "t", None, summary=long), 400) is None  # a summary is never enough


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "file:///etc/passwd", "javascript:alert(1)", "http://", "feed.xml"])
def test_only_http_urls_are_feeds(db, url):
    with pytest.raises(InputError), db.transaction() as session:
        feeds.add_feed(session, url)


def test_the_same_url_is_one_feed(db):
    add(db, "http://127.0.0.1:9/feed.xml")
    with pytest.raises(feeds.FeedExists), db.transaction() as session:
        feeds.add_feed(session, " http://127.0.0.1:9/feed.xml ")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>http://x/1</link>
<description>&lol9;</description></item></channel></rss>"""


def _xxe(target: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>
<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title><link>http://x/1</link>
<description>&xxe;</description></item></channel></rss>""".encode()


def test_entity_bomb_is_refused_with_memory_bounded():
    tracemalloc.start()
    try:
        with pytest.raises(FeedParseError, match="declares entities"):
            parse_feed(BOMB)
        with pytest.raises(FeedParseError, match="declares entities"):
            parse_feed(BOMB.decode().encode("utf-16"))  # the scan sees through UTF-16 too
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # a billion laughs expanded would be ~3 GB


def test_external_entities_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    with pytest.raises(FeedParseError, match="refused"):
        parse_feed(_xxe(secret.as_uri()))


def test_entity_text_inside_an_article_is_not_a_declaration():
    body = rss("t", [Item("About XML", "http://x/1", summary="Write <!ENTITY x \"y\"> in a DTD, the tutorial says.")])
    assert parse_feed(body).entries[0].title == "About XML"


def test_opml_import_reads_outlines_and_refuses_entities():
    opml = b"""<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
    <outline text="Ports"><outline text="Selmouth Star" type="rss" xmlUrl="http://127.0.0.1:9/a.xml"/></outline>
    <outline title="Wire" xmlUrl="http://127.0.0.1:9/b.xml" category="/world,/business"/></body></opml>"""
    got = read_opml(opml)
    assert [(o.url, o.name, o.topics) for o in got] == [
        ("http://127.0.0.1:9/a.xml", "Selmouth Star", ("Ports",)),
        ("http://127.0.0.1:9/b.xml", "Wire", ("world", "business")),
    ]
    with pytest.raises(InputError, match="unsafe XML"):
        read_opml(BOMB.replace(b"<rss", b"<opml").replace(b"</rss>", b"</opml>"))
    with pytest.raises(InputError, match="not an OPML"):
        read_opml(b"<html/>")


# ---------------------------------------------------------------- polling


def test_full_text_and_summary_feeds_store_whole_articles_with_metadata(web, db, settings):
    web.routes["/pier"] = Route(page("Selmouth pier opens late", story(2), outlet="Coast Daily", author="Ines Ro"))
    full = serve_feed(web, "/full.xml", [Item("Pier delayed to May", web.url("/a1?utm_source=rss#top"), content=story(1))])
    summary = serve_feed(web, "/summary.xml", [Item("Selmouth pier opens late", web.url("/pier"), summary="The pier…")])
    a, b = add(db, full, name="Selmouth Star"), add(db, summary, name="Coast Daily")

    report = poll(db, settings, now=NOW)

    assert report.stored == 2 and report.count("ok") == 2
    rows = {r.url: r for r in articles(db)}
    first = rows[web.url("/a1")]  # canonical: no tracking parameter, no fragment
    assert first.outlet == "Selmouth Star" and first.title == "Pier delayed to May"
    assert first.text.startswith("Report number 1") and "update 1 of the story" in first.text
    assert first.published_at == datetime(2026, 12, 7, 6, 0, tzinfo=UTC) and first.ingested_at == NOW
    second = rows[web.url("/pier")]
    assert second.outlet == "Coast Daily" and "update 2 of the story" in second.text
    assert "Share this story" not in second.text and "Cookie settings" not in second.text  # trafilatura's cut
    assert {i.author for i in items(db)} == {None, "Ines Ro"}
    assert [h.headers["user-agent"] for h in web.requests_to("/pier")] == [
        "briefing/0.1.0 (news digest; +https://example.org/ops)"
    ]
    health = feed_row(db, a), feed_row(db, b)
    assert all(f.last_success_at == NOW and f.failures == 0 and f.items_seen == 1 for f in health)
    assert all(f.next_poll_at == NOW + timedelta(minutes=settings.feed_interval_minutes) for f in health)
    assert health[0].articles_stored == 1 and health[0].title == "Selmouth Star"


def test_second_poll_gets_304s_costs_no_body_and_stores_nothing(web, db, settings):
    url = serve_feed(web, "/f.xml", [Item("One", web.url("/1"), content=story(1))], etag='"v1"', gzip=True)
    add(db, url)
    first = poll(db, settings, now=NOW)
    second = poll(db, settings, now=NOW + timedelta(hours=1))

    assert first.stored == 1 and second.stored == 0
    assert [f.status for f in second.feeds] == ["not modified"]
    hits = web.requests_to("/f.xml")
    assert hits[0].headers["accept-encoding"].startswith("gzip") and "if-none-match" not in hits[0].headers
    assert hits[1].headers["if-none-match"] == '"v1"' and (hits[1].status, hits[1].sent) == (304, 0)
    assert second.traffic.not_modified == 1 and second.traffic.bytes < 300
    assert len(articles(db)) == 1


def test_not_due_feeds_wait(web, db, settings):
    add(db, serve_feed(web, "/f.xml", [Item("One", web.url("/1"), content=story(1))]))
    poll(db, settings, now=NOW)
    assert poll(db, settings, now=NOW + timedelta(minutes=1)).feeds == []
    assert len(poll(db, settings, now=NOW + timedelta(minutes=1), every=True).feeds) == 1


def test_same_item_in_two_feeds_is_stored_once(web, db, settings):
    web.routes["/shared"] = Route(page("Shared story", story(7)))
    add(db, serve_feed(web, "/a.xml", [Item("Shared story", web.url("/shared?utm_medium=a"), summary="s"),
                                       Item("Syndicated", web.url("/copy-a"), content=story(8))]), name="A")
    add(db, serve_feed(web, "/b.xml", [Item("Shared story", web.url("/shared#x"), summary="s"),
                                       Item("Syndicated", web.url("/copy-b"), content=story(8))]), name="B")
    report = poll(db, settings, now=NOW)

    assert len(web.requests_to("/shared")) == 1  # one canonical URL: fetched once, though listed twice
    assert len(articles(db)) == 2  # and the same text under two URLs is stored once (content hash)
    assert report.stored == 2 and sum(f.duplicates for f in report.feeds) == 1
    assert {i.canonical_url for i in items(db)} == {web.url("/shared"), web.url("/copy-a"), web.url("/copy-b")}
    assert len({i.article_id for i in items(db)}) == 2
    poll(db, settings, now=NOW + timedelta(hours=1))
    assert len(articles(db)) == 2 and len(web.requests_to("/shared")) == 1


def test_slow_feed_times_out_and_backs_off(web, db, settings):
    feed = add(db, serve_feed(web, "/slow.xml", [Item("x", web.url("/1"), content=story(1))], delay=1.5))
    impatient = Settings(**{**settings.model_dump(), "feed_read_timeout": 0.5})
    report = poll(db, impatient, now=NOW)
    row = feed_row(db, feed)
    assert report.feeds[0].status == "failed" and "timed out" in (row.last_error or "")
    assert row.failures == 1 and row.enabled and row.next_poll_at == NOW + timedelta(minutes=5)


def test_500s_back_off_exponentially_then_disable(web, db, settings):
    web.routes["/err.xml"] = Route(b"oops", status=500)
    feed = add(db, web.url("/err.xml"))
    waits = []
    now = NOW
    for _ in range(3):
        poll(db, settings, now=now)
        row = feed_row(db, feed)
        waits.append(row.next_poll_at - now)
        now = row.next_poll_at
    assert waits == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert not row.enabled and row.failures == 3
    assert row.disabled_reason == "3 failures in a row; last: HTTP 500 Internal Server Error"
    assert poll(db, settings, now=now + timedelta(days=1)).feeds == []  # disabled: never polled
    with db.transaction() as session:
        feeds.enable_feed(session.get(feeds.Feed, feed))
    web.routes["/err.xml"] = Route(rss("back", [Item("x", web.url("/1"), content=story(1))]))
    assert poll(db, settings, now=now).stored == 1 and feed_row(db, feed).failures == 0


@pytest.mark.parametrize("status", [404, 410])
def test_gone_feeds_are_disabled_at_once(web, db, settings, status):
    web.routes["/gone.xml"] = Route(b"gone", status=status)
    feed = add(db, web.url("/gone.xml"))
    report = poll(db, settings, now=NOW)
    row = feed_row(db, feed)
    assert report.feeds[0].status == "disabled" and not row.enabled
    assert row.disabled_reason is not None and row.disabled_reason.startswith(f"HTTP {status}")


def test_malformed_xml_is_a_feed_error(web, db, settings):
    web.routes["/bad.xml"] = Route(b"<rss><channel><title>broken", content_type="application/rss+xml")
    web.routes["/html.xml"] = Route(b"<html><body>We moved!</body></html>")
    bad, html = add(db, web.url("/bad.xml")), add(db, web.url("/html.xml"))
    poll(db, settings, now=NOW)
    for feed in (bad, html):
        row = feed_row(db, feed)
        assert row.failures == 1 and row.last_error and row.last_error.startswith("not a readable RSS/Atom feed")
    assert articles(db) == []


def test_entity_bomb_and_external_entity_feeds_are_rejected(web, db, settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    web.routes["/bomb.xml"] = Route(BOMB, content_type="application/rss+xml")
    web.routes["/xxe.xml"] = Route(_xxe(web.url("/stolen")), content_type="application/rss+xml")
    web.routes["/xxe-file.xml"] = Route(_xxe(secret.as_uri()), content_type="application/rss+xml")
    ids = [add(db, web.url(p)) for p in ("/bomb.xml", "/xxe.xml", "/xxe-file.xml")]
    tracemalloc.start()
    try:
        poll(db, settings, now=NOW)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000
    for feed in ids:
        assert "refused" in (feed_row(db, feed).last_error or "")
    assert web.requests_to("/stolen") == []  # the external entity was never fetched
    assert articles(db) == [] and all("TOP-SECRET" not in (r.last_error or "") for r in map(lambda f: feed_row(db, f), ids))


def test_a_50_mb_body_is_capped_while_streaming(web, db, settings):
    def fifty_mb() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title><description>'
        for _ in range(50 * 16):
            yield b"x" * 65536
        yield b"</description></channel></rss>"

    web.routes["/big.xml"] = Route(fifty_mb, content_type="application/rss+xml")
    web.routes["/big-declared.xml"] = Route(b"x" * (CAP + 1), content_type="application/rss+xml")
    big, declared = add(db, web.url("/big.xml")), add(db, web.url("/big-declared.xml"))
    tracemalloc.start()
    try:
        report = poll(db, settings, now=NOW)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "too large: more than 1,000,000 bytes" in (feed_row(db, big).last_error or "")
    assert "too large: 1,000,001 bytes declared" in (feed_row(db, declared).last_error or "")
    assert report.traffic.bytes < 50_000_000 // 4  # stopped early, not read to the end
    assert peak < 20_000_000


def test_a_redirect_loop_stops(web, db, settings):
    web.routes["/loop-a"] = Route(status=302, redirect="/loop-b")
    web.routes["/loop-b"] = Route(status=302, redirect="/loop-a")
    web.routes["/moved.xml"] = Route(status=301, redirect="/f.xml")
    serve_feed(web, "/f.xml", [Item("One", web.url("/1"), content=story(1))])
    loop, moved = add(db, web.url("/loop-a")), add(db, web.url("/moved.xml"))
    poll(db, settings, now=NOW)
    assert "more than 3 redirects" in (feed_row(db, loop).last_error or "")
    assert len(web.requests_to("/loop-a")) + len(web.requests_to("/loop-b")) == 4  # the first and 3 redirects
    assert feed_row(db, moved).articles_stored == 1


def test_a_page_in_a_non_utf8_charset_is_decoded(web, db, settings):
    text = story(3).replace("Varga", "Vargaová").replace("Fishermen", "Rybári a rybárky — «Fishermen»")
    web.routes["/cz"] = Route(page("Přístav v Selmouthu", text, charset="windows-1250"),
                              content_type="text/html; charset=windows-1250")
    web.routes["/ru"] = Route(page("Причал", "Причал откроется в мае. " * 20, charset="koi8-r"),
                              content_type="text/html")  # only the page's <meta charset> says so
    add(db, serve_feed(web, "/f.xml", [Item("Přístav", web.url("/cz"), summary="…"),
                                      Item("Причал", web.url("/ru"), summary="…")]))
    assert poll(db, settings, now=NOW).stored == 2
    texts = {r.url: r.text for r in articles(db)}
    assert "Vargaová" in texts[web.url("/cz")] and "«Fishermen»" in texts[web.url("/cz")]
    assert "Причал откроется в мае." in texts[web.url("/ru")]


def test_robots_txt_disallowing_pages_is_honoured(web, db, settings):
    web.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    web.routes["/private/p"] = Route(page("Private", story(4)))
    web.routes["/public/p"] = Route(page("Public", story(5)))
    feed = add(db, serve_feed(web, "/f.xml", [Item("Private", web.url("/private/p"), summary="s"),
                                              Item("Public", web.url("/public/p"), summary="s")]))
    report = poll(db, settings, now=NOW)
    assert web.requests_to("/private/p") == [] and len(web.requests_to("/public/p")) == 1
    assert len(web.requests_to("/robots.txt")) == 1
    assert report.stored == 1 and report.feeds[0].pending == 1
    pending = [i for i in items(db) if i.status == "pending"]
    assert [i.error for i in pending] == ["robots.txt disallows fetching the page"]
    assert feed_row(db, feed).enabled  # the feed itself is fine


def test_a_failed_page_is_retried_next_poll_and_never_stored_half(web, db, settings):
    web.routes["/p"] = Route(b"busy", status=503)
    url = serve_feed(web, "/f.xml", [Item("Pier", web.url("/p"), summary="The pier will open in May…")], etag='"1"')
    add(db, url)
    first = poll(db, settings, now=NOW)
    assert first.stored == 0 and first.feeds[0].pending == 1 and articles(db) == []  # not the summary alone
    web.routes["/p"] = Route(page("Pier", story(6)))
    second = poll(db, settings, now=NOW + timedelta(hours=1))  # the feed answers 304; the page is retried
    assert second.feeds[0].status == "not modified" and second.stored == 1
    assert [i.status for i in items(db)] == ["stored"] and items(db)[0].attempts == 2


def test_a_page_that_keeps_failing_is_given_up(web, db, settings):
    web.routes["/p"] = Route(b"<html><body>tiny</body></html>")  # no article in it
    add(db, serve_feed(web, "/f.xml", [Item("Pier", web.url("/p"), summary="s")]))
    for n in range(settings.feed_page_attempts):
        poll(db, settings, now=NOW + timedelta(hours=n), every=True)
    row = items(db)[0]
    assert row.status == "failed" and row.attempts == settings.feed_page_attempts and "no article text" in row.error
    poll(db, settings, now=NOW + timedelta(days=1), every=True)
    assert len(web.requests_to("/p")) == settings.feed_page_attempts


def test_per_host_concurrency_is_bounded(web, db, settings):
    for n in range(6):
        web.routes[f"/p{n}"] = Route(page(f"Story {n}", story(10 + n)), delay=0.2)
    add(db, serve_feed(web, "/f.xml", [Item(f"Story {n}", web.url(f"/p{n}"), summary="s") for n in range(6)]))
    limited = Settings(**{**settings.model_dump(), "feed_host_concurrency": 1})
    import threading

    active, peak, lock = [0], [0], threading.Lock()
    original = web._answer

    def counting(handler, route, headers):  # noqa: ANN001, ANN202
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            return original(handler, route, headers)
        finally:
            with lock:
                active[0] -= 1

    web._answer = counting  # type: ignore[method-assign]
    assert poll(db, limited, now=NOW).stored == 6
    assert peak[0] == 1


def test_removing_a_feed_keeps_its_articles(web, db, settings):
    feed = add(db, serve_feed(web, "/f.xml", [Item("One", web.url("/1"), content=story(1))]))
    poll(db, settings, now=NOW)
    with db.transaction() as session:
        assert feeds.remove_feed(session, feed) is not None
        assert session.scalar(select(func.count()).select_from(feeds.FeedItem)) == 0
    assert len(articles(db)) == 1


def test_the_scheduler_polls_feeds_every_n_minutes(web, db, settings):
    import threading

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
    from apscheduler.schedulers.background import BackgroundScheduler

    from briefing.digest.schedule import POLL_JOB_ID, add_poll_job

    add(db, serve_feed(web, "/f.xml", [Item("One", web.url("/1"), content=story(1))]))
    scheduler = BackgroundScheduler(timezone=UTC)
    add_poll_job(scheduler, db, settings, 15)
    job = scheduler.get_job(POLL_JOB_ID)
    assert str(job.trigger) == "interval[0:15:00]" and job.coalesce and job.max_instances == 1
    done, results = threading.Event(), []
    scheduler.add_listener(lambda e: (results.append(e), done.set()), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()  # the first poll runs at once
    try:
        assert done.wait(30)
    finally:
        scheduler.shutdown()
    assert results[0].exception is None and len(articles(db)) == 1


def test_private_addresses_are_refused_unless_allowed(web, db, settings):
    web.routes["/f.xml"] = Route(rss("t", [Item("One", web.url("/1"), content=story(1))]))
    feed = add(db, web.url("/f.xml"))
    strict = Settings(**{**settings.model_dump(), "feed_allow_private_hosts": False})
    poll(db, strict, now=NOW)
    assert "refused: 127.0.0.1 resolves to a non-public address" in (feed_row(db, feed).last_error or "")
    assert web.hits == [] and articles(db) == []


def test_entries_per_poll_are_capped(web, db, settings):
    add(db, serve_feed(web, "/f.xml", [Item(f"Story {n}", web.url(f"/{n}"), content=story(n)) for n in range(3)]))
    capped = Settings(**{**settings.model_dump(), "feed_max_entries": 2})
    report = poll(db, capped, now=NOW)
    assert report.stored == 2 and report.feeds[0].problems == ["the feed lists 3 entries; only the first 2 were read"]


def test_robots_txt_that_errors_means_no_pages_this_poll(web, db, settings):
    web.routes["/robots.txt"] = Route(b"down", status=503)
    web.routes["/p"] = Route(page("Pier", story(4)))
    add(db, serve_feed(web, "/f.xml", [Item("Pier", web.url("/p"), summary="s")]))
    assert poll(db, settings, now=NOW).feeds[0].pending == 1 and web.requests_to("/p") == []
    web.routes["/robots.txt"] = Route(b"", status=404)  # no rules: allowed
    assert poll(db, settings, now=NOW + timedelta(hours=1)).stored == 1


def test_atom_feeds_with_relative_links_and_html_content(web, db, settings):
    content = "".join(f"<p>{p}</p>" for p in story(9).split("\n\n")).replace("&", "&amp;").replace("<", "&lt;")
    web.routes["/atom.xml"] = Route(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title><id>urn:x</id><updated>2026-12-07T06:00:00Z</updated>
<entry><title>Pier news</title><link href="/stories/9?utm_campaign=x"/><id>urn:9</id>
<updated>2026-12-07T05:00:00Z</updated><author><name>Ines Ro</name></author>
<content type="html">{content}</content></entry></feed>""".encode(), content_type="application/atom+xml")
    add(db, web.url("/atom.xml"))
    assert poll(db, settings, now=NOW).stored == 1
    [row] = articles(db)
    assert row.url == web.url("/stories/9") and row.outlet == "Atom Wire" and "update 9 of the story" in row.text
    assert row.published_at == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
