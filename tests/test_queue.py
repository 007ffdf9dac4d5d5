"""Work through the task queue: real Redis, real PostgreSQL (or SQLite), real worker processes.

Each test starts `briefing worker` subprocesses against a Redis server and a database the
fixtures started on 127.0.0.1, enqueues through the same code the CLI and the API use, and
reads the outcome from the database and a real aiosmtpd server. A short heartbeat timeout
(BRIEFING_QUEUE_HEARTBEAT_SECONDS) makes a killed worker's tasks come back within seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

pytest.importorskip("dramatiq", reason="the `queue` extra (dramatiq[redis]) is not installed")
from sqlalchemy import func, select

from briefing import store
from briefing.config import ApiSettings, Settings
from briefing.digest.articles import load_window
from briefing.digest.compose import make_stories
from briefing.digest.queued import enqueue_run
from briefing.digest.run import RunOptions
from briefing.engines.base import BuildOptions
from briefing.ingest import read_paths
from briefing.models import Article
from briefing.queue.broker import actors, outstanding
from briefing.store import StoredArticle
from briefing.store import digest as subs
from briefing.store.batches import IngestBatch
from briefing.store.stories import StoryBriefing, story_hash

try:
    from servers import PostgresServer, RedisServer
    from test_api_e2e import serving
    from test_chain import ARTICLES, KEY, MAX_POINTS, Model
    from test_digest import CASES, DAY, NOW
except ModuleNotFoundError:
    from tests.servers import PostgresServer, RedisServer
    from tests.test_api_e2e import serving
    from tests.test_chain import ARTICLES, KEY, MAX_POINTS, Model
    from tests.test_digest import CASES, DAY, NOW



@dataclass
class CountingInbox:
    """aiosmtpd handler that counts a message only once it answered 250 to a live client;
    `delay` holds every DATA that long first, so a worker can be killed mid-send."""

    delay: float = 0.0
    received: list[str] = field(default_factory=list)
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    inflight: set[str] = field(default_factory=set)  # recipients whose DATA is being held

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        with self.lock:
            self.started += 1
            self.inflight.update(envelope.rcpt_tos)
        try:
            await asyncio.sleep(self.delay)
        finally:
            with self.lock:
                self.inflight.difference_update(envelope.rcpt_tos)
        if server.transport is None or server.transport.is_closing():
            return "451 4.3.0 client went away"  # the sender died: nothing was delivered
        with self.lock:
            self.received.extend(envelope.rcpt_tos)
        return "250 2.0.0 Message accepted"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.received)


class LoopbackSMTP(Controller):
    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp() -> Iterator[tuple[CountingInbox, int]]:
    handler = CountingInbox()
    controller = LoopbackSMTP(handler, hostname="127.0.0.1", port=0)
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    return postgres_server.new_database()


class Deployment:
    """The environment every process of one test deployment shares, and its workers."""

    def __init__(self, tmp_path: Path, redis: RedisServer, database_url: str, **extra: str) -> None:
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "BRIEFING_DATA_DIR": str(tmp_path),
            "BRIEFING_DATABASE_URL": database_url,
            "BRIEFING_BROKER_URL": redis.url(),
            "BRIEFING_QUEUE_NAMESPACE": "t" + uuid.uuid4().hex[:8],  # each test its own queue
            "BRIEFING_QUEUE_HEARTBEAT_SECONDS": "2",
            "BRIEFING_QUEUE_MAINTENANCE_PER_MILLION": "1000000",  # look for dead workers on every fetch
            "BRIEFING_QUEUE_MIN_BACKOFF_SECONDS": "0.2",
            "BRIEFING_QUEUE_MAX_BACKOFF_SECONDS": "1",
            "BRIEFING_LOCAL_MODEL": "off",
            **extra,
        }
        self.settings = Settings(**{k[len("BRIEFING_"):].lower(): v for k, v in self.env.items()
                                    if k.startswith("BRIEFING_") and not k.startswith("BRIEFING_API_")
                                    and k != "BRIEFING_LOCAL_MODEL"})
        self.db = store.Database(database_url)
        self.db.migrate()
        self.workers: list[subprocess.Popen[bytes]] = []
        self.actors = actors(self.settings)

    def start_worker(self, concurrency: int = 1) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"worker-{len(self.workers)}.log"
        out = log.open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-c", "from briefing.cli import app; app()", "worker", "--concurrency", str(concurrency)],
            env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        wait_for(lambda: b"worker ready" in log.read_bytes(), 60, f"worker {proc.pid} to start: {log}",
                 alive=proc)
        return proc

    def drain(self, seconds: float = 60) -> None:
        """Wait until every enqueued task has run and been acknowledged."""
        wait_for(lambda: outstanding(self.actors) == 0, seconds, "the queue to drain")

    def stop(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.actors.broker.close()
        self.db.dispose()


def wait_for(check: Callable[[], Any], seconds: float, what: str, alive: subprocess.Popen[bytes] | None = None) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"process exited with {alive.returncode} while waiting for {what}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def digest_ready(db: store.Database, emails: list[str]) -> None:
    """Two stories' articles in the window and one subscriber per address (every topic)."""
    articles = read_paths([str(CASES / "factory-fire"), str(CASES / "merger-closing-date")]).articles
    with db.transaction() as session:
        store.add_articles(session, articles, now=NOW - timedelta(hours=3))
        for email in emails:
            subs.add_subscriber(session, email)


