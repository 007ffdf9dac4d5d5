"""`briefing subscribers …`, `briefing digest run --dry-run`, and the subscriber API routes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from briefing import store
from briefing.cli_digest import digest_app, subscribers_app
from briefing.config import ApiSettings, Settings
from briefing.digest import store_articles
from briefing.ingest import read_paths
from briefing.store import digest as subs

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def cli() -> typer.Typer:
    """The sub-apps mounted as briefing.cli mounts them."""
    app = typer.Typer()
    app.add_typer(subscribers_app, name="subscribers")
    app.add_typer(digest_app, name="digest")
    return app


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli(), list(args))
    return result.exit_code, result.output


def test_subscribers_add_list_remove(env):
    code, out = invoke("subscribers", "add", "Ada@Example.com", "--name", "Ada", "--topics", "ports, \"plant fire\"",
                       "--timezone", "Europe/Vienna", "--hour", "6")
    assert code == 0
    assert re.fullmatch(r'subscribed ada@example.com \(s_[0-9a-f]{16}\): ports, "plant fire", at 06:00 Europe/Vienna\n', out)
    assert invoke("subscribers", "add", "bo@example.com")[1].endswith("every story, at 07:00 UTC\n")

    code, out = invoke("subscribers", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert re.fullmatch(r"s_[0-9a-f]{16}  ada@example.com\s+06:00 Europe/Vienna\s+ports, \"plant fire\"  'Ada'", lines[0])
    assert re.fullmatch(r"s_[0-9a-f]{16}  bo@example.com\s+07:00 UTC\s+\(every story\)", lines[1])

    assert invoke("subscribers", "remove", "ADA@example.com")[1].startswith("removed ada@example.com (s_")
    assert invoke("subscribers", "remove", "ada@example.com") == (1, "error: no subscriber 'ada@example.com'\n")
    assert len(invoke("subscribers", "list")[1].splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-address"], "error: not an email address: 'not-an-address'"),
        (["a@example.com", "--timezone", "Mars/Olympus"], "error: unknown time zone 'Mars/Olympus'"),
        (["a@example.com", "--timezone", "../../etc/passwd"], "error: unknown time zone"),
        (["a@example.com\nBcc: x@example.com"], "error: not an email address"),
        (["a@example.com", "--name", "=?utf-8?q?=0D=0AReply-To:_evil@attacker.test?="], "error: a name may not contain MIME encoded words"),
        (["a@example.com", "--name", "Ada\r\nBcc: x@example.com"], "error: a name may not contain line breaks"),
    ],
)
def test_subscribers_add_refuses_bad_input(env, args, message):
    code, out = invoke("subscribers", "add", *args)
    assert code == 1 and out.startswith(message)


def test_adding_twice_is_an_error_but_an_unsubscribed_address_comes_back(env):
    invoke("subscribers", "add", "ada@example.com")
    assert invoke("subscribers", "add", "ada@example.com")[1].startswith("error: ada@example.com is already subscribed")
    db = store.Database(env.resolved_database_url)
    with db.transaction() as session:
        subs.unsubscribe(session, subs.find_subscriber(session, "ada@example.com").unsubscribe_token)
    assert "INACTIVE (unsubscribed)" in invoke("subscribers", "list", "--all")[1]
    assert invoke("subscribers", "list")[1] == "no subscribers\n"
    assert invoke("subscribers", "add", "ada@example.com", "--topics", "ports")[1].startswith("re-subscribed")
    db.dispose()


def test_store_articles_then_digest_dry_run(env, tmp_path):
    articles = read_paths([str(ROOT / "evals" / "cases" / "factory-fire")]).articles
    first = store_articles(articles, env)
    again = store_articles(articles, env)
    assert (len(first.stored), len(first.duplicates)) == (4, 0)
    assert again.summary() == "stored 0 new articles (4 already stored)"
    invoke("subscribers", "add", "ada@example.com", "--topics", "Lessington")

    code, out = invoke("digest", "run", "--dry-run", str(tmp_path / "out"))

    assert code == 0, out
    today = datetime.now(UTC).date()
    assert out.splitlines()[0] == f"{today}  ada@example.com                  written: {tmp_path / 'out' / f'{today}_ada_at_example.com.eml'}"
    assert re.search(r"4 articles, 1 story; 1 written$", out.strip())
    msg = message_from_bytes(next((tmp_path / "out").iterdir()).read_bytes(), policy=default_policy)
    assert "Lessington" in msg["Subject"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "22/11/2026"], "error: --date must be YYYY-MM-DD"),
        (["--since", "yesterday"], "error: --since must be an ISO date-time"),
        (["--since", "0001-01-01T00:00:00+14:00"], "error: the window start 0001-01-01T00:00:00+14:00 is out of range"),
        (["--to", "nobody@example.com"], "error: nobody@example.com is not an active subscriber"),
        (["--since", (datetime.now(UTC) + timedelta(days=1)).isoformat()], "error: the window is empty"),
    ],
)
def test_digest_run_refuses_bad_options(env, args, message):
    code, out = invoke("digest", "run", *args)
    assert code == 1 and out.startswith(message), out


# ---------------------------------------------------------------- API


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], store.Database]]:
    limits = ApiSettings(job_workers=0, build_processes=0, rate_per_minute=6000, rate_burst=1000)
    settings = Settings(data_dir=tmp_path, api=limits)
    app = create_app(settings)
    with TestClient(app) as test_client:
        db = store.Database(settings.resolved_database_url)
        with db.transaction() as session:
            token = store.create_key(session, "t")[1]
        yield test_client, {"Authorization": f"Bearer {token}"}, db
        db.dispose()


def test_api_add_list_delete(client):
    http, auth, db = client
    body = {"email": "Ada@Example.com", "name": "Ada", "topics": ["ports", "fire"], "timezone": "Europe/Vienna", "send_hour": 6}

    created = http.post("/v1/subscribers", json=body, headers=auth)
    again = http.post("/v1/subscribers", json=body, headers=auth)
    listed = http.get("/v1/subscribers", headers=auth)

    assert created.status_code == 201
    sub = created.json()
    assert {k: sub[k] for k in ("email", "name", "topics", "timezone", "send_hour", "active")} == {
        "email": "ada@example.com", "name": "Ada", "topics": ["ports", "fire"], "timezone": "Europe/Vienna",
        "send_hour": 6, "active": True,
    }
    assert "unsubscribe_token" not in sub
    assert again.status_code == 409 and again.json()["code"] == "already_subscribed"
    assert [s["id"] for s in listed.json()["subscribers"]] == [sub["id"]]

    assert http.delete(f"/v1/subscribers/{sub['id']}", headers=auth).status_code == 204
    gone = http.delete(f"/v1/subscribers/{sub['id']}", headers=auth)
    assert gone.status_code == 404 and gone.json()["code"] == "not_found"
    with db.transaction() as session:
        assert subs.list_subscribers(session) == []


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-address"},
        {"email": "a@example.com", "timezone": "Mars/Olympus"},
        {"email": "a@example.com", "send_hour": 24},
        {"email": "a@example.com", "topics": ["x" * 201]},
        {"email": "a@example.com", "colour": "blue"},
        {"email": "a@example.com", "name": "=?utf-8?q?=0D=0AReply-To:_evil@attacker.test=0D=0AX-Injected:_yes?="},
        {"email": "a@example.com", "name": "Ada\r\nReply-To: evil@attacker.test"},
        {"email": "a@example.com", "name": "\u202eadA"},
    ],
)
def test_api_refuses_bad_subscribers(client, body):
    http, auth, db = client
    answer = http.post("/v1/subscribers", json=body, headers=auth)
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_request"
    assert answer.json()["errors"][0]["loc"][:2] == ["body", next(k for k in body if k != "email") if len(body) > 1 else "email"]
    with db.transaction() as session:
        assert subs.list_subscribers(session) == []  # nothing half-stored


def test_api_needs_a_key_but_unsubscribe_does_not(client):
    http, auth, db = client
    assert http.post("/v1/subscribers", json={"email": "a@example.com"}).status_code == 401
    assert http.delete("/v1/subscribers/s_1").status_code == 401
    with db.transaction() as session:
        token = subs.add_subscriber(session, "a@example.com")[0].unsubscribe_token
    page = http.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and "a•@example.com" in page.text
    with db.transaction() as session:
        assert subs.find_subscriber(session, "a@example.com").active is False
