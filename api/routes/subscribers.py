"""Digest subscribers: POST/GET /v1/subscribers, DELETE /v1/subscribers/{id} (API key),
and GET/POST /unsubscribe/{token} (open: the unguessable token is the capability).

GET shows a plain confirmation page; POST is RFC 8058 one-click unsubscribe, what mail
clients send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. Both are
idempotent. Mounted by api.main with `app.include_router(subscribers.router)`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import Caller, DbSession
from api.errors import ApiError, responses
from briefing.errors import InputError
from briefing.store import digest as subs

router = APIRouter(tags=["subscribers"])

SubscriberId = Annotated[str, Path(min_length=1, max_length=32, description="The subscriber's id (s_…).")]
Token = Annotated[str, Path(min_length=1, max_length=64, description="The token from the digest's unsubscribe link.")]


class SubscriberIn(BaseModel):
    """A new subscriber: where, when (local hour) and about what."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"email": "ada@example.com", "name": "Ada", "topics": ["ports", "\"plant fire\""],
                 "timezone": "Europe/Vienna", "send_hour": 7}
            ]
        },
    )

    email: str = Field(min_length=3, max_length=254, description="The address the digest goes to.")
    name: str = Field(
        default="", max_length=subs.MAX_NAME_CHARS,
        description="How the digest greets them: plain text, one line (no control characters or MIME encoded words).",
    )
    topics: list[Annotated[str, Field(max_length=subs.MAX_TOPIC_CHARS)]] = Field(
        default_factory=list,
        max_length=subs.MAX_TOPICS,
        description="Keywords or queries (all words must occur; \"quoted phrase\" as written). Empty: every story.",
    )
    timezone: str = Field(default="UTC", max_length=64, description="IANA time zone, e.g. Europe/Vienna.")
    send_hour: int = Field(default=7, ge=0, le=23, description="Local hour to send at.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _field_check(subs.normalise_email, value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _field_check(subs.check_name, value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _field_check(subs.check_timezone, value)


def _field_check(check: Callable[[str], str], value: str) -> str:
    """The store's check as a field validator: its InputError becomes a 422 reason."""
    try:
        return check(value)
    except InputError as exc:
        raise ValueError(str(exc)) from None


class SubscriberOut(BaseModel):
    id: str
    email: str
    name: str
    topics: list[str]
    timezone: str
    send_hour: int
    active: bool
    created_at: datetime


class SubscriberList(BaseModel):
    subscribers: list[SubscriberOut]


def _out(row: subs.Subscriber) -> SubscriberOut:
    return SubscriberOut(
        id=row.id, email=row.email, name=row.name, topics=list(row.topics or []), timezone=row.timezone,
        send_hour=row.send_hour, active=row.active, created_at=row.created_at,
    )


@router.post(
    "/v1/subscribers",
    status_code=201,
    response_model=SubscriberOut,
    responses={
        200: {"model": SubscriberOut, "description": "An unsubscribed address, re-activated"},
        **responses(400, 401, 403, 409, 413, 422, 429),
    },
)
def add_subscriber(caller: Caller, body: SubscriberIn, session: DbSession, response: Response) -> SubscriberOut:
    """Subscribe an address to the daily digest, owned by this key; 409 if it is already
    subscribed (through another key: 409 without its id, which this key may not use)."""
    existing = subs.find_subscriber(session, body.email)
    if existing is not None and not caller.owns(existing.key_id):
        raise ApiError(409, f"{existing.email} is subscribed through another API key", code="already_subscribed")
    try:
        row, created = subs.add_subscriber(
            session, body.email, name=body.name, topics=body.topics, timezone=body.timezone,
            send_hour=body.send_hour, key_id=caller.key_id,
        )
    except subs.SubscriberExists as exc:
        raise ApiError(409, str(exc), code="already_subscribed") from None
    response.status_code = 201 if created else 200
    return _out(row)


@router.get("/v1/subscribers", response_model=SubscriberList, responses={**responses(401, 403, 429)})
def list_subscribers(caller: Caller, session: DbSession) -> SubscriberList:
    """This key's subscribers (an admin key: everyone's), active or not, in the order they joined."""
    return SubscriberList(subscribers=[_out(r) for r in subs.list_subscribers(session, key_id=caller.scope)])


@router.delete(
    "/v1/subscribers/{subscriber_id}",
    status_code=204,
    response_class=Response,
    responses={**responses(401, 403, 404, 422, 429, json_only=True)},
)
def delete_subscriber(caller: Caller, subscriber_id: SubscriberId, session: DbSession) -> Response:
    """Delete a subscriber of this key and their delivery log; another key's is 404."""
    row = subs.get_subscriber(session, subscriber_id)
    if row is None or not caller.owns(row.key_id):
        raise ApiError(404, f"no subscriber {subscriber_id}")
    subs.remove_subscriber(session, row.id)
    return Response(status_code=204)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>{title}</title></head>
<body style="margin:0;background:#eef0f3;font:16px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1c1e21">
<main style="max-width:32rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #dde1e6;border-radius:8px">
<h1 style="font:bold 1.5rem/1.3 Georgia,serif;margin:0 0 .75rem">{title}</h1>
<p style="margin:0">{body}</p>
</main></body></html>
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=html.escape(body)), status_code=status)


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(1, len(local) - 1)}@{domain}"


_UNSUB_RESPONSES = {
    404: {"description": "No subscriber holds this token", "content": {"text/html": {}}},
    **responses(422, json_only=True),
}


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=["pages"], responses=_UNSUB_RESPONSES)
def unsubscribe_page(token: Token, session: DbSession) -> HTMLResponse:
    """Unsubscribe (idempotent) and say so on a plain page. Open: the token is the capability."""
    row = subs.unsubscribe(session, token)
    if row is None:
        return _page("Link not recognised", "This unsubscribe link is not valid: it may have been "
                     "mistyped, or the subscription was deleted.", 404)
    return _page("You are unsubscribed", f"{_mask(row.email)} will get no more daily briefings. "
                 "Nothing else is needed.")


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, tags=["pages"], responses=_UNSUB_RESPONSES)
def unsubscribe_one_click(token: Token, session: DbSession) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe (the mail client's button); idempotent."""
    return unsubscribe_page(token, session)
