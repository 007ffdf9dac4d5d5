"""Feeds end to end: `briefing feeds poll`, then `briefing digest run`, a real SMTP server,
a real web server on 127.0.0.1 serving two feeds (one with full text, one with summaries
and pages), a real SQLite file. Also the feed commands and the /v1/feeds routes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api.main import create_app
from briefing import store
from briefing.cli import app
from briefing.config import ApiSettings, Settings, get_settings
from briefing.store.tables import StoredArticle

try:
    from fakes.feed_server import FeedServer, Item, Route, page, rss
    from test_digest import Inbox, inbox  # noqa: F401  (the loopback SMTP fixture)
except ModuleNotFoundError:
    from tests.fakes.feed_server import FeedServer, Item, Route, page, rss
    from tests.test_digest import Inbox, inbox  # noqa: F401  (the loopback SMTP fixture)

ROOT = Path(__file__).resolve().parent.parent
FIRE = ROOT / "evals" / "cases" / "factory-fire"
runner = CliRunner()


def body(name: str) -> tuple[str, str]:
    """A case article as (headline, text without the headline and masthead lines)."""
    lines = (FIRE / name).read_text().split("\n")
    text = "\n".join(lines).split("\n\n", 1)[1]
    return lines[0], text


@pytest.fixture
def web() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inbox: Inbox) -> Iterator[Settings]:
    assert inbox.controller is not None
    for key, value in {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}", "DATA_DIR": str(tmp_path),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(inbox.controller.port), "MAIL_FROM": "Briefing <digest@briefing.test>",
        "FEED_HOST_DELAY": "0", "FEED_READ_TIMEOUT": "2", "FEED_FULL_TEXT_CHARS": "400",
        "FEED_CONTACT_URL": "https://example.org/ops", "FEED_ALLOW_PRIVATE_HOSTS": "true",
    }.items():
        monkeypatch.setenv(f"BRIEFING_{key}", value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def serve_two_feeds(web: FeedServer) -> None:
    """The wire's feed carries whole articles; the local paper's only teasers, with pages."""
    (t1, b1), (t2, b2), (t3, b3), (t4, b4) = (body(n) for n in sorted(p.name for p in FIRE.glob("*.txt")))
    web.routes["/wire.xml"] = Route(
        rss("Northwire", [Item(t1, web.url("/wire/1"), summary=b1[:120], content=b1),
                          Item(t2, web.url("/wire/2"), summary=b2[:120], content=b2)]),
        content_type="application/rss+xml", etag='"wire-1"', gzip=True,
    )
    web.routes["/local.xml"] = Route(
        rss("Vardmark Local", [Item(t3, web.url("/news/gazette?utm_source=rss&utm_medium=feed"), summary=b3[:150] + "…"),
                               Item(t4, web.url("/news/radio#main"), summary=b4[:150] + "…")]),
        content_type="application/rss+xml", last_modified="Mon, 07 Dec 2026 05:00:00 GMT",
    )
    web.routes["/news/gazette"] = Route(page(t3, b3, outlet="Lessington Gazette", author="Astrid Melby"))
    web.routes["/news/radio"] = Route(page(t4, b4, outlet="Radio Vardmark News", author="RVN newsroom"))
    web.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /admin/\n", content_type="text/plain")


def test_feeds_poll_then_digest_run_delivers_the_story_from_fetched_pages(env, web, inbox):
    serve_two_feeds(web)
    assert invoke("feeds", "add", web.url("/wire.xml"), "--name", "Northwire")[0] == 0
    assert invoke("feeds", "add", web.url("/local.xml"), "--topics", "Lessington, local")[0] == 0
    assert invoke("subscribers", "add", "ada@example.com", "--name", "Ada", "--topics", "Lessington")[0] == 0

    code, out = invoke("feeds", "poll", "--once")
    assert code == 0, out
    assert "polled 2 feeds: 2 ok, 0 not modified, 0 failed; stored 4 new articles" in out
    db = store.Database(env.resolved_database_url)
    with db.transaction() as session:
        rows = {r.url: r for r in session.scalars(select(StoredArticle))}
    assert set(rows) == {web.url(p) for p in ("/wire/1", "/wire/2", "/news/gazette", "/news/radio")}
    assert rows[web.url("/wire/1")].outlet == "Northwire"  # the name given to the feed
    assert rows[web.url("/news/radio")].outlet == "Vardmark Local"  # the feed's own title
    assert "Hanna Rorvik" in rows[web.url("/news/radio")].text  # only on the page, not in the teaser

    code, out = invoke("digest", "run")
    assert code == 0, out
    assert re.search(r"ada@example.com\s+sent: 1 story", out)
    [msg] = inbox.to("ada@example.com")
    html = msg.get_body(("html",)).get_content()
    assert "Lessington" in msg["Subject"]
    assert "Vardmark Local" in html and "Northwire" in html  # cited from the page and from the full text
    links = {u for u in re.findall(r'href="([^"]+)"', html) if u.startswith(web.url("/"))}
    assert links <= {web.url(p) for p in ("/wire/1", "/wire/2", "/news/gazette", "/news/radio")}, links
    assert links & {web.url("/news/gazette"), web.url("/news/radio")}  # a point cites a fetched page

    # A second poll: 304s for both feeds, no page fetched again, nothing new stored.
    pages_before = len(web.requests_to("/news/gazette")) + len(web.requests_to("/news/radio"))
    code, out = invoke("feeds", "poll", "--once", "--all")
    assert code == 0 and "2 not modified" in out and "stored 0 new articles" in out
    assert [h.status for h in web.requests_to("/wire.xml")] == [200, 304]
    assert web.requests_to("/wire.xml")[1].headers["if-none-match"] == '"wire-1"'
    assert web.requests_to("/local.xml")[1].headers["if-modified-since"] == "Mon, 07 Dec 2026 05:00:00 GMT"
    assert [h.sent for h in web.requests_to("/local.xml")][1] == 0
    assert len(web.requests_to("/news/gazette")) + len(web.requests_to("/news/radio")) == pages_before
    with db.transaction() as session:
        assert len(list(session.scalars(select(StoredArticle)))) == 4

    # A re-run sends nothing twice.
    code, out = invoke("digest", "run")
    assert code == 0 and re.search(r"ada@example.com\s+already sent", out)
    assert len(inbox.messages) == 1

    code, out = invoke("feeds", "list")
    assert code == 0 and re.search(r"f_\w+  ok +Northwire  http://\S+/wire.xml\n", out)
    assert re.search(r"ok +Vardmark Local  http://\S+/local.xml\n +last success \d{4}-\d\d-\d\d \d\d:\d\d · items seen 2 · "
                     r"stored 2 · pages pending 0 · next poll \d{4}-\d\d-\d\d \d\d:\d\d · topics Lessington, local", out), out
    db.dispose()


def test_digest_run_polls_due_feeds_first_unless_told_not_to(env, web, inbox):
    serve_two_feeds(web)
    invoke("feeds", "add", web.url("/wire.xml"), "--name", "Northwire")
    invoke("subscribers", "add", "ada@example.com", "--topics", "Lessington")
    code, out = invoke("digest", "run", "--no-poll")
    assert code == 0 and web.hits == [] and "nothing to send" in out
    code, out = invoke("digest", "run")
    assert code == 0 and "stored 2 new articles" in out and re.search(r"ada@example.com\s+sent", out)


def test_feed_commands_report_health_and_errors(env, web, tmp_path):
    web.routes["/gone.xml"] = Route(b"gone", status=410)
    assert invoke("feeds", "add", "ftp://example.com/feed") == (1, "error: a feed URL must be http or https, not 'ftp'\n")
    code, out = invoke("feeds", "add", web.url("/gone.xml"), "--name", "Gone Daily")
    assert code == 0 and re.fullmatch(r"added http://127\.0\.0\.1:\d+/gone\.xml \(f_[0-9a-f]{16}\) as 'Gone Daily'\n", out)
    assert invoke("feeds", "add", web.url("/gone.xml"))[0] == 1
    code, out = invoke("feeds", "poll", "--once")
    assert code == 0 and "disabled" in out and "HTTP 410 Gone" in out
    code, out = invoke("feeds", "list")
    assert "disabled" in out and "HTTP 410 Gone" in out and "never (disabled)" in out

    opml = tmp_path / "subs.opml"
    opml.write_text(f"""<?xml version="1.0"?><opml version="2.0"><body><outline text="News">
      <outline text="Wire" xmlUrl="{web.url('/wire.xml')}"/><outline text="Dup" xmlUrl="{web.url('/gone.xml')}"/>
      <outline text="Bad" xmlUrl="gopher://x/"/></outline></body></opml>""")
    code, out = invoke("feeds", "import", str(opml))
    assert code == 0 and "added 1 feeds" in out and "2 skipped" in out
    assert invoke("feeds", "remove", web.url("/gone.xml"))[0] == 0
    assert invoke("feeds", "remove", "f_nope") == (1, "error: no feed 'f_nope'\n")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'api.db'}")
    with TestClient(create_app(settings.model_copy(update={"api": ApiSettings(job_workers=0, build_processes=0)}))) as test_client:
        db = store.Database(settings.resolved_database_url)
        with db.transaction() as session:
            token = store.create_key(session, "admin", admin=True)[1]
            plain = store.create_key(session, "plain")[1]
        db.dispose()
        yield test_client, {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {plain}"}


def test_feeds_api_add_list_delete_and_metrics(client):
    http, auth, plain = client
    assert http.get("/v1/feeds").status_code == 401
    refused = http.post("/v1/feeds", json={"url": "https://news.example.org/rss"}, headers=plain)
    assert refused.status_code == 403 and refused.json()["code"] == "admin_only"
    made = http.post("/v1/feeds", json={"url": "https://news.example.org/rss", "name": "Example", "topics": ["ports"]},
                     headers=auth)
    assert made.status_code == 201
    feed = made.json()
    assert feed["state"] == "new" and feed["id"].startswith("f_") and feed["topics"] == ["ports"]
    assert http.post("/v1/feeds", json={"url": "https://news.example.org/rss"}, headers=auth).status_code == 409
    for bad in ("ftp://news.example.org/rss", "javascript:alert(1)", "file:///etc/passwd", "not a url"):
        answer = http.post("/v1/feeds", json={"url": bad}, headers=auth)
        assert answer.status_code == 422, bad
        assert answer.json()["code"] == "invalid_request"
    listed = http.get("/v1/feeds", headers=auth).json()["feeds"]
    assert [f["url"] for f in listed] == ["https://news.example.org/rss"]
    assert http.get("/v1/feeds", headers=plain).json()["feeds"] == listed  # shared by the deployment
    assert http.delete(f"/v1/feeds/{feed['id']}", headers=plain).status_code == 403
    metrics = http.get("/metrics").text
    assert 'briefing_feeds{state="new"} 1.0' in metrics and "briefing_feed_articles_stored 0.0" in metrics
    assert http.delete(f"/v1/feeds/{feed['id']}", headers=auth).status_code == 204
    assert http.delete(f"/v1/feeds/{feed['id']}", headers=auth).status_code == 404
    assert json.loads(http.get("/v1/feeds", headers=auth).text) == {"feeds": []}
