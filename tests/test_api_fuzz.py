"""Schemathesis against the app's own OpenAPI: bounded, no 5xx, answers true to the schema.

The app is built at import (no I/O) and its schema read without starting it; schemathesis'
ASGI transport starts it on the first request and stops it at exit.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.main import create_app
from briefing import store
from briefing.config import ApiSettings, Settings

DATA_DIR = Path(tempfile.gettempdir()) / f"briefing-fuzz-{secrets.token_hex(6)}"  # made on use
CONFIG = Settings(
    data_dir=DATA_DIR,
    api=ApiSettings(
        rate_per_minute=1e6, rate_burst=100_000, job_workers=0, build_processes=0, max_articles=20,
        auth_failures_per_minute=1e6, auth_failure_burst=100_000,  # it sends wrong keys on purpose
    ),
)
APP = create_app(CONFIG)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP  # as from_asgi() does, without a request at import


@pytest.fixture(scope="module")
def token() -> Iterator[str]:
    """A key in the app's (migrated) database; the folder is removed afterwards."""
    db = store.Database(CONFIG.resolved_database_url)
    db.migrate()
    with db.transaction() as session:
        yield store.create_key(session, "fuzz")[1]
    db.dispose()
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@schema.parametrize()
def test_generated_requests(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
