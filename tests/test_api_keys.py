"""What a key may see (issue 17): its own briefings, stored articles and subscribers; another
key's are 404 on every route kind (get, list, delete); an admin key sees everything. And
failed authentication is rate-limited per client address (429 with Retry-After)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.limits import RateLimiter
from api.main import create_app
from briefing import store
from briefing.config import ApiSettings, Settings
from briefing.digest import store_articles
from briefing.models import Article
from briefing.store import digest as subs

RAIN = {
    "title": "Flooding closes roads",
    "text": "Flooding closed 12 roads in the valley on Tuesday, the regional authority said. "
    "Officials said around 300 residents spent the night in a school.",
    "outlet": "Valley Courier",
}
RAIN_2 = {
    "title": "River bursts its banks",
    "text": "The river burst its banks on Tuesday, flooding 12 roads, the regional authority said. "
    "Forecasters expect more rain on Wednesday.",
    "outlet": "Daily Courier",
}


class Keys:
    """Three keys on one app: two ordinary ones (a, b) and an admin."""

    def __init__(self, http: TestClient, db: store.Database) -> None:
        self.http, self.db = http, db
        with db.transaction() as session:
            self.a = self._auth(store.create_key(session, "a")[1])
            self.b = self._auth(store.create_key(session, "b")[1])
            self.admin = self._auth(store.create_key(session, "ops", admin=True)[1])

    @staticmethod
    def _auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def make_app(tmp_path: Path, **limits: object):  # noqa: ANN201
    base: dict[str, object] = {"job_workers": 0, "build_processes": 0, "rate_per_minute": 6000, "rate_burst": 1000}
    return create_app(Settings(data_dir=tmp_path, api=ApiSettings(**(base | limits))))


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Keys]:
    with TestClient(make_app(tmp_path)) as http:
        yield Keys(http, http.app.state.briefing.db)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- briefings


def test_a_briefing_is_seen_only_by_its_key_and_an_admin(keys):
    http = keys.http
    made = http.post("/v1/briefings", json={"articles": [RAIN, RAIN_2]}, headers=keys.a)
    assert made.status_code == 201
    url = f"/v1/briefings/{made.json()['id']}"

    for fmt in ("json", "md", "html", "text"):
        other = http.get(url, params={"format": fmt}, headers=keys.b)
        assert other.status_code == 404 and other.json()["code"] == "not_found"
        assert other.json()["detail"] == http.get("/v1/briefings/" + "0" * 32, headers=keys.b).json()["detail"].replace(
            "0" * 32, made.json()["id"]
        )  # the same answer as for an id that does not exist
        assert http.get(url, params={"format": fmt}, headers=keys.a).status_code == 200
        assert http.get(url, params={"format": fmt}, headers=keys.admin).status_code == 200
    assert http.get(f"/briefings/{made.json()['id']}").status_code == 200  # the page: the id is the capability


def test_the_same_idempotency_key_from_another_key_is_another_briefing(keys):
    http = keys.http
    first = http.post("/v1/briefings", json={"articles": [RAIN]}, headers=keys.a | {"Idempotency-Key": "k1"})
    second = http.post("/v1/briefings", json={"articles": [RAIN]}, headers=keys.b | {"Idempotency-Key": "k1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"] and "Idempotent-Replayed" not in second.headers


# ---------------------------------------------------------------- stored articles


def test_stored_articles_are_listed_for_their_key_and_an_admin(keys, tmp_path):
    http = keys.http
    assert http.post("/v1/articles", json={"articles": [RAIN]}, headers=keys.a).status_code == 201
    assert http.post("/v1/articles", json={"articles": [RAIN_2]}, headers=keys.b).status_code == 201
    store_articles(  # the operator's `ingest --store`: no owner
        [Article(id="cli", title="Dam holds", text="The dam held overnight, engineers said on Wednesday.")],
        Settings(data_dir=tmp_path),
    )

    def titles(headers: dict[str, str]) -> list[str]:
        return [a["title"] for a in http.get("/v1/articles", headers=headers).json()["articles"]]

    assert titles(keys.a) == [RAIN["title"]]
    assert titles(keys.b) == [RAIN_2["title"]]
    assert titles(keys.admin) == [RAIN["title"], RAIN_2["title"], "Dam holds"]

    again = http.post("/v1/articles", json={"articles": [RAIN]}, headers=keys.b)  # a's text, from b
    assert again.status_code == 200 and again.json()["stored"] == [] and len(again.json()["duplicates"]) == 1
    assert titles(keys.b) == [RAIN_2["title"]]  # still a's article, not b's


def test_a_cursor_pages_only_through_the_callers_articles(keys):
    http = keys.http
    http.post("/v1/articles", json={"articles": [{"text": f"Story {n} from a."} for n in range(3)]}, headers=keys.a)
    http.post("/v1/articles", json={"articles": [{"text": f"Story {n} from b."} for n in range(3)]}, headers=keys.b)
    seen, cursor = [], None
    while True:
        page = http.get("/v1/articles", params={"limit": 2} | ({"cursor": cursor} if cursor else {}), headers=keys.b).json()
        seen += [a["text"] for a in page["articles"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [f"Story {n} from b." for n in range(3)]


# ---------------------------------------------------------------- subscribers


def test_subscribers_belong_to_the_key_that_added_them(keys):
    http = keys.http
    ada = http.post("/v1/subscribers", json={"email": "ada@example.com"}, headers=keys.a)
    assert ada.status_code == 201
    ada_id = ada.json()["id"]
    with keys.db.transaction() as session:  # the operator's, from the CLI: no owner
        subs.add_subscriber(session, "ops@example.com")

    def emails(headers: dict[str, str]) -> list[str]:
        return [s["email"] for s in http.get("/v1/subscribers", headers=headers).json()["subscribers"]]

    assert emails(keys.a) == ["ada@example.com"]
    assert emails(keys.b) == []
    assert emails(keys.admin) == ["ada@example.com", "ops@example.com"]

    gone = http.delete(f"/v1/subscribers/{ada_id}", headers=keys.b)
    assert gone.status_code == 404 and gone.json()["detail"] == f"no subscriber {ada_id}"
    taken = http.post("/v1/subscribers", json={"email": "ada@example.com", "name": "Mallory"}, headers=keys.b)
    assert taken.status_code == 409 and ada_id not in taken.json()["detail"]
    with keys.db.transaction() as session:
        row = subs.find_subscriber(session, "ada@example.com")
        assert row is not None and row.name == "" and row.active  # untouched
        ops_id = subs.find_subscriber(session, "ops@example.com").id
    assert http.delete(f"/v1/subscribers/{ops_id}", headers=keys.a).status_code == 404  # no owner: admin only

    assert http.delete(f"/v1/subscribers/{ada_id}", headers=keys.a).status_code == 204
    assert http.delete(f"/v1/subscribers/{ops_id}", headers=keys.admin).status_code == 204
    assert emails(keys.admin) == []


# ---------------------------------------------------------------- failed authentication


def test_failed_authentication_is_rate_limited_per_address(tmp_path):
    app = make_app(tmp_path, auth_failure_burst=3, auth_failures_per_minute=1)
    with TestClient(app, client=("203.0.113.7", 5000)) as guesser, TestClient(app, client=("198.51.100.2", 5000)) as other:
        keys = Keys(guesser, app.state.briefing.db)
        wrong = {"Authorization": "Bearer bk_000000000000_not-the-secret"}
        answers = [guesser.get("/v1/articles", headers=wrong) for _ in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert int(answers[-1].headers["Retry-After"]) >= 1
        assert "too many failed authentications" in answers[-1].json()["detail"]
        assert guesser.get("/v1/articles", headers=keys.a).status_code == 429  # blocked, whatever the key
        assert other.get("/v1/articles", headers=keys.a).status_code == 200  # another address is not
        assert other.get("/v1/articles", headers=wrong).status_code == 401


def test_revoked_keys_count_as_failures_and_good_requests_do_not(tmp_path):
    app = make_app(tmp_path, auth_failure_burst=2, auth_failures_per_minute=1)
    with TestClient(app) as http:
        keys = Keys(http, app.state.briefing.db)
        for _ in range(5):
            assert http.get("/v1/articles", headers=keys.a).status_code == 200
        with keys.db.transaction() as session:
            store.revoke_key(session, "b")
        assert [http.get("/v1/articles", headers=keys.b).status_code for _ in range(3)] == [403, 403, 429]


def test_the_failure_bucket_refills_and_forgets_full_buckets():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0], max_keys=2)
    assert limiter.blocked("x") == 0  # looking takes nothing
    assert limiter.acquire("x") == limiter.acquire("x") == 0
    assert limiter.blocked("x") == 1
    now[0] += 1.0
    assert limiter.blocked("x") == 0
    limiter.acquire("y")
    now[0] += 10.0  # both buckets full again: the same as no bucket
    limiter.acquire("z")
    assert set(limiter._buckets) == {"z"}
