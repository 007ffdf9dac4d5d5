"""News feeds: POST/GET /v1/feeds, DELETE /v1/feeds/{id} (API key). Polling is the CLI's
and the scheduler's (`briefing feeds poll`, `briefing digest schedule`); the API manages
the list and shows each feed's health.

Feeds belong to the deployment, not to a key: every stored article they bring in is material
for every subscriber's digest. So any key may list them, and only an admin key may add or
remove one (another key gets 403).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import ApiCaller, Caller, DbSession
from api.errors import ApiError, responses
from briefing.errors import InputError
from briefing.feeds import store as feeds

router = APIRouter(tags=["feeds"])

FeedId = Annotated[str, Path(min_length=1, max_length=32, description="The feed's id (f_…).")]


class FeedIn(BaseModel):
    """A feed to poll: its http(s) URL, an outlet name for its articles, labels."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"url": "https://news.example.org/rss", "name": "Example News", "topics": ["ports"]}]},
    )

    url: str = Field(min_length=8, max_length=feeds.MAX_URL_CHARS, description="RSS or Atom feed URL (http or https).")
    name: str | None = Field(default=None, max_length=200, description="Outlet name; default: the feed's title.")
    topics: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=feeds.MAX_TOPICS, description="Labels for the feed."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            return feeds.check_url(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None


class FeedOut(BaseModel):
    id: str
    url: str
    name: str | None
    title: str | None
    topics: list[str]
    state: str = Field(description="new | ok | failing | disabled")
    created_at: datetime
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    failures: int = Field(description="consecutive failed polls")
    disabled_reason: str | None
    next_poll_at: datetime | None
    items_seen: int
    articles_stored: int
    pages_pending: int = 0


class FeedList(BaseModel):
    feeds: list[FeedOut]


def _require_admin(caller: ApiCaller) -> None:
    if not caller.admin:
        raise ApiError(403, "feeds are shared by the whole deployment: only an admin key may add or remove one",
                       code="admin_only")


def _out(row: feeds.Feed, pending: int = 0) -> FeedOut:
    return FeedOut(
        id=row.id, url=row.url, name=row.name, title=row.title, topics=list(row.topics or []), state=feeds.health(row),
        created_at=row.created_at, last_success_at=row.last_success_at, last_error_at=row.last_error_at,
        last_error=row.last_error, failures=row.failures, disabled_reason=row.disabled_reason,
        next_poll_at=row.next_poll_at if row.enabled else None, items_seen=row.items_seen,
        articles_stored=row.articles_stored, pages_pending=pending,
    )


@router.post("/v1/feeds", status_code=201, response_model=FeedOut, responses={**responses(400, 401, 403, 409, 413, 422, 429)})
def add_feed(caller: Caller, body: FeedIn, session: DbSession) -> FeedOut:
    """Add a feed (polled on the next poll; admin keys only); 409 if the URL is already a feed."""
    _require_admin(caller)
    try:
        row = feeds.add_feed(session, body.url, name=body.name, topics=body.topics)
    except feeds.FeedExists as exc:
        raise ApiError(409, str(exc), code="feed_exists") from None
    return _out(row)


@router.get("/v1/feeds", response_model=FeedList, responses={**responses(401, 403, 429)})
def list_feeds(caller: Caller, session: DbSession) -> FeedList:
    """Every feed with its health: last success, last error and why, items seen, next poll."""
    pending = feeds.pending_counts(session)
    return FeedList(feeds=[_out(r, pending.get(r.id, 0)) for r in feeds.list_feeds(session)])


@router.delete(
    "/v1/feeds/{feed_id}", status_code=204, response_class=Response,
    responses={**responses(401, 403, 404, 422, 429, json_only=True)},
)
def delete_feed(caller: Caller, feed_id: FeedId, session: DbSession) -> Response:
    """Delete a feed and its item log (admin keys only); articles already stored stay."""
    _require_admin(caller)
    if session.get(feeds.Feed, feed_id) is None:
        raise ApiError(404, f"no feed {feed_id}")
    feeds.remove_feed(session, feed_id)
    return Response(status_code=204)
