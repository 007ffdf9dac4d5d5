"""The HTTP API through FastAPI's TestClient: every route, every error, on a real SQLite file.

With BRIEFING_TEST_POSTGRES_URL set (an empty database this suite may wipe), on PostgreSQL.
"""

from __future__ import annotations

import base64

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient

from api.main import create_app
from api.metrics import Metrics
from briefing import store
from briefing.config import ApiSettings, Settings
from briefing.models import Briefing, BriefingStats, Citation, Point, Source
from briefing.store.db import alembic_config

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "pow-exchange"

RAIN = {
    "title": "Storm floods the valley",
    "text": "Heavy rain fell on the valley on Monday, officials said. "
    "The river rose by two metres overnight, according to the water board. "
    "About 300 people were moved to a school in the town centre.",
    "outlet": "Valley Times",
    "url": "https://example.com/rain",
    "published_at": "2024-03-04T09:30:00Z",
}
RAIN_2 = {
    "title": "Valley flooding forces evacuations",
    "text": "The water board said the river rose by two metres overnight. "
    "Officials said around 300 residents spent the night in a school. "
    "Forecasters expect more rain on Wednesday.",
    "outlet": "Daily Courier",
}
BODY = {"articles": [RAIN, RAIN_2], "options": {"engine": "offline"}}


