"""The digest job end to end: a real SMTP server on loopback, a real SQLite file, real articles.

Nothing of ours is patched: the SMTP server (aiosmtpd) is scripted to refuse, defer or
vanish, and the job has to cope.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from api.main import create_app
from briefing import processes, store
from briefing.config import ApiSettings, Settings
from briefing.digest import store_articles
from briefing.digest.run import RunOptions, run_digest
from briefing.digest.send import RetryPolicy
from briefing.errors import InputError
from briefing.ingest import read_paths
from briefing.models import Article
from briefing.store import digest as subs

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "evals" / "cases"
NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
DAY = date(2026, 11, 22)
FAST = RetryPolicy(attempts=3, wait=0)

SCRIPT = Article(
    id="selmouth-pier",
    title="<script>alert(1)</script>",
    outlet="<b>Selmouth Star</b>",
    url="javascript:alert(3)",
    text=(
        "<script>alert(1)</script>\n"
        "The Selmouth harbour authority said on Monday that the new deep-water pier would open in May. "
        "The pier cost 12 million euros and took three years to build, harbour master Ines Varga said. "
        "Varga said <img src=x onerror=alert(2)> the Selmouth pier would take ferries from June. "
        "Selmouth fishermen welcomed the pier, according to their association."
    ),
)

OLD = Article(
    id="old",
    title="Tidewater names new finance chief",
    outlet="Market Dispatch",
    text=(
        "Tidewater Freight Systems said on Thursday that Marta Ilves would become its chief financial "
        "officer in January. Ilves joins from a rail operator, the company said in a statement. "
        "Tidewater shares rose 2 percent after the announcement."
    ),
)


# ---------------------------------------------------------------- a scriptable SMTP server


@dataclass
class Inbox:
    """aiosmtpd handler: keeps what it accepts; replies to RCPT as scripted per address."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    defer: dict[str, list[str]] = field(default_factory=dict)  # address -> replies to give first
    refuse: dict[str, str] = field(default_factory=dict)  # address -> permanent reply
    vanish_at: str | None = None  # on RCPT of this address the server stops listening
    rcpts: list[str] = field(default_factory=list)
    controller: Controller | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201
        self.rcpts.append(address)
        if address == self.vanish_at and self.controller is not None:
            self.controller.server.close()  # no new connections from here on
            return "421 4.3.2 Service shutting down"
        queue = self.defer.get(address)
        if queue:
            return queue.pop(0)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        msg = message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 2.0.0 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]

    @property
    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


class LoopbackSMTP(Controller):
    """aiosmtpd on 127.0.0.1 with an ephemeral port (read back once it listens)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = LoopbackSMTP(handler, hostname="127.0.0.1", port=0)
    handler.controller = controller
    controller.start()
    yield handler
    controller.stop()


def settings_for(tmp_path: Path, inbox: Inbox) -> Settings:
    assert inbox.controller is not None
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'digest.db'}",
        smtp_host="127.0.0.1",
        smtp_port=inbox.controller.port,
        smtp_security="none",
        mail_from="Briefing <digest@briefing.test>",
    )


@pytest.fixture
def settings(tmp_path: Path, inbox: Inbox) -> Settings:
    return settings_for(tmp_path, inbox)


@pytest.fixture
def db(settings: Settings) -> Iterator[store.Database]:
    """A migrated SQLite file holding two stories' articles and the script-titled one."""
    database = store.Database(settings.resolved_database_url)
    database.migrate()
    articles = read_paths([str(CASES / "factory-fire"), str(CASES / "merger-closing-date")]).articles
    with database.transaction() as session:
        store.add_articles(session, [*articles, SCRIPT], now=NOW - timedelta(hours=3))
        store.add_articles(session, [OLD], now=NOW - timedelta(days=3))  # not in today's window
    yield database
    database.dispose()