def delivery_statuses(db: store.Database) -> dict[str, str]:
    with db.transaction() as session:
        rows = session.execute(select(subs.Subscriber.email, subs.Delivery.status).join(
            subs.Delivery, subs.Delivery.subscriber_id == subs.Subscriber.id))
        return {email: status for email, status in rows}


def enqueue_digest(dep: Deployment) -> list[str]:
    send = dep.actors.send_digest.send
    report = enqueue_run(dep.db, lambda sid, day, plan: send(sid, day, plan), settings=dep.settings, now=NOW,
                         options=RunOptions(day=DAY, stale_after=timedelta(minutes=30)))
    return [o.status for o in report.outcomes]


@pytest.fixture
def deployment_factory(tmp_path: Path, redis_server: RedisServer) -> Iterator[Callable[..., Deployment]]:
    made: list[Deployment] = []

    def make(database_url: str, **extra: str) -> Deployment:
        dep = Deployment(tmp_path, redis_server, database_url, **extra)
        made.append(dep)
        return dep

    yield make
    for dep in made:
        dep.stop()


def smtp_env(port: int) -> dict[str, str]:
    return {"BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(port), "BRIEFING_SMTP_SECURITY": "none",
            "BRIEFING_MAIL_FROM": "Briefing <digest@briefing.test>"}


# ---------------------------------------------------------------- digest


def story_rows(db: store.Database) -> list[StoryBriefing]:
    with db.transaction() as session:
        rows = list(session.scalars(select(StoryBriefing)))
        session.expunge_all()
        return rows


def sent_stories(db: store.Database) -> set[str]:
    """The content keys of the stories the delivery log says were mailed."""
    with db.transaction() as session:
        logged = session.scalars(select(subs.Delivery.stories).where(subs.Delivery.status == "sent")).all()
    return {story_hash(entry["articles"]) for stories in logged for entry in stories or []}


