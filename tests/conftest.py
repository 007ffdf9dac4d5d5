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
