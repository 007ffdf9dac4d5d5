"""Repository functions and migrations, on a real SQLite file per test.

Set BRIEFING_TEST_POSTGRES_URL (e.g. postgresql+psycopg://user:pw@127.0.0.1/briefing_test,
an empty database this suite may wipe) to run every backend-neutral test on PostgreSQL too.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from briefing import keys, store
from briefing.errors import InputError
from briefing.models import Article, Briefing, Citation, InputProblem, Point, Source
from briefing.store.db import alembic_config
from briefing.store.tables import Base

POSTGRES_URL = os.environ.get("BRIEFING_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A migrated, empty database: a SQLite file, or the PostgreSQL test database wiped."""
    if request.param == "sqlite":
        database = store.Database(f"sqlite:///{tmp_path / 'sub' / 'briefing.db'}")
    else:
        database = store.Database(POSTGRES_URL)
        database.migrate()
        with database.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    return db


def tiny_briefing() -> Briefing:
    body = "Rain fell on Monday. The river rose."
    return Briefing(
        sources=[Source(id="a", origin="a", text=body)],
        points=[
            Point(
                text="Rain fell.",
                origins=1,
                citations=[Citation(source_id="a", start=0, end=20, quote=body[:20])],
            )
        ],
    )


def article(id: str, text: str, title: str = "") -> Article:
    return Article(id=id, title=title or id, text=text)


# ---------------------------------------------------------------- engine and migrations


def test_sqlite_file_gets_its_folder_wal_and_foreign_keys(sqlite_db, tmp_path):
    assert (tmp_path / "sub" / "briefing.db").exists()
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_match_the_models_and_run_twice(db):
    db.migrate()  # again: a no-op
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert diff == []
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert {"alembic_version", "api_keys", "articles", "briefings"} <= set(
        inspect(db.engine).get_table_names()
    )


def test_downgrade_to_base_and_back(db):
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    store.migrate(db.engine)
    assert "briefings" in inspect(db.engine).get_table_names()


def test_migrate_by_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    store.migrate(url)
    database = store.Database(url)
    assert "api_keys" in inspect(database.engine).get_table_names()
    database.dispose()


def test_a_failed_transaction_leaves_nothing(db):
    with pytest.raises(RuntimeError), db.transaction() as session:
        store.add_articles(session, [article("x", "Stored then rolled back.")])
        raise RuntimeError("boom")
    with db.transaction() as session:
        assert store.list_articles(session) == []


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.transaction() as session:
        store.add_articles(session, [article("x", "Orphan.")], key_id="nosuchkey00")


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("token", "parsed"),
    [
        ("bk_0123456789ab_secret", ("0123456789ab", "secret")),
        ("bk_0123456789ab_sec_ret-", ("0123456789ab", "sec_ret-")),
        ("bk_0123456789ab_", None),
        ("bk_0123456789AB_secret", None),
        ("bk_0123_secret", None),
        ("xx_0123456789ab_secret", None),
        ("", None),
        ("Bearer", None),
    ],
)
def test_parse_key(token, parsed):
    assert keys.parse_key(token) == (keys.ParsedKey(*parsed) if parsed else None)


def test_new_key_stores_only_a_hash():
    minted = keys.new_key()
    parsed = keys.parse_key(minted.token)
    assert parsed is not None and parsed.key_id == minted.key_id
    assert minted.secret_hash == keys.hash_secret(parsed.secret)
    assert parsed.secret not in minted.secret_hash
    assert keys.secret_matches(parsed.secret, minted.secret_hash)
    assert not keys.secret_matches(parsed.secret + "x", minted.secret_hash)


def test_key_lifecycle(db):
    with db.transaction() as session:
        row, token = store.create_key(session, "alice")
        store.create_key(session, "bob")
    with db.transaction() as session:
        assert store.check_token(session, token) == store.KeyCheck(row.id, "ok")
        assert store.check_token(session, token + "x").status == "unknown"
        assert store.check_token(session, "bk_ffffffffffff_nope").status == "unknown"
        assert store.check_token(session, "garbage").status == "unknown"
        assert [k.name for k in store.list_keys(session)] == ["alice", "bob"]
        assert all(token not in (k.secret_hash, k.id) for k in store.list_keys(session))
    with db.transaction() as session:
        store.revoke_key(session, "alice")
        store.revoke_key(session, row.id)  # again, by id: harmless
    with db.transaction() as session:
        assert store.check_token(session, token) == store.KeyCheck(row.id, "revoked")


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda s: store.create_key(s, "alice"), "already exists"),
        (lambda s: store.create_key(s, "  "), "non-empty name"),
        (lambda s: store.revoke_key(s, "carol"), "no key named"),
    ],
)
def test_key_errors(db, action, message):
    with db.transaction() as session:
        store.create_key(session, "alice")
    with pytest.raises(InputError, match=message), db.transaction() as session:
        action(session)