def test_digest_run_through_the_queue_mails_everyone_once_and_briefs_each_story_once(
    database_url, deployment_factory, smtp
):
    inbox, port = smtp
    dep = deployment_factory(database_url, **smtp_env(port))
    emails = [f"reader{n}@example.com" for n in range(6)]
    digest_ready(dep.db, emails)
    dep.start_worker()
    dep.start_worker()

    cli = subprocess.run(  # `digest run` with a broker only enqueues
        [sys.executable, "-c", "from briefing.cli import app; app()", "digest", "run", "--no-poll",
         "--date", DAY.isoformat()], env=dep.env, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert sorted(line.split()[1] for line in cli.stdout.splitlines()
                  if line.startswith(DAY.isoformat()) and line.endswith(" queued")) == emails
    assert cli.stdout.splitlines()[-1].endswith("stories are briefed by `briefing worker`; 6 queued")
    wait_for(lambda: delivery_statuses(dep.db) == dict.fromkeys(emails, "sent"), 60, "every delivery sent")
    # The same sends again (a task run twice, a second run): the delivery log says done.
    plan_again = enqueue_digest(dep)
    assert plan_again == ["already sent"] * 6
    with dep.db.transaction() as session:
        first = subs.find_subscriber(session, emails[0])
        assert first is not None
        again = dep.actors.send_digest.send(first.id, DAY.isoformat(), {
            "now": NOW.isoformat(), "since": (NOW - timedelta(hours=24)).isoformat(), "until": NOW.isoformat()})
    dep.drain()
    assert again.message_id
    assert inbox.counts() == Counter(emails)
    # Six subscribers got the same two stories; each was briefed once, by one claim.
    rows = story_rows(dep.db)
    assert len(rows) == 2
    assert {r.story_hash for r in rows} == sent_stories(dep.db)
    assert [(r.status, r.attempts, r.engine) for r in rows] == [("done", 1, "offline")] * 2
    assert all(r.result and r.result["points"] for r in rows)


def test_the_hourly_schedule_enqueues_with_a_broker(deployment_factory, tmp_path):
    from briefing.digest.schedule import tick

    dep = deployment_factory(f"sqlite:///{tmp_path / 'tick.db'}")
    digest_ready(dep.db, ["early@example.com"])
    with dep.db.transaction() as session:
        subs.add_subscriber(session, "late@example.com", send_hour=19)
    report = tick(dep.db, dep.settings, RunOptions(), now=NOW)  # 07:00 UTC: only the 7 o'clock reader
    assert [(o.email, o.status) for o in report.outcomes] == [("early@example.com", "queued")]
    assert outstanding(dep.actors) == 1  # waiting for a worker; nothing was sent here
    assert delivery_statuses(dep.db) == {}


def test_worker_killed_mid_send_the_other_finishes_everyone_mailed_once(pg_url, deployment_factory, smtp):
    inbox, port = smtp
    inbox.delay = 1.0  # each DATA takes a second: time to kill a worker inside one
    dep = deployment_factory(pg_url, **smtp_env(port))
    emails = [f"reader{n}@example.com" for n in range(5)]
    digest_ready(dep.db, emails)
    victim = dep.start_worker()
    dep.start_worker()

    enqueue_digest(dep)

    def victim_in_data() -> bool:
        with dep.db.transaction() as session:
            held = session.scalars(
                select(subs.Subscriber.email)
                .join(subs.Delivery, subs.Delivery.subscriber_id == subs.Subscriber.id)
                .where(subs.Delivery.status == "sending", subs.Delivery.claimed_by.contains(f":{victim.pid}:"))
            ).all()
        with inbox.lock:
            return any(email in inbox.inflight for email in held)

    wait_for(victim_in_data, 30, "the first worker to be inside an SMTP DATA")
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    wait_for(lambda: delivery_statuses(dep.db) == dict.fromkeys(emails, "sent"), 90, "the other worker to finish")
    assert inbox.counts() == Counter(emails)  # every subscriber exactly once
    assert inbox.started > len(emails)  # the killed worker's message was started and never counted


def test_worker_killed_mid_brief_the_story_is_briefed_again_and_everyone_mailed_once(
    pg_url, deployment_factory, smtp, fake_openai
):
    """The llm engine's first call hangs; the worker briefing the story is SIGKILLed inside
    it. Its row holds no result (nothing half-written); a fresh worker gets the redelivered
    tasks, takes the dead worker's claim over, briefs the story and mails everyone once."""
    inbox, port = smtp
    dep = deployment_factory(pg_url, **smtp_env(port), BRIEFING_LLM_BASE_URL=fake_openai.base_url,
                             OPENAI_API_KEY=KEY, BRIEFING_LLM_MODEL="gpt-4o-mini", BRIEFING_LLM_TIMEOUT="30",
                             BRIEFING_LLM_MAX_RETRIES="0")
    emails = [f"reader{n}@example.com" for n in range(3)]
    with dep.db.transaction() as session:
        store.add_articles(session, ARTICLES[:2], now=NOW - timedelta(hours=3))  # one story of two reports
        for email in emails:
            subs.add_subscriber(session, email)
        window = load_window(session, NOW - timedelta(hours=24), NOW)
    (story,) = make_stories(window, now=NOW, settings=dep.settings)  # as the workers will see it
    fake_openai.hang(20)  # the first worker's first call
    Model(fake_openai)  # then every call answered by its schema
    victim = dep.start_worker()
    send = dep.actors.send_digest.send
    enqueue_run(dep.db, lambda sid, day, plan: send(sid, day, plan), settings=dep.settings, now=NOW,
                options=RunOptions(day=DAY, build=BuildOptions(engine="llm", max_points=MAX_POINTS)))

    wait_for(lambda: fake_openai.completions, 60, "the story's first model call")
    (held,) = story_rows(dep.db)
    assert (held.status, held.attempts, held.result) == ("building", 1, None)
    assert f":{victim.pid}:" in (held.claimed_by or "")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    (left,) = story_rows(dep.db)
    assert (left.status, left.result) == ("building", None)  # nothing half-written

    dep.start_worker()
    wait_for(lambda: delivery_statuses(dep.db) == dict.fromkeys(emails, "sent"), 90, "the fresh worker to finish")
    dep.drain()
    (done,) = story_rows(dep.db)
    assert (done.status, done.attempts) == ("done", 2)
    assert done.result and done.result["points"] and done.result["stats"]["engine"] == "llm"
    assert inbox.counts() == Counter(emails)
    assert fake_openai.pending == 0  # the story was briefed once after the kill, not once per subscriber


# ---------------------------------------------------------------- llm job


def test_llm_briefing_job_through_the_queue(pg_url, deployment_factory, fake_openai):
    dep = deployment_factory(pg_url, BRIEFING_LLM_BASE_URL=fake_openai.base_url, OPENAI_API_KEY=KEY,
                             BRIEFING_LLM_MODEL="gpt-4o-mini", BRIEFING_LLM_TIMEOUT="5", BRIEFING_LLM_MAX_RETRIES="1")
    Model(fake_openai)  # answers every step by its schema
    with dep.db.transaction() as session:
        job = store.add_job(session, articles=ARTICLES, engine="llm", max_points=MAX_POINTS, request_hash="r1")
        job_id = job.id
        bad = store.add_job(session, articles=ARTICLES, engine="llm", max_points=MAX_POINTS, request_hash="r2").id
    dep.start_worker()
    dep.start_worker()
    options = BuildOptions(engine="llm", max_points=MAX_POINTS).model_dump(mode="json")  # typed, as JSON
    dep.actors.build_job.send(job_id, options)
    dep.actors.build_job.send(job_id, options)  # delivered twice: built once
    dep.actors.build_job.send(bad, {"engine": "gpt-5", "max_points": 0})  # refused by BuildOptions

    def finished() -> Any:
        with dep.db.transaction() as session:
            row = store.get_job(session, job_id)
            return row if row is not None and row.status in ("done", "failed") else None

    row = wait_for(finished, 60, "the job to finish")
    assert row.status == "done", row.error
    assert row.attempts == 1
    briefing = store.job_briefing(row)
    assert briefing is not None and briefing.points and briefing.stats.engine == "llm"
    dep.drain()
    assert fake_openai.pending == 0
    with dep.db.transaction() as session:
        refused = store.get_job(session, bad)
        assert refused is not None and refused.status == "failed"
        assert refused.error and refused.error.startswith("invalid build options") and "engine" in refused.error


def test_llm_briefing_requested_over_the_api_is_built_by_a_worker(pg_url, deployment_factory, fake_openai):
    from fastapi.testclient import TestClient

    from api.main import create_app

    dep = deployment_factory(pg_url, BRIEFING_LLM_BASE_URL=fake_openai.base_url, OPENAI_API_KEY=KEY,
                             BRIEFING_LLM_MODEL="gpt-4o-mini", BRIEFING_LLM_TIMEOUT="5", BRIEFING_LLM_MAX_RETRIES="1")
    Model(fake_openai)  # answers every step by its schema
    dep.start_worker()
    with TestClient(create_app(dep.settings.model_copy(update={"api": ApiSettings(build_processes=0)}))) as client:
        with dep.db.transaction() as session:
            token = store.create_key(session, "newsroom")[1]
        body = {"articles": [a.model_dump(mode="json", exclude={"path"}) for a in ARTICLES],
                "options": {"engine": "llm", "max_points": MAX_POINTS}}
        created = client.post("/v1/briefings", json=body, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]

        def done() -> Any:
            answer = client.get(f"/v1/briefings/{job_id}", headers={"Authorization": f"Bearer {token}"})
            if answer.status_code == 429:  # polled past the rate limit (a worker loading spaCy is slow)
                time.sleep(float(answer.headers.get("Retry-After", "1")))
                return None
            got = answer.json()
            return got if got["status"] in ("done", "failed") else None

        finished = wait_for(done, 120, "the worker to build the job")
    assert finished["status"] == "done", finished
    assert finished["briefing"]["points"]


def test_worker_without_a_broker_says_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_BROKER")}
    env["BRIEFING_DATA_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", "from briefing.cli import app; app()", "worker"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "BRIEFING_BROKER_URL is not set" in done.stdout + done.stderr


# ---------------------------------------------------------------- ingest and shared dedup


def _near_copy(article: Article) -> Article:
    return article.model_copy(update={"id": article.id + "-wire", "outlet": "Wire copy",
                                      "text": article.text + " Reporting by the wire desk."})


def test_duplicates_ingested_by_different_workers_are_stored_once(pg_url, deployment_factory):
    dep = deployment_factory(pg_url)
    batch = [a.model_dump(mode="json") for a in ARTICLES]
    near = [_near_copy(a).model_dump(mode="json") for a in ARTICLES]

    first = dep.start_worker()
    dep.actors.ingest_articles.send(batch)
    dep.drain()
    first.send_signal(signal.SIGTERM)
    first.wait(30)

    dep.start_worker()  # a fresh process: it never saw the first batch in memory
    dep.start_worker()
    for _ in range(3):  # exact repeats, sent to whichever worker takes them
        dep.actors.ingest_articles.send(batch)
    dep.actors.ingest_articles.send(near)
    dep.drain()

    with dep.db.transaction() as session:
        rows = list(session.scalars(select(StoredArticle)))
        assert session.scalar(select(func.count()).select_from(StoredArticle)) == 2 * len(ARTICLES)
    originals = {r.source_id: r.id for r in rows if r.outlet != "Wire copy"}
    copies = {r.source_id: r.near_duplicate_of for r in rows if r.outlet == "Wire copy"}
    assert len(originals) == len(ARTICLES)
    assert copies == {a.id + "-wire": originals[a.id] for a in ARTICLES}
    assert all(r.near_duplicate_of is None for r in rows if r.outlet != "Wire copy")


# ---------------------------------------------------------------- feed polls


def test_feed_polls_are_tasks_each_due_feed_polled_once(tmp_path, deployment_factory):
    """`feeds poll` with a broker enqueues one task per due feed; workers store the articles;
    the same tasks again (redelivered, or a second scheduler) find nothing due and fetch nothing."""
    try:
        from fakes.feed_server import FeedServer, Item, Route, rss
    except ModuleNotFoundError:
        from tests.fakes.feed_server import FeedServer, Item, Route, rss
    from briefing.feeds import store as feeds

    with FeedServer() as web:
        for n, (name, chunk) in enumerate((("a", ARTICLES[:2]), ("b", ARTICLES[2:]))):
            web.routes[f"/{name}.xml"] = Route(
                rss(f"Outlet {name}", [Item(a.title or a.id, web.url(f"/{name}/{i}"), content=a.text)
                                       for i, a in enumerate(chunk)]),
                content_type="application/rss+xml", etag=f'"{name}-{n}"')
        web.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        dep = deployment_factory(f"sqlite:///{tmp_path / 'feeds.db'}", BRIEFING_FEED_ALLOW_PRIVATE_HOSTS="true",
                                 BRIEFING_FEED_HOST_DELAY="0", BRIEFING_FEED_FULL_TEXT_CHARS="100")
        with dep.db.transaction() as session:
            for name in ("a", "b"):
                feeds.add_feed(session, web.url(f"/{name}.xml"), name=f"Outlet {name}")
        dep.start_worker()

        cli = subprocess.run([sys.executable, "-c", "from briefing.cli import app; app()", "feeds", "poll", "--once"],
                             env=dep.env, capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0, cli.stderr
        assert "queued 2 feeds" in cli.stderr
        dep.drain()
        with dep.db.transaction() as session:
            stored = session.scalar(select(func.count()).select_from(StoredArticle))
            health = {f.url: (f.last_success_at is not None, f.items_seen) for f in feeds.list_feeds(session)}
            ids = [f.id for f in feeds.list_feeds(session)]
        assert stored == len(ARTICLES) == 3
        assert health == {web.url("/a.xml"): (True, 2), web.url("/b.xml"): (True, 1)}

        fetched = len(web.requests_to("/a.xml")) + len(web.requests_to("/b.xml"))
        for feed_id in ids:  # the same tasks again: neither feed is due
            dep.actors.poll_feed.send(feed_id, False)
        dep.drain()
        assert len(web.requests_to("/a.xml")) + len(web.requests_to("/b.xml")) == fetched == 2
        with dep.db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(StoredArticle)) == 3


# ---------------------------------------------------------------- ingest from the API and the CLI


def stored_count(db: store.Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(StoredArticle)) or 0)


def batch_count(db: store.Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(IngestBatch)) or 0)


