"""Shared fixtures. Keep each one small; other test modules add their own here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