def subscribe(db: store.Database, email: str, topics: str = "", **kwargs: object) -> subs.Subscriber:
    with db.transaction() as session:
        return subs.add_subscriber(session, email, topics=topics, **kwargs)[0]  # type: ignore[arg-type]


def run(db: store.Database, settings: Settings, now: datetime = NOW, **options: object):  # noqa: ANN201
    return run_digest(db, settings=settings, now=now, options=RunOptions(retry=FAST, **options))  # type: ignore[arg-type]


def delivery(db: store.Database, email: str, day: date = DAY) -> subs.Delivery | None:
    with db.transaction() as session:
        row = subs.find_subscriber(session, email)
        return None if row is None else subs.get_delivery(session, row.id, day)


def statuses(report) -> dict[str, str]:  # noqa: ANN001
    return {o.email: o.status for o in report.outcomes}


@pytest.fixture
def three(db: store.Database) -> store.Database:
    subscribe(db, "ada@example.com", name="Ada")  # every story
    subscribe(db, "bo@example.com", topics="Tidewater, volcano")  # the merger only
    subscribe(db, "cy@example.com", topics="volcano")  # nothing today
    return db


# ---------------------------------------------------------------- the message


def test_one_message_per_matching_subscriber(three, settings, inbox):
    report = run(three, settings)

    assert statuses(report) == {"ada@example.com": "sent", "bo@example.com": "sent", "cy@example.com": "nothing to send"}
    assert inbox.recipients == ["ada@example.com", "bo@example.com"]
    assert report.articles == 8  # the window holds today's 8, not the 3-day-old one
    ada, bo = inbox.to("ada@example.com")[0], inbox.to("bo@example.com")[0]
    assert ada["Subject"] == "Your briefing — 22 Nov 2026: " + subject_story(ada)
    assert "Tidewater" in bo["Subject"] and bo["Subject"].startswith("Your briefing — 22 Nov 2026: ")
    assert ada["To"] == "Ada <ada@example.com>" and ada["From"] == "Briefing <digest@briefing.test>"
    assert ada["Message-ID"] == f"<digest.20261122.{delivery(three, 'ada@example.com').subscriber_id}@briefing.test>"
    for msg in (ada, bo):
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert ada.get_body(("html",)).get_content().count("Story ") >= 3
    bo_html = bo.get_body(("html",)).get_content()
    assert "Tidewater" in bo_html and "Lessington" not in bo_html  # topics pick the story
    row = delivery(three, "ada@example.com")
    assert row.status == "sent" and row.attempts == 1 and len(row.stories) == 3
    assert delivery(three, "cy@example.com") is None  # nothing sent, nothing logged


def subject_story(msg: EmailMessage) -> str:
    html = msg.get_body(("html",)).get_content()
    return re.search(r"<h2[^>]*>(.*?)</h2>", html, re.S).group(1).replace("&#39;", "'")


def test_article_text_arrives_inert(three, settings, inbox):
    run(three, settings)
    msg = inbox.to("ada@example.com")[0]
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()

    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not run
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "javascript:" not in html  # only http(s) URLs become links
    assert {urlsplit(h).scheme for h in re.findall(r'href="([^"]+)"', html)} == {"http", "https"}
    assert "<script>alert(1)</script>" in text  # the text part is text: shown as written