def test_articles_posted_to_the_api_are_stored_once_by_the_workers(pg_url, deployment_factory):
    """`briefing serve` with a broker answers POST /v1/articles with 202 and a batch to poll;
    two workers store the same articles posted twice exactly once; bad input is a 422 at once."""
    import httpx

    dep = deployment_factory(pg_url)
    with dep.db.transaction() as session:
        token = store.create_key(session, "newsroom")[1]
        other = store.create_key(session, "elsewhere")[1]
    dep.start_worker()
    dep.start_worker()
    body = {"articles": [{"id": a.id, "title": a.title, "text": a.text, "outlet": a.outlet} for a in ARTICLES]}
    auth = {"Authorization": f"Bearer {token}"}
    with serving(dep.env) as base, httpx.Client(base_url=base, headers=auth, timeout=30) as http:
        refused = http.post("/v1/articles", json={"articles": [{"id": "empty", "text": "   "}]})
        assert refused.status_code == 422, refused.text
        assert (batch_count(dep.db), stored_count(dep.db)) == (0, 0)  # nothing recorded, nothing queued

        accepted = [http.post("/v1/articles", json=body) for _ in range(2)]
        for answer in accepted:
            assert answer.status_code == 202, answer.text
            assert answer.json()["status"] == "queued" and answer.json()["accepted"] == len(ARTICLES)
            assert answer.headers["Location"] == f"/v1/articles/batches/{answer.json()['id']}"

        def finished(location: str) -> Any:
            got = http.get(location).json()
            return got if got["status"] in ("done", "failed") else None

        first, second = (wait_for(lambda loc=a.headers["Location"]: finished(loc), 60, "a worker to store the batch")
                         for a in accepted)
        assert http.get(accepted[0].headers["Location"], headers={"Authorization": f"Bearer {other}"}).status_code == 404
        listed = http.get("/v1/articles").json()["articles"]
    assert first["status"] == second["status"] == "done"
    batches_ = sorted([first, second], key=lambda b: len(b["stored"]), reverse=True)
    assert [len(b["stored"]) for b in batches_] == [len(ARTICLES), 0]  # one batch stored them ...
    assert {d["duplicate_of"] for d in batches_[1]["duplicates"]} == {s["id"] for s in batches_[0]["stored"]}
    assert stored_count(dep.db) == len(ARTICLES) == len(listed)  # ... the other found them stored


def test_cli_ingest_store_goes_through_the_queue(tmp_path, deployment_factory):
    """`briefing ingest --store` with a broker enqueues a batch; `--wait` reports the worker's result."""
    dep = deployment_factory(f"sqlite:///{tmp_path / 'cli.db'}")
    cli = [sys.executable, "-c", "from briefing.cli import app; app()", "ingest", "--store", str(CASES / "factory-fire")]
    queued = subprocess.run(cli, env=dep.env, capture_output=True, text=True, timeout=120)
    assert queued.returncode == 0, queued.stderr
    count = len(read_paths([str(CASES / "factory-fire")]).articles)
    assert f"queued {count} articles as batch" in " ".join(queued.stderr.split())  # the console wraps lines
    assert stored_count(dep.db) == 0 and batch_count(dep.db) == 1  # accepted, not yet stored
    dep.start_worker()
    dep.drain()
    stored = stored_count(dep.db)
    assert stored > 0

    again = subprocess.run([*cli, "--wait"], env=dep.env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"stored 0 new articles ({stored} already stored" in " ".join(again.stderr.split())
    assert stored_count(dep.db) == stored