def with_limits(settings: Settings, **overrides: object) -> Settings:
    """`settings` with the API limits these tests serve under (`settings.api`, BRIEFING_API_*)."""
    # builds in-thread: spawning a process pool per app would slow every test (tests/test_api_builds.py
    # covers the pool, tests/test_api_e2e.py serves with it)
    base: dict[str, object] = {
        "rate_per_minute": 6000,
        "rate_burst": 1000,
        "job_poll_seconds": 0.2,
        "build_processes": 0,
    }
    return settings.model_copy(update={"api": ApiSettings(**{**base, **overrides})})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # llm pointed at a closed loopback port: llm jobs fail fast and for real.
    postgres = os.environ.get("BRIEFING_TEST_POSTGRES_URL")
    if postgres:
        store.migrate(postgres)
        engine = store.make_engine(postgres)
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        engine.dispose()
    return Settings(
        data_dir=tmp_path,
        database_url=postgres,
        llm_base_url="http://127.0.0.1:9/v1",
        llm_max_retries=0,
        llm_timeout=2.0,
    )


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start apps (lifespan included) with the given limits; all are shut down after the test."""
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        client = TestClient(create_app(with_limits(settings, **overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def new_key(client: TestClient, name: str = "tester") -> str:
    with db_of(client).transaction() as session:
        return store.create_key(session, name)[1]


def db_of(client: TestClient) -> store.Database:
    return client.app.state.briefing.db  # type: ignore[attr-defined]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def headers(client: TestClient) -> dict[str, str]:
    return auth(new_key(client))


def job_count(client: TestClient) -> int:
    with db_of(client).engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM briefings").scalar_one()


def wait_for(client: TestClient, url: str, headers: dict[str, str], timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(url, headers=headers).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} still {body['status']} after {timeout}s")


# ---------------------------------------------------------------- health, metrics, errors


def test_healthz_is_open(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_healthz_reports_a_broken_database(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}"))  # a folder, not a database
    response = TestClient(app).get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "OperationalError" in response.json()["database"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nope", 404, "not_found"),
        ("DELETE", "/v1/briefings", 405, "method_not_allowed"),
    ],
)
def test_unknown_routes_answer_problems(
    client: TestClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_metrics_count_requests_builds_and_latency(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert client.post("/v1/briefings", json=BODY, headers=headers).status_code == 201
    client.get("/v1/briefings/nope", headers=headers)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'briefing_http_requests_total{method="POST",route="/v1/briefings",status="201"} 1.0' in text
    )
    assert (
        "briefing_http_requests_total"
        '{method="GET",route="/v1/briefings/{briefing_id}",status="404"} 1.0' in text
    )
    assert (
        'briefing_http_request_duration_seconds_count{method="POST",route="/v1/briefings"} 1.0'
        in text
    )
    assert 'briefing_briefings_total{engine="offline",status="done"} 1.0' in text


def test_metrics_can_require_a_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client(metrics_require_key=True)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=auth(new_key(client))).status_code == 200


def test_llm_tokens_are_counted_from_briefing_stats() -> None:
    text = "Rain fell."
    briefing = Briefing(
        sources=[Source(id="a", origin="a", text=text)],
        points=[
            Point(
                text=text,
                origins=1,
                citations=[Citation(source_id="a", start=0, end=10, quote=text)],
            )
        ],
        stats=BriefingStats(
            engine="llm", usage={"compose": {"prompt_tokens": 120, "completion_tokens": 30}}
        ),
    )
    metrics = Metrics()
    metrics.briefing_built("auto", briefing)
    metrics.briefing_built("auto", briefing)
    text_out = metrics.render().decode()
    assert 'briefing_llm_tokens_total{kind="prompt_tokens",step="compose"} 240.0' in text_out
    assert 'briefing_llm_tokens_total{kind="completion_tokens",step="compose"} 60.0' in text_out
    assert 'briefing_briefings_total{engine="llm",status="done"} 2.0' in text_out


# ---------------------------------------------------------------- auth and rate limit


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Bearer", 401),
        ("Basic dXNlcjpwYXNz", 401),
        ("Bearer not-a-key", 401),
        ("Bearer bk_ffffffffffff_unknown", 401),
    ],
)
def test_requests_without_a_good_key_are_refused(
    client: TestClient, authorization: str | None, status: int
) -> None:
    hdrs = {"Authorization": authorization} if authorization else {}
    for method, path in [
        ("GET", "/v1/articles"),
        ("POST", "/v1/briefings"),
        ("GET", "/v1/briefings/x"),
    ]:
        response = client.request(
            method, path, headers=hdrs, json=BODY if method == "POST" else None
        )
        assert response.status_code == status, (method, path)
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="briefing"'
        assert response.json()["code"] == "unauthorized"
    assert job_count(client) == 0


def test_a_wrong_secret_is_unknown_and_a_revoked_key_is_forbidden(client: TestClient) -> None:
    token = new_key(client, "carol")
    assert client.get("/v1/articles", headers=auth(token[:-1] + "x")).status_code == 401
    assert client.get("/v1/articles", headers=auth(token)).status_code == 200
    with db_of(client).transaction() as session:
        store.revoke_key(session, "carol")
    response = client.get("/v1/articles", headers=auth(token))
    assert response.status_code == 403
    assert response.json()["code"] == "key_revoked"


def test_rate_limit_per_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_per_minute=1, rate_burst=2)
    first, second = auth(new_key(client, "first")), auth(new_key(client, "second"))
    assert [client.get("/v1/articles", headers=first).status_code for _ in range(2)] == [200, 200]
    limited = client.get("/v1/articles", headers=first)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/v1/articles", headers=second).status_code == 200
    assert client.get("/healthz").status_code == 200  # open routes are not limited


# ---------------------------------------------------------------- size and count limits, validation


def test_body_over_the_cap_is_413_from_content_length(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(max_body_bytes=1000)
    big = {"articles": [{"text": "x" * 2000}]}
    response = client.post("/v1/briefings", json=big)  # no key: the size is checked first
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_body_over_the_cap_is_413_while_reading(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=1000)
    token = new_key(client)

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked
        yield b'{"articles": [{"text": "'
        for _ in range(10):
            yield b"x" * 200
        yield b'"}]}'

    response = client.post(
        "/v1/briefings",
        content=chunks(),
        headers={**auth(token), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert job_count(client) == 0


def test_too_many_articles(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_articles=2)
    body = {"articles": [RAIN, RAIN_2, RAIN]}
    for path in ("/v1/briefings", "/v1/articles"):
        response = client.post(path, json=body, headers=auth(new_key(client, path)))
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "articles"]
        assert "limit is 2" in response.json()["detail"]


def test_article_too_long(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_article_chars=100)
    body = {
        "articles": [{"text": "short"}, {"text": "y" * 101}, {"html": "<p>" + "z" * 200 + "</p>"}]
    }
    response = client.post("/v1/briefings", json=body, headers=auth(new_key(client)))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [
        ["body", "articles", 1, "text"],
        ["body", "articles", 2, "html"],
    ]
    assert response.json()["errors"][0]["msg"] == "101 characters; the limit is 100"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "articles"]),
        ({"articles": []}, ["body", "articles"]),
        ({"articles": [{"title": "no text"}]}, ["body", "articles", 0]),
        ({"articles": [{"text": "   "}]}, ["body", "articles", 0, "text"]),
        ({"articles": [{"text": "ok", "colour": "red"}]}, ["body", "articles", 0, "colour"]),
        (
            {"articles": [{"text": "ok", "published_at": "last tuesday"}]},
            ["body", "articles", 0, "published_at"],
        ),
        ({"articles": [RAIN], "options": {"engine": "magic"}}, ["body", "options", "engine"]),
        ({"articles": [RAIN], "options": {"max_points": 0}}, ["body", "options", "max_points"]),
        ({"articles": "all of them"}, ["body", "articles"]),
    ],
)
def test_validation_errors_name_the_field(
    client: TestClient, headers: dict[str, str], body: dict, loc: list
) -> None:
    response = client.post("/v1/briefings", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert loc in [e["loc"] for e in response.json()["errors"]]
    assert job_count(client) == 0


def test_malformed_json_is_422(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/v1/briefings",
        content=b'{"articles": [',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_invalid"


def test_no_usable_articles_says_why(client: TestClient, headers: dict[str, str]) -> None:
    body = {"articles": [{"html": "<html><body></body></html>"}]}
    for path in ("/v1/briefings", "/v1/articles"):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["code"] == "unusable_input"
        assert response.json()["detail"].startswith(
            "no usable articles: articles#1: no article text"
        )
    assert job_count(client) == 0


# ---------------------------------------------------------------- briefings


def test_offline_briefing_is_built_at_once(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/v1/briefings", json=BODY, headers=headers)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["Location"] == f"/v1/briefings/{body['id']}"
    assert (body["status"], body["engine"], body["attempts"]) == ("done", "offline", 1)
    assert body["links"] == {
        "self": f"/v1/briefings/{body['id']}",
        "html": f"/briefings/{body['id']}",
    }
    briefing = Briefing.model_validate(body["briefing"])
    assert briefing.points and {s.title for s in briefing.sources} == {
        RAIN["title"],
        RAIN_2["title"],
    }
    again = client.get(response.headers["Location"], headers=headers)
    assert again.status_code == 200 and again.json() == body


def test_max_points_is_passed_on(client: TestClient, headers: dict[str, str]) -> None:
    body = {"articles": [RAIN, RAIN_2], "options": {"max_points": 1}}
    response = client.post("/v1/briefings", json=body, headers=headers)
    assert response.status_code == 201
    assert len(response.json()["briefing"]["points"]) <= 1


def test_unusable_articles_are_reported_alongside_the_briefing(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"articles": [RAIN, {"html": "<p></p>"}, RAIN_2]}
    response = client.post("/v1/briefings", json=body, headers=headers)
    assert response.status_code == 201
    assert [p["source"] for p in response.json()["problems"]] == ["articles#2"]


@pytest.mark.parametrize(
    ("fmt", "media", "needle"),
    [
        ("md", "text/markdown", "Heavy rain fell"),
        ("html", "text/html", "<html"),
        ("text", "text/plain", "Heavy rain fell"),
    ],
)
def test_briefing_renderings(
    client: TestClient, headers: dict[str, str], fmt: str, media: str, needle: str
) -> None:
    location = client.post("/v1/briefings", json=BODY, headers=headers).headers["Location"]
    response = client.get(location, params={"format": fmt}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert needle in response.text


def test_html_page_is_open_and_unknown_ids_are_404(
    client: TestClient, headers: dict[str, str]
) -> None:
    briefing_id = client.post("/v1/briefings", json=BODY, headers=headers).json()["id"]
    page = client.get(f"/briefings/{briefing_id}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path, hdrs in [("/briefings/nope", {}), ("/v1/briefings/nope", headers)]:
        response = client.get(path, headers=hdrs)
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "detail": "no briefing with id 'nope'",
            "errors": [],
        }
    assert (
        client.get("/v1/briefings/x", params={"format": "pdf"}, headers=headers).status_code == 422
    )


def test_idempotency_key_replays_without_a_second_build(
    client: TestClient, headers: dict[str, str]
) -> None:
    idem = {**headers, "Idempotency-Key": "order-42"}
    first = client.post("/v1/briefings", json=BODY, headers=idem)
    reordered = {
        "options": {"engine": "offline"},
        "articles": [dict(reversed(RAIN.items())), RAIN_2],
    }
    second = client.post("/v1/briefings", json=reordered, headers=idem)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert (
        second.headers["Idempotent-Replayed"] == "true"
        and "Idempotent-Replayed" not in first.headers
    )
    assert job_count(client) == 1
    assert (
        'briefing_briefings_total{engine="offline",status="done"} 1.0'
        in client.get("/metrics").text
    )

    changed = client.post("/v1/briefings", json={**BODY, "articles": [RAIN]}, headers=idem)
    assert changed.status_code == 409
    assert changed.json()["code"] == "idempotency_mismatch"

    other_key = {**auth(new_key(client, "other")), "Idempotency-Key": "order-42"}
    assert (
        client.post("/v1/briefings", json=BODY, headers=other_key).json()["id"]
        != first.json()["id"]
    )
    assert job_count(client) == 2


def test_llm_job_is_queued_then_fails_with_a_reason(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"articles": [RAIN, RAIN_2], "options": {"engine": "llm"}}
    response = client.post(
        "/v1/briefings", json=body, headers={**headers, "Idempotency-Key": "llm-1"}
    )
    assert response.status_code == 202
    assert response.json()["status"] in ("queued", "running")
    assert response.json()["briefing"] is None
    final = wait_for(client, response.headers["Location"], headers)
    assert final["status"] == "failed" and final["error"] and final["briefing"] is None
    assert final["attempts"] == 1
    not_ready = client.get(response.headers["Location"], params={"format": "md"}, headers=headers)
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "not_ready"
    page = client.get(final["links"]["html"])
    assert page.status_code == 200 and "failed" in page.text
    replay = client.post(
        "/v1/briefings", json=body, headers={**headers, "Idempotency-Key": "llm-1"}
    )
    assert (replay.status_code, replay.json()["id"]) == (202, final["id"])
    assert 'status="failed"' in client.get("/metrics").text


def test_auto_job_is_built_in_the_background(client: TestClient, headers: dict[str, str]) -> None:
    body = {"articles": [RAIN, RAIN_2], "options": {"engine": "auto"}}
    response = client.post("/v1/briefings", json=body, headers=headers)
    assert response.status_code == 202
    final = wait_for(client, response.headers["Location"], headers)
    assert final["status"] == "done", final["error"]
    assert Briefing.model_validate(final["briefing"]).points


def test_queued_and_interrupted_jobs_survive_a_restart(
    make_client: Callable[..., TestClient],
) -> None:
    stopped = make_client(job_workers=0)  # accepts jobs, builds none
    headers = auth(new_key(stopped))
    body = {"articles": [RAIN, RAIN_2], "options": {"engine": "auto"}}
    interrupted = stopped.post("/v1/briefings", json=body, headers=headers).json()["id"]
    waiting = stopped.post(
        "/v1/briefings",
        json=body | {"options": {"engine": "auto", "max_points": 2}},
        headers=headers,
    ).json()["id"]
    with db_of(stopped).transaction() as session:  # a worker took one, then its process died
        assert store.claim_next(session, lease=timedelta(0)).id == interrupted
    assert (
        stopped.get(f"/v1/briefings/{interrupted}", headers=headers).json()["status"] == "running"
    )
    assert stopped.get(f"/v1/briefings/{waiting}", headers=headers).json()["status"] == "queued"
    stopped.__exit__(None, None, None)

    restarted = make_client()
    for job_id in (interrupted, waiting):
        final = wait_for(restarted, f"/v1/briefings/{job_id}", headers)
        assert final["status"] == "done", final["error"]
    assert wait_for(restarted, f"/v1/briefings/{interrupted}", headers)["attempts"] == 2


# ---------------------------------------------------------------- articles


def test_articles_are_stored_once_and_duplicates_named(
    client: TestClient, headers: dict[str, str]
) -> None:
    first = client.post("/v1/articles", json={"articles": [RAIN | {"id": "r1"}]}, headers=headers)
    assert first.status_code == 201
    stored_id = first.json()["stored"][0]["id"]
    assert first.json() == {
        "stored": [{"id": stored_id, "source_id": "r1", "title": RAIN["title"]}],
        "duplicates": [],
        "problems": [],
    }
    same_text = {"id": "r1-copy", "title": "Copy", "text": "  " + RAIN["text"].upper() + "\n"}
    second = client.post(
        "/v1/articles", json={"articles": [same_text, RAIN_2, RAIN_2]}, headers=headers
    )
    assert second.status_code == 201
    new_id = second.json()["stored"][0]["id"]
    assert second.json()["duplicates"] == [
        {"source_id": "r1-copy", "title": "Copy", "duplicate_of": stored_id},
        {"source_id": "articles#3", "title": RAIN_2["title"], "duplicate_of": new_id},
    ]
    all_dupes = client.post("/v1/articles", json={"articles": [RAIN]}, headers=headers)
    assert all_dupes.status_code == 200 and all_dupes.json()["stored"] == []


def test_list_articles_since_limit_and_pages(client: TestClient, headers: dict[str, str]) -> None:
    client.post("/v1/articles", json={"articles": [RAIN]}, headers=headers)
    listed = client.get("/v1/articles", headers=headers).json()
    cut = listed["articles"][0]["ingested_at"]
    client.post(
        "/v1/articles",
        json={"articles": [{"text": f"Story number {n}."} for n in range(5)]},
        headers=headers,
    )

    everything = client.get("/v1/articles", headers=headers).json()
    assert len(everything["articles"]) == 6 and everything["next_cursor"] is None
    first = everything["articles"][0]
    assert first["text"] == RAIN["text"] and first["outlet"] == RAIN["outlet"]
    assert first["published_at"] == "2024-03-04T09:30:00Z"

    later = client.get("/v1/articles", params={"since": cut}, headers=headers).json()["articles"]
    assert len(later) == 6  # inclusive
    future = client.get(
        "/v1/articles", params={"since": "2999-01-01T00:00:00"}, headers=headers
    ).json()
    assert future == {"articles": [], "next_cursor": None}

    seen, cursor = [], None
    while True:
        params = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/articles", params=params, headers=headers).json()
        seen += [a["id"] for a in page["articles"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [a["id"] for a in everything["articles"]]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"limit": 0},
        {"limit": 1001},
        {"cursor": "!!not-a-cursor!!"},
        {"since": "0001-01-01T00:00:00+14:00"},  # issue 17 F3: no UTC form
        {"since": "9999-12-31T23:59:59-14:00"},
        {"cursor": _cursor("0001-01-01T00:00:00+14:00|1")},
        {"cursor": _cursor("9999-12-31T23:59:59-14:00|1")},
    ],
)
def test_list_articles_rejects_bad_queries(
    client: TestClient, headers: dict[str, str], params: dict
) -> None:
    response = client.get("/v1/articles", params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("route", ["/v1/articles", "/v1/briefings"])
def test_a_time_with_no_utc_form_is_422_and_nothing_is_stored(
    client: TestClient, headers: dict[str, str], when: str, route: str
) -> None:
    body = {"articles": [RAIN, RAIN_2 | {"published_at": when}]}
    response = client.post(route, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "articles", 1, "published_at"]
    assert "out of range" in response.json()["detail"]
    assert client.get("/v1/articles", headers=headers).json()["articles"] == []
    assert job_count(client) == 0


@pytest.mark.parametrize("text", ["\x00\x00\x00", "\u200b\u200c\u200d\u2060", "\ufeff\ufeff", "\x00\u200b\ufeff \n"])
@pytest.mark.parametrize("route", ["/v1/articles", "/v1/briefings"])
def test_text_of_only_invisible_characters_is_422_no_text(
    client: TestClient, headers: dict[str, str], text: str, route: str
) -> None:
    """Issue 17 F8: NUL, zero-width and BOM characters are not an article."""
    response = client.post(route, json={"articles": [RAIN, {"title": "Blank", "text": text}]}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "articles", 1, "text"]
    assert "no text" in response.json()["detail"]
    assert client.get("/v1/articles", headers=headers).json()["articles"] == []
    assert job_count(client) == 0


# ---------------------------------------------------------------- OpenAPI


def test_openapi_is_complete_enough_for_a_client(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "bk_<id>_<secret>",
        "description": (
            "A key from `briefing keys create NAME`, sent as `Authorization: Bearer bk_…`."
        ),
    }
    for name in (
        "Problem",
        "BriefingResource",
        "Briefing",
        "ArticlesStored",
        "ArticleList",
        "Health",
    ):
        assert name in spec["components"]["schemas"], name
    assert spec["components"]["schemas"]["BriefingRequest"]["examples"]
    operations = {(m.upper(), p): op for p, ops in spec["paths"].items() for m, op in ops.items()}
    keyed = {k for k, op in operations.items() if op.get("security")}
    assert keyed == {k for k in operations if k[1].startswith("/v1/")}  # and nothing else
    assert keyed >= {
        ("POST", "/v1/briefings"),
        ("GET", "/v1/briefings/{briefing_id}"),
        ("POST", "/v1/articles"),
        ("GET", "/v1/articles"),
    }
    for key in keyed:
        for status in ("401", "403", "429") + (
            ("422",) if "parameters" in operations[key] or "requestBody" in operations[key] else ()
        ):
            ref = operations[key]["responses"][status]["content"]["application/json"]["schema"][
                "$ref"
            ]
            assert ref.endswith("/Problem"), (key, status)
    assert set(operations[("POST", "/v1/briefings")]["responses"]) >= {"201", "202", "409", "413"}


# ---------------------------------------------------------------- keys CLI


def test_keys_cli_create_list_revoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from briefing.cli_api import keys_app
    from briefing.config import get_settings

    monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{tmp_path / 'keys.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        created = runner.invoke(keys_app, ["create", "alice"])
        assert created.exit_code == 0
        lines = created.output.strip().splitlines()
        key_id = lines[0].split()[2]
        assert lines[-1].startswith(f"bk_{key_id}_")
        assert runner.invoke(keys_app, ["create", "alice"]).exit_code == 1
        listed = runner.invoke(keys_app, ["list"]).output
        assert listed.startswith(f"{key_id}  alice") and "REVOKED" not in listed
        assert (
            runner.invoke(keys_app, ["revoke", "alice"]).output == f"revoked key {key_id} (alice)\n"
        )
        assert "REVOKED" in runner.invoke(keys_app, ["list"]).output
        missing = runner.invoke(keys_app, ["revoke", "nobody"])
        assert missing.exit_code == 1 and "no key named or with id 'nobody'" in missing.output
    finally:
        get_settings.cache_clear()


def test_a_build_over_its_budget_is_503_with_a_reason_and_the_server_goes_on(
    settings: Settings,
) -> None:
    """Issue 17, F2: a build past Settings.build_seconds is stopped, not left holding a worker."""
    slow = settings.model_copy(update={"build_seconds": 1e-9})
    with TestClient(create_app(with_limits(slow))) as app:
        token = new_key(app)
        answer = app.post("/v1/briefings", json=BODY, headers=auth(token))
        assert answer.status_code == 503
        assert answer.json()["code"] == "build_budget_exceeded"
        assert "budget" in answer.json()["detail"] and "BRIEFING_BUILD_SECONDS" in answer.json()["detail"]
        assert int(answer.headers["Retry-After"]) >= 1
        assert app.get("/healthz").status_code == 200


def test_a_truncated_build_says_so_in_its_stats(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    long = {**RAIN, "text": " ".join(f"Officials said {n} people were moved to a school on Monday." for n in range(700))}
    answer = client.post("/v1/briefings", json={"articles": [long, RAIN_2]}, headers=auth(new_key(client)))
    assert answer.status_code == 201, answer.text
    notes = answer.json()["briefing"]["stats"]["truncated"]
    assert any("BRIEFING_MAX_ARTICLE_SENTENCES" in note for note in notes)
