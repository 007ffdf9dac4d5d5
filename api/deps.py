"""Annotated dependencies: app state, one transaction per request, API key, rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.builds import BuildPool
from api.jobs import JobRunner
from api.limits import RateLimiter
from api.metrics import Metrics
from api.settings import ApiSettings
from briefing import store
from briefing.config import Settings


@dataclass
class AppState:
    """Everything the routes share, built once per app by create_app()."""

    settings: Settings
    limits: ApiSettings
    db: store.Database
    metrics: Metrics
    rate_limiter: RateLimiter
    runner: JobRunner
    builds: BuildPool


def get_state(request: Request) -> AppState:
    return request.app.state.briefing


State = Annotated[AppState, Depends(get_state)]


def get_session(state: State) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back."""
    with state.db.transaction() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session, scope="function")]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="bk_<id>_<secret>",
    description="A key from `briefing keys create NAME`, sent as `Authorization: Bearer bk_…`.",
)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="briefing"'}


def get_key_id(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The id of the presented API key; 401 when missing or unknown, 403 when revoked."""
    if credentials is None:
        raise ApiError(401, "send an API key as 'Authorization: Bearer bk_…'", headers=_CHALLENGE)
    check = store.check_token(session, credentials.credentials)
    if check.status == "unknown" or check.key_id is None:
        raise ApiError(401, "unknown API key", headers=_CHALLENGE)
    if check.status == "revoked":
        raise ApiError(403, f"API key {check.key_id} has been revoked", code="key_revoked")
    return check.key_id


def get_rate_limited_key(state: State, key_id: Annotated[str, Depends(get_key_id)]) -> str:
    """The key id, after taking a token from its bucket; 429 with Retry-After when empty."""
    wait = state.rate_limiter.acquire(key_id)
    if wait:
        raise ApiError(
            429,
            f"rate limit of {state.limits.rate_per_minute:g} requests/minute exceeded; "
            f"retry in {wait}s",
            headers={"Retry-After": str(wait)},
        )
    return key_id


KeyId = Annotated[str, Depends(get_rate_limited_key)]
