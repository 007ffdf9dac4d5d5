"""Annotated dependencies: app state, one transaction per request, API key, rate limits.

What a key may see: the briefings, stored articles and subscribers it created (`ApiCaller.owns`);
anything else is answered 404, exactly as if it did not exist. An admin key
(`briefing keys create NAME --admin`) sees and manages every key's rows, and the rows
with no owner (made by the CLI, or stored before keys owned rows).
"""

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
from briefing import store
from briefing.config import ApiSettings, Settings


@dataclass(frozen=True)
class ApiCaller:
    """Who is asking: the key's id, and whether it is an admin key."""

    key_id: str
    admin: bool = False

    def owns(self, owner: str | None) -> bool:
        """May this caller see a row stored with `owner` (a key id, or None for no owner)?"""
        return self.admin or (owner is not None and owner == self.key_id)

    @property
    def scope(self) -> str | None:
        """The key id to filter lists by; None (everything) for an admin key."""
        return None if self.admin else self.key_id


@dataclass
class AppState:
    """Everything the routes share, built once per app by create_app(settings)."""

    settings: Settings
    db: store.Database
    metrics: Metrics
    rate_limiter: RateLimiter
    runner: JobRunner
    builds: BuildPool
    auth_failures: RateLimiter  # per client address: only failed authentications take tokens

    @property
    def limits(self) -> ApiSettings:
        """The HTTP service's limits (BRIEFING_API_*), a section of the one Settings."""
        return self.settings.api


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


def _address(request: Request) -> str:
    """The client's address (behind a proxy: the proxy's, unless uvicorn trusts its headers)."""
    return request.client.host if request.client else "unknown"


def get_caller(
    request: Request,
    state: State,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiCaller:
    """The presented API key; 401 when missing or unknown, 403 when revoked.

    An unknown or revoked key counts against the client address; after
    `auth_failure_burst` such failures the address gets 429 with Retry-After (whatever
    key it sends) until the bucket refills, so keys cannot be guessed at speed.
    """
    address = _address(request)
    wait = state.auth_failures.blocked(address)
    if wait:
        raise ApiError(
            429,
            f"too many failed authentications from this address; retry in {wait}s",
            headers={"Retry-After": str(wait)},
        )
    if credentials is None:
        raise ApiError(401, "send an API key as 'Authorization: Bearer bk_…'", headers=_CHALLENGE)
    check = store.check_token(session, credentials.credentials)
    if check.status != "ok" or check.key_id is None:
        state.auth_failures.acquire(address)
        if check.status == "revoked":
            raise ApiError(403, f"API key {check.key_id} has been revoked", code="key_revoked")
        raise ApiError(401, "unknown API key", headers=_CHALLENGE)
    return ApiCaller(check.key_id, check.admin)


def get_rate_limited_caller(
    state: State, caller: Annotated[ApiCaller, Depends(get_caller)]
) -> ApiCaller:
    """The caller, after taking a token from its key's bucket; 429 with Retry-After when empty."""
    wait = state.rate_limiter.acquire(caller.key_id)
    if wait:
        raise ApiError(
            429,
            f"rate limit of {state.limits.rate_per_minute:g} requests/minute exceeded; "
            f"retry in {wait}s",
            headers={"Retry-After": str(wait)},
        )
    return caller


Caller = Annotated[ApiCaller, Depends(get_rate_limited_caller)]