def test_unsubscribe_headers_and_links_work(three, settings, inbox):
    run(three, settings.model_copy(update={"public_url": "https://news.example.org/"}))
    ada, bo = inbox.to("ada@example.com")[0], inbox.to("bo@example.com")[0]
    header = ada["List-Unsubscribe"].strip()  # long: folded onto its own line
    assert re.fullmatch(r"<https://news\.example\.org/unsubscribe/[\w-]{20,}>", header)
    assert ada["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    visible = re.search(r'<a href="([^"]+)"[^>]*>Unsubscribe</a>', ada.get_body(("html",)).get_content()).group(1)
    assert f"<{visible}>" == header
    assert visible in ada.get_body(("plain",)).get_content()

    with TestClient(create_app(settings.model_copy(update={"api": ApiSettings(job_workers=0, build_processes=0)}))) as client:
        page = client.get(urlsplit(visible).path)  # the link in the email
        again = client.get(urlsplit(visible).path)  # idempotent
        one_click = client.post(urlsplit(bo["List-Unsubscribe"].strip().strip("<>")).path,
                                content="List-Unsubscribe=One-Click",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        unknown = client.get("/unsubscribe/not-a-token")
    assert page.status_code == again.status_code == one_click.status_code == 200
    assert "You are unsubscribed" in page.text and "a••@example.com" in page.text
    assert unknown.status_code == 404

    with three.transaction() as session:
        assert not subs.find_subscriber(session, "ada@example.com").active
        assert not subs.find_subscriber(session, "bo@example.com").active
    tomorrow = run(three, settings, now=NOW + timedelta(days=1))
    assert [o.email for o in tomorrow.outcomes] == ["cy@example.com"]
    assert len(inbox.messages) == 2


# ---------------------------------------------------------------- idempotence and resume


def test_running_twice_sends_nothing_twice(three, settings, inbox):
    run(three, settings)
    with three.transaction() as session:
        subs.remove_subscriber(session, "cy@example.com")  # the one with nothing to send
    second = run(three, settings, now=NOW + timedelta(minutes=20))

    assert statuses(second) == {"ada@example.com": "already sent", "bo@example.com": "already sent"}
    assert second.stories == 0  # skipped before any work: no story was even clustered
    assert inbox.recipients == ["ada@example.com", "bo@example.com"]
    with three.transaction() as session:
        assert len(subs.list_deliveries(session, day=DAY)) == 2


def test_one_delivery_row_and_one_claim_per_subscriber_and_day(three):
    from sqlalchemy.exc import IntegrityError

    with three.transaction() as session:
        sub = subs.find_subscriber(session, "ada@example.com")
        row = subs.ensure_delivery(session, sub.id, DAY)
        assert subs.ensure_delivery(session, sub.id, DAY).id == row.id
    with three.transaction() as session:  # two runs racing for it: one wins
        assert subs.claim_delivery(session, row.id, now=NOW)
    with three.transaction() as session:
        assert not subs.claim_delivery(session, row.id, now=NOW)
    with pytest.raises(IntegrityError), three.transaction() as session:
        session.add(subs.Delivery(subscriber_id=sub.id, digest_date=DAY, status="pending", attempts=0))
        session.flush()


def test_a_run_cut_short_by_4xx_is_resumed_by_the_next(three, settings, inbox):
    inbox.defer["bo@example.com"] = ["451 4.3.0 Mailbox busy, try later"] * 3  # all of run 1's tries

    first = run(three, settings)
    assert statuses(first)["bo@example.com"] == "deferred"
    assert inbox.recipients == ["ada@example.com"]
    row = delivery(three, "bo@example.com")
    assert (row.status, row.attempts, row.smtp_code) == ("pending", 3, 451)
    assert "451 4.3.0 Mailbox busy" in row.error

    # The hourly cron an hour later: bo's send hour has passed, but their digest is unfinished.
    second = run(three, settings, now=NOW + timedelta(hours=1), due=True)
    assert statuses(second) == {"bo@example.com": "sent"}
    assert inbox.recipients == ["ada@example.com", "bo@example.com"]
    assert delivery(three, "bo@example.com").attempts == 4


def test_a_run_whose_server_vanishes_stops_and_the_next_sends_the_rest(three, settings, inbox, tmp_path):
    subscribe(three, "dee@example.com", topics="Lessington")
    inbox.vanish_at = "bo@example.com"

    first = run(three, settings)
    assert statuses(first) == {"ada@example.com": "sent", "bo@example.com": "deferred",
                               "cy@example.com": "not attempted", "dee@example.com": "not attempted"}
    assert first.stopped and "127.0.0.1" in first.stopped
    assert inbox.recipients == ["ada@example.com"]
    assert delivery(three, "bo@example.com").status == "pending"
    assert delivery(three, "dee@example.com") is None

    replacement = Inbox()
    controller = LoopbackSMTP(replacement, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        second = run_digest(three, settings=settings_for(tmp_path, _with(replacement, controller)), now=NOW,
                            options=RunOptions(retry=FAST))
    finally:
        controller.stop()
    assert statuses(second)["ada@example.com"] == "already sent"
    assert replacement.recipients == ["bo@example.com", "dee@example.com"]


def _with(handler: Inbox, controller: Controller) -> Inbox:
    handler.controller = controller
    return handler


def test_a_transient_reply_is_retried_within_the_run(three, settings, inbox):
    inbox.defer["bo@example.com"] = ["451 4.7.1 Greylisted, come back later", "421 4.3.0 Busy"]

    report = run(three, settings)

    assert statuses(report)["bo@example.com"] == "sent"
    assert inbox.rcpts.count("bo@example.com") == 3
    assert len(inbox.to("bo@example.com")) == 1
    row = delivery(three, "bo@example.com")
    assert (row.status, row.attempts) == ("sent", 3)


def test_a_permanent_refusal_is_recorded_and_never_retried(three, settings, inbox):
    inbox.refuse["bo@example.com"] = "550 5.1.1 No such user here"

    first = run(three, settings)
    second = run(three, settings, now=NOW + timedelta(hours=2))

    assert statuses(first)["bo@example.com"] == "failed"
    assert statuses(second)["bo@example.com"] == "failed earlier"
    assert inbox.rcpts.count("bo@example.com") == 1  # one try, not one per retry or run
    row = delivery(three, "bo@example.com")
    assert (row.status, row.smtp_code, row.attempts) == ("failed", 550, 1)
    assert "550 5.1.1 No such user here" in row.error
    with three.transaction() as session:
        assert subs.find_subscriber(session, "bo@example.com").hard_bounces == 1


def test_repeated_hard_bounces_deactivate_the_subscriber(three, settings, inbox):
    inbox.refuse["bo@example.com"] = "550 5.1.1 No such user here"
    for days in range(3):  # the same stored articles, three days running
        run(three, settings, now=NOW + timedelta(days=days), since=NOW - timedelta(hours=4), bounce_limit=2)

    assert inbox.rcpts.count("bo@example.com") == 2  # day 3: no longer mailed
    with three.transaction() as session:
        bo = subs.find_subscriber(session, "bo@example.com")
        assert not bo.active and bo.hard_bounces == 2
        assert bo.deactivated_reason.startswith("2 hard bounces; last: recipient refused: 550")


@pytest.mark.parametrize(
    ("claimed_ago", "stale_after", "expected", "mailed"),
    [
        (timedelta(hours=2), timedelta(minutes=30), "sent", True),  # at-least-once: a crashed run's row
        (timedelta(minutes=5), timedelta(minutes=30), "in progress", False),  # maybe still being sent
        (timedelta(hours=2), None, "in progress", False),  # at-most-once: never re-sent
    ],
)
def test_a_stale_sending_row(three, settings, inbox, claimed_ago, stale_after, expected, mailed):
    with three.transaction() as session:  # a run that claimed ada's digest and died
        ada = subs.find_subscriber(session, "ada@example.com")
        row = subs.ensure_delivery(session, ada.id, DAY)
        assert subs.claim_delivery(session, row.id, now=NOW - claimed_ago)

    report = run(three, settings, stale_after=stale_after)

    assert statuses(report)["ada@example.com"] == expected
    assert bool(inbox.to("ada@example.com")) is mailed


# ---------------------------------------------------------------- who and when


def test_due_picks_subscribers_by_their_local_hour(db, settings, inbox):
    subscribe(db, "tokyo@example.com", timezone="Asia/Tokyo", send_hour=16)  # 07:00 UTC = 16:00 JST
    subscribe(db, "vienna@example.com", timezone="Europe/Vienna", send_hour=7)  # 08:00 there
    subscribe(db, "utc@example.com", timezone="UTC", send_hour=7)

    report = run(db, settings, due=True)

    assert statuses(report) == {"tokyo@example.com": "sent", "utc@example.com": "sent"}
    assert delivery(db, "tokyo@example.com").digest_date == DAY
    assert inbox.recipients == ["tokyo@example.com", "utc@example.com"]


def test_dry_run_writes_eml_files_and_sends_nothing(three, settings, inbox, tmp_path):
    out = tmp_path / "eml"
    report = run(three, settings, dry_run=out, to="Ada@Example.com")

    assert statuses(report) == {"ada@example.com": "written"}
    files = sorted(p.name for p in out.iterdir())
    assert files == ["2026-11-22_ada_at_example.com.eml"]
    msg = message_from_bytes((out / files[0]).read_bytes(), policy=default_policy)
    assert msg.get_content_type() == "multipart/alternative"
    assert inbox.messages == [] and delivery(three, "ada@example.com") is None


def test_date_and_since_choose_the_window(three, settings, inbox):
    report = run(three, settings, day=date(2026, 11, 19), to="bo@example.com")
    assert report.until == datetime(2026, 11, 20, tzinfo=UTC)
    assert statuses(report) == {"bo@example.com": "sent"}  # the 3-day-old Tidewater article
    assert delivery(three, "bo@example.com", date(2026, 11, 19)).stories[0]["articles"] == [
        "a_" + store.content_hash(OLD.text)[:24]
    ]
    later = run(three, settings, since=NOW - timedelta(hours=1), to="ada@example.com")
    assert later.articles == 0 and statuses(later) == {"ada@example.com": "nothing to send"}


def test_a_story_already_sent_is_not_sent_again_without_news(three, settings, inbox):
    wide = NOW - timedelta(hours=4)
    run(three, settings, to="bo@example.com")
    # Tomorrow's window still holds yesterday's articles (a wide --since): nothing new for bo.
    same = run(three, settings, now=NOW + timedelta(days=1), since=wide, to="bo@example.com")
    assert statuses(same) == {"bo@example.com": "nothing to send"}

    with three.transaction() as session:  # news on the merger: the story comes back
        store.add_articles(session, [Article(
            id="vote", title="Tidewater shareholders approve Kessel deal", outlet="Harbor Business Journal",
            text="Tidewater Freight shareholders approved the sale to Kessel Logistics on Tuesday. "
                 "Kessel said the Tidewater deal would close on November 15, as planned by Kessel.")],
            now=NOW + timedelta(hours=20))
    news = run(three, settings, now=NOW + timedelta(days=1), since=wide, to="bo@example.com")
    assert statuses(news) == {"bo@example.com": "sent"}
    assert len(inbox.to("bo@example.com")) == 2


def test_the_hourly_tick_and_the_scheduler(three, settings, inbox):
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
    from apscheduler.schedulers.background import BackgroundScheduler

    from briefing.digest.schedule import JOB_ID, add_digest_job, tick

    report = tick(three, settings, RunOptions(retry=FAST), now=NOW + timedelta(hours=1))
    assert report.outcomes == []  # 08:00 UTC: nobody's hour

    scheduler = BackgroundScheduler(timezone=UTC)
    add_digest_job(scheduler, three, settings, RunOptions(retry=FAST))
    job = scheduler.get_job(JOB_ID)
    assert str(job.trigger) == "cron[minute='0']"
    assert job.coalesce and job.max_instances == 1

    # Started for real and fired at once: it runs with the real clock, so move the
    # subscribers' hour to now (and the articles into the last day) first.
    now = datetime.now(UTC)
    with three.transaction() as session:
        for sub in subs.list_subscribers(session):
            sub.send_hour = now.hour
        store.add_articles(session, [OLD.model_copy(update={"text": OLD.text + " Shares rose again."})],
                           now=now - timedelta(minutes=5))
    done = threading.Event()
    results = []
    scheduler.add_listener(lambda e: (results.append(e), done.set()), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))
        assert done.wait(30)
    finally:
        scheduler.shutdown()
    assert results[0].exception is None
    if datetime.now(UTC).hour != now.hour:
        pytest.skip("the hour turned while the scheduler ran")
    assert "bo@example.com" in inbox.recipients  # the Tidewater story, sent by the scheduler


# ---------------------------------------------------------------- header injection (issue 17 F1)

INJECTION = (
    "=?utf-8?q?=0D=0AReply-To:_evil@attacker.test=0D=0AX-Injected:_yes=0D=0A=0D=0AInjected_body_text?="
)


def assert_not_injected(msg: EmailMessage) -> None:
    """No header the attacker wrote, and the body is the digest."""
    assert msg["Reply-To"] is None and msg["X-Injected"] is None
    assert msg.get_content_type() == "multipart/alternative"
    assert "Injected body text" not in msg.get_body(("plain",)).get_content().split("\n", 1)[0]
    assert "Unsubscribe" in msg.get_body(("html",)).get_content()
    for name, value in msg.items():
        assert "\r" not in value and "\n" not in value.strip(), name


def test_a_name_made_of_encoded_words_is_refused_and_a_stored_one_is_sent_as_plain_text(db, settings, inbox):
    with pytest.raises(InputError, match="encoded words"):
        subscribe(db, "eve@example.com", name=INJECTION)
    with db.transaction() as session:  # a row stored before names were checked
        row, _ = subs.add_subscriber(session, "eve@example.com")
        row.name = INJECTION

    report = run(db, settings)

    assert statuses(report) == {"eve@example.com": "sent"}
    [msg] = inbox.to("eve@example.com")
    assert_not_injected(msg)
    assert msg["To"].addresses[0].addr_spec == "eve@example.com"
    assert msg["To"].addresses[0].display_name == "Reply-To: evil@attacker.test X-Injected: yes Injected body text"


@pytest.mark.parametrize("via", ["ingest --store", "POST /v1/articles"])
def test_an_article_title_cannot_end_the_subject(settings, inbox, via):
    # inside a headline-shaped title, so it is chosen as the briefing's title (a lone
    # encoded word is no headline: the text's own headline would title the briefing)
    title = "Plant fire =?utf-8?q?=0D=0AReply-To:_evil@attacker.test=0D=0AX-Injected:_yes?= latest"
    assert len(title) < 90  # short enough to reach the Subject whole
    articles = [a.model_copy(update={"title": title}) for a in read_paths([str(CASES / "factory-fire")]).articles]
    database = store.Database(settings.resolved_database_url)
    database.migrate()
    try:
        if via == "ingest --store":
            store_articles(articles, settings, now=NOW - timedelta(hours=3))
        else:
            with TestClient(create_app(settings.model_copy(update={"api": ApiSettings(job_workers=0, build_processes=0)}))) as client:
                with database.transaction() as session:
                    token = store.create_key(session, "feeds")[1]
                body = {"articles": [{"title": a.title, "text": a.text, "outlet": a.outlet} for a in articles]}
                answer = client.post("/v1/articles", json=body, headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code == 201, answer.text
            with database.transaction() as session:  # as if posted three hours before the run
                for row in store.list_articles(session):
                    row.ingested_at = NOW - timedelta(hours=3)
        subscribe(database, "ada@example.com", name="Ada")
        run(database, settings)
        [msg] = inbox.to("ada@example.com")
        assert_not_injected(msg)
        assert msg["Subject"].startswith("Your briefing — 22 Nov 2026: ")
        assert "Reply-To: evil@attacker.test" in msg["Subject"]  # shown as words, not obeyed
        assert delivery(database, "ada@example.com").subject == msg["Subject"]
    finally:
        database.dispose()


# ---------------------------------------------------------------- a run killed mid-send (issue 17 F6)


@dataclass
class HoldingInbox(Inbox):
    """Holds the first DATA for `hold` open until `released`, then refuses it (never delivered)."""

    hold: str | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        if self.hold in envelope.rcpt_tos and not self.reached.is_set():
            self.reached.set()
            while not self.released.is_set():  # the event loop keeps serving other sessions
                await asyncio.sleep(0.02)
            return "451 4.3.0 connection gone"
        return await super().handle_DATA(server, session, envelope)


def test_a_run_killed_mid_send_is_finished_by_the_next_run_at_once(three, settings, tmp_path):
    inbox = HoldingInbox(hold="ada@example.com")
    controller = LoopbackSMTP(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    inbox.controller = controller
    try:
        env = os.environ | {
            "BRIEFING_DATA_DIR": str(tmp_path),
            "BRIEFING_DATABASE_URL": settings.resolved_database_url,
            "BRIEFING_SMTP_HOST": "127.0.0.1",
            "BRIEFING_SMTP_PORT": str(controller.port),
            "BRIEFING_SMTP_SECURITY": "none",
            "BRIEFING_MAIL_FROM": settings.mail_from,
            "BRIEFING_LOCAL_MODEL": "off",
        }
        cron = subprocess.Popen(  # `briefing digest run` for 22 Nov, as cron would start it
            [sys.executable, "-c", "from briefing.cli import main; main()", "digest", "run", "--date", str(DAY)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        try:
            assert inbox.reached.wait(120), cron.communicate(timeout=5)[0]  # mid-send to ada
        finally:
            cron.send_signal(signal.SIGKILL)
            cron.wait()
        inbox.released.set()
        row = delivery(three, "ada@example.com")
        assert row.status == "sending" and row.claimed_by.split(":")[1] == str(cron.pid)

        rerun = run_digest(three, settings=settings_for(tmp_path, inbox), now=NOW, options=RunOptions(retry=FAST))
    finally:
        controller.stop()

    assert statuses(rerun) == {"ada@example.com": "sent", "bo@example.com": "sent", "cy@example.com": "nothing to send"}
    assert len(inbox.to("ada@example.com")) == 1 and len(inbox.to("bo@example.com")) == 1
    assert delivery(three, "ada@example.com").status == "sent"


@pytest.mark.parametrize(
    ("holder", "stale_after", "expected"),
    [
        ("dead", timedelta(minutes=30), "sent"),  # same host, process gone: taken over at once
        ("dead", None, "in progress"),  # at-most-once: never re-sent, dead owner or not
        ("other-host", timedelta(minutes=30), "in progress"),  # cannot tell: the stale window decides
        ("alive", timedelta(minutes=30), "in progress"),  # a live run still sending it
    ],
)
def test_a_sending_row_is_taken_over_only_from_a_dead_process(three, settings, inbox, holder, stale_after, expected):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid is gone
    owners = {
        "dead": f"{socket.gethostname()}:{child.pid}:",
        "other-host": f"elsewhere.example:{child.pid}:",
        "alive": processes.this_process(),
    }
    with three.transaction() as session:
        ada = subs.find_subscriber(session, "ada@example.com")
        row = subs.ensure_delivery(session, ada.id, DAY)
        assert subs.claim_delivery(session, row.id, now=NOW - timedelta(minutes=1), owner=owners[holder])

    report = run(three, settings, stale_after=stale_after)

    assert statuses(report)["ada@example.com"] == expected
    assert len(inbox.to("ada@example.com")) == (expected == "sent")
    if expected == "in progress":
        assert owners[holder] in next(o.detail for o in report.outcomes if o.email == "ada@example.com")