# ---------------------------------------------------------------- articles


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("The river rose.", "The river rose.", True),
        ("The river rose.", "  the   RIVER\nrose. ", True),
        ("Ｔhe river rose.", "The river rose.", True),  # NFKC: full-width T
        ("The river rose.", "The river fell.", False),
    ],
)
def test_content_hash_normalises(a, b, same):
    assert (store.content_hash(a) == store.content_hash(b)) is same


def test_add_articles_dedups_against_stored_and_within_batch(db):
    t0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    with db.transaction() as session:
        first = store.add_articles(session, [article("one", "The river rose.")], now=t0)
    with db.transaction() as session:
        second = store.add_articles(
            session,
            [
                article("dup", "the river  ROSE."),
                article("new", "Rain fell."),
                article("again", "Rain fell."),
            ],
            now=t0 + timedelta(hours=1),
        )
    stored_id = first[0].row.id
    assert [(r.article.id, r.duplicate, r.row.id) for r in second] == [
        ("dup", True, stored_id),
        ("new", False, second[1].row.id),
        ("again", True, second[1].row.id),
    ]
    with db.transaction() as session:
        rows = store.list_articles(session)
    assert [(r.source_id, r.ingested_at) for r in rows] == [
        ("one", t0),
        ("new", t0 + timedelta(hours=1)),
    ]
    assert rows[0].ingested_at.tzinfo is not None
    assert store.as_article(rows[1]).text == "Rain fell."


@pytest.mark.parametrize(
    "when",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))),
    ],
)
def test_times_with_no_utc_form_are_input_errors_not_overflows(db, when):
    bad = article("bad", "The river rose.").model_copy(update={"published_at": when})
    with pytest.raises(InputError, match="out of range"), db.transaction() as session:
        store.add_articles(session, [article("good", "Rain fell."), bad])
    with db.transaction() as session:
        assert store.list_articles(session) == []  # all or nothing
        with pytest.raises(InputError, match="out of range"):
            store.list_articles(session, since=when)
        with pytest.raises(InputError, match="out of range"):
            store.list_articles(session, after=(when, 1))


def test_list_articles_since_limit_and_cursor(db):
    t0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    with db.transaction() as session:
        store.add_articles(
            session, [article(f"old{n}", f"Old story {n}.") for n in range(2)], now=t0
        )
        store.add_articles(
            session,
            [article(f"new{n}", f"New story {n}.") for n in range(5)],
            now=t0 + timedelta(days=1),
        )
    with db.transaction() as session:
        since = store.list_articles(session, since=t0 + timedelta(hours=1))
        assert [r.source_id for r in since] == [f"new{n}" for n in range(5)]
        naive = store.list_articles(session, since=datetime(2024, 3, 4, 10, 0))  # naive means UTC
        assert len(naive) == 5
        page1 = store.list_articles(session, limit=3)
        page2 = store.list_articles(session, after=(page1[-1].ingested_at, page1[-1].seq), limit=3)
        page3 = store.list_articles(session, after=(page2[-1].ingested_at, page2[-1].seq), limit=3)
    ids = [r.id for r in page1 + page2 + page3]
    assert len(ids) == len(set(ids)) == 7
    assert [r.source_id for r in page1 + page2 + page3] == ["old0", "old1"] + [
        f"new{n}" for n in range(5)
    ]


# ---------------------------------------------------------------- briefing jobs


def test_request_hash_ignores_key_order():
    assert store.request_hash({"a": 1, "b": [1, 2]}) == store.request_hash({"b": [1, 2], "a": 1})
    assert store.request_hash({"a": 1}) != store.request_hash({"a": 2})


def test_done_and_queued_jobs(db):
    arts = [article("a", "Rain fell on Monday. The river rose.")]
    problems = [InputProblem(source="articles#2", message="no article text")]
    with db.transaction() as session:
        key, _ = store.create_key(session, "k")
        done = store.add_job(
            session,
            articles=arts,
            engine="offline",
            max_points=3,
            request_hash="h1",
            key_id=key.id,
            idempotency_key="idem-1",
            briefing=tiny_briefing(),
            problems=problems,
        )
        queued = store.add_job(
            session, articles=arts, engine="llm", max_points=None, request_hash="h2"
        )
    with db.transaction() as session:
        got = store.get_job(session, done.id)
        assert got is not None and got.status == "done" and got.attempts == 1
        assert store.job_briefing(got) == tiny_briefing()
        assert got.request["problems"] == [p.model_dump() for p in problems]
        assert store.job_articles(got) == arts
        assert store.find_idempotent(session, key.id, "idem-1").id == done.id
        assert store.find_idempotent(session, key.id, "idem-2") is None
        assert store.find_idempotent(session, None, "idem-1") is None
        job = store.get_job(session, queued.id)
        assert (job.status, job.result, job.attempts) == ("queued", None, 0)
        assert store.get_job(session, "nope") is None


def test_same_idempotency_key_twice_is_refused(db):
    from sqlalchemy.exc import IntegrityError

    arts = [article("a", "Text.")]
    with db.transaction() as session:
        key, _ = store.create_key(session, "k")
    with pytest.raises(IntegrityError), db.transaction() as session:
        for _ in range(2):
            store.add_job(
                session,
                articles=arts,
                engine="llm",
                max_points=None,
                request_hash="h",
                key_id=key.id,
                idempotency_key="same",
            )


