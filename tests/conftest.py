"""Shared fixtures. Keep each one small; other test modules add their own here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.config import Settings, get_settings

try:  # tests/ is a rootdir-relative path entry (no tests/__init__.py) ...
    from fakes.openai_server import FakeOpenAI
except ModuleNotFoundError:  # ... or a package, when the repo root is on sys.path
    from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture(scope="session")
def _fake_openai_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake_openai(_fake_openai_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """A scripted OpenAI-compatible endpoint on loopback, empty at the start of each test."""
    _fake_openai_server.reset()
    yield _fake_openai_server
    _fake_openai_server.reset()


@pytest.fixture(autouse=True)
def _local_model_only_where_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """`auto` would start the bundled 1.1 GB model wherever it is installed (as in CI);
    only tests marked `local_model` may, so the rest of the suite stays fast."""
    if request.node.get_closest_marker("local_model") is None:
        monkeypatch.setenv("BRIEFING_LOCAL_MODEL", "off")


try:
    from servers import PostgresServer, RedisServer
except ModuleNotFoundError:
    from tests.servers import PostgresServer, RedisServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on 127.0.0.1 for the session (skips without the binary)."""
    reason = RedisServer.missing()
    if reason:
        pytest.skip(reason)
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on 127.0.0.1 for the session (skips without the binaries)."""
    reason = PostgresServer.missing()
    if reason:
        pytest.skip(reason)
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # noqa: ANN001
    """An empty database: a SQLite file, then a fresh PostgreSQL database (skipped without one)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """CLI tests: a database and data folder of the test's own, read through the one Settings."""
    monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
