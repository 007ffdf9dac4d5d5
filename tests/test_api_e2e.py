"""End to end: a real uvicorn process on loopback, a real SQLite file, a restart in between."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from briefing.cli_api import keys_app
from briefing.config import get_settings

RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
ARTICLES = [
    {
        "title": "Storm floods the valley",
        "text": "Heavy rain fell on the valley on Monday, officials said. "
        "The river rose by two metres overnight, according to the water board.",
        "outlet": "Valley Times",
    },
    {
        "title": "Valley flooding forces evacuations",
        "text": "The water board said the river rose by two metres overnight. "
        "Officials said around 300 residents spent the night in a school.",
        "outlet": "Daily Courier",
    },
]


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """`briefing serve` on an ephemeral loopback port; yields its base URL, stops it after."""
    code = "from briefing.cli_api import serve; serve(host='127.0.0.1', port=0)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    found: list[str] = []
    ready = threading.Event()
    log: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)
            if (match := RUNNING.search(line)) and not ready.is_set():
                found.append(match.group(1))
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(60):
            raise AssertionError("server did not start:\n" + "".join(log))
        yield f"http://127.0.0.1:{found[0]}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(5)
    assert proc.returncode == 0, "".join(log)
    assert "Application shutdown complete" in "".join(log)


def test_briefings_and_articles_survive_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "e2e.db"
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{database}")
    get_settings.cache_clear()
    try:
        created = CliRunner().invoke(keys_app, ["create", "e2e"])
    finally:
        get_settings.cache_clear()
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("bk_")
    headers = {"Authorization": f"Bearer {token}"}
    env = {**os.environ, "BRIEFING_API_JOB_POLL_SECONDS": "0.2"}

    with serving(env) as base, httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        assert http.get("/healthz").json() == {"status": "ok", "database": "ok"}
        assert httpx.get(f"{base}/v1/articles").status_code == 401
        posted = http.post(
            "/v1/briefings", json={"articles": ARTICLES}, headers={"Idempotency-Key": "e2e-1"}
        )
        assert posted.status_code == 201, posted.text
        briefing = posted.json()
        stored = http.post("/v1/articles", json={"articles": ARTICLES})
        assert stored.status_code == 201 and len(stored.json()["stored"]) == 2
        metrics = http.get("/metrics").text
        assert (
            'briefing_http_requests_total{method="POST",route="/v1/briefings",status="201"} 1.0'
            in metrics
        )

    assert database.exists()
    with serving(env) as base, httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        again = http.get(f"/v1/briefings/{briefing['id']}")
        assert again.status_code == 200 and again.json() == briefing
        page = httpx.get(f"{base}/briefings/{briefing['id']}")
        assert page.status_code == 200 and "<html" in page.text
        articles = http.get("/v1/articles").json()["articles"]
        assert [a["title"] for a in articles] == [a["title"] for a in ARTICLES]
        replay = http.post(
            "/v1/briefings", json={"articles": ARTICLES}, headers={"Idempotency-Key": "e2e-1"}
        )
        assert replay.json()["id"] == briefing["id"]
        assert replay.headers["Idempotent-Replayed"] == "true"
        duplicates = http.post("/v1/articles", json={"articles": ARTICLES[:1]}).json()["duplicates"]
        assert duplicates[0]["duplicate_of"] == stored.json()["stored"][0]["id"]