LEASE = timedelta(seconds=30)


def test_claim_finish_fail_in_order(db):
    arts = [article("a", "Text.")]
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with db.transaction() as session:
        ids = [
            store.add_job(
                session,
                articles=arts,
                engine="llm",
                max_points=None,
                request_hash=str(n),
                now=t0 + timedelta(seconds=n),
            ).id
            for n in range(2)
        ]
    with db.transaction() as session:
        first = store.claim_next(session, lease=LEASE, now=t0)
        assert (first.id, first.status, first.attempts) == (ids[0], "running", 1)
        assert (first.started_at, first.lease_until) == (t0, t0 + LEASE)
    with db.transaction() as session:
        second = store.claim_next(session, lease=LEASE)
        assert second.id == ids[1]
        assert store.claim_next(session, lease=LEASE) is None
    with db.transaction() as session:
        store.finish_job(session, ids[0], tiny_briefing())
        store.fail_job(session, ids[1], "LLMUnavailable: no endpoint")
    with db.transaction() as session:
        done, failed = store.get_job(session, ids[0]), store.get_job(session, ids[1])
    assert (done.status, store.job_briefing(done), done.finished_at is not None) == (
        "done",
        tiny_briefing(),
        True,
    )
    assert (failed.status, failed.error, failed.lease_until) == (
        "failed",
        "LLMUnavailable: no endpoint",
        None,
    )


def test_only_jobs_with_a_lapsed_lease_are_recovered(db):
    arts = [article("a", "Text.")]
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with db.transaction() as session:
        job_id = store.add_job(
            session, articles=arts, engine="llm", max_points=None, request_hash="h"
        ).id
        store.claim_next(session, lease=LEASE, now=t0)
    with db.transaction() as session:  # its builder is alive: lease renewed in time
        assert store.recover_jobs(session, max_attempts=3, now=t0 + LEASE / 2) == store.Recovery()
        store.renew_leases(session, [job_id], until=t0 + 2 * LEASE)
    with db.transaction() as session:
        assert (
            store.recover_jobs(session, max_attempts=3, now=t0 + LEASE + timedelta(seconds=1))
            == store.Recovery()
        )
    with db.transaction() as session:  # then it stopped renewing
        recovery = store.recover_jobs(
            session, max_attempts=3, now=t0 + 2 * LEASE + timedelta(seconds=1)
        )
        assert recovery == store.Recovery(requeued=[job_id])
        job = store.get_job(session, job_id)
        assert (job.status, job.lease_until) == ("queued", None)


def test_recover_requeues_then_fails_after_max_attempts(db):
    arts = [article("a", "Text.")]
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with db.transaction() as session:
        job_id = store.add_job(
            session, articles=arts, engine="llm", max_points=None, request_hash="h", now=t0
        ).id
        waiting = store.add_job(
            session,
            articles=arts,
            engine="llm",
            max_points=None,
            request_hash="w",
            now=t0 + timedelta(seconds=1),
        ).id
    outcomes = []
    for _ in range(3):  # a process dies mid-build three times
        with db.transaction() as session:
            assert store.claim_next(session, lease=LEASE, now=t0).id == job_id
        with db.transaction() as session:
            recovery = store.recover_jobs(session, max_attempts=3, now=t0 + 2 * LEASE)
            outcomes.append((recovery.requeued, recovery.failed))
    assert outcomes == [([job_id], []), ([job_id], []), ([], [job_id])]
    with db.transaction() as session:
        job = store.get_job(session, job_id)
        assert job.status == "failed" and "abandoned after 3 attempts" in job.error
        assert store.get_job(session, waiting).status == "queued"


def test_the_key_ownership_migration_keeps_subscribers_and_their_delivery_log(tmp_path):
    """0003 rebuilds `subscribers` on SQLite; deliveries' ON DELETE CASCADE must not fire."""
    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    store.migrate(url, "0002_digest")
    engine = store.make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO subscribers (id, email, name, topics, timezone, send_hour, active, unsubscribe_token,"
            " hard_bounces, created_at) VALUES ('s_1', 'ada@example.com', 'Ada', '[]', 'UTC', 7, 1, 'tok', 0,"
            " '2026-11-22 07:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO deliveries (subscriber_id, digest_date, status, attempts, created_at)"
            " VALUES ('s_1', '2026-11-22', 'sent', 1, '2026-11-22 07:00:00')"
        )
    for revision in ("head", "0002_digest", "head"):
        with engine.begin() as conn:
            (command.upgrade if revision == "head" else command.downgrade)(alembic_config(conn), revision)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM deliveries").scalar() == 1, revision
            assert conn.exec_driver_sql("SELECT email FROM subscribers").scalar() == "ada@example.com"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT key_id FROM subscribers").scalar() is None  # admin-only
    engine.dispose()
