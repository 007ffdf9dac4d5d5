"""Articles for the digest: POST /v1/articles (dedup on insert), GET /v1/articles."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import Caller, DbSession, State
from api.errors import ApiError, responses
from api.limits import check_articles
from api.schemas import (
    ArticleList,
    ArticleOut,
    ArticlesRequest,
    ArticlesStored,
    DuplicateRef,
    ExistingTime,
    StoredRef,
    ingest,
)
from briefing.dates import to_utc
from briefing.errors import InputError
from briefing import store

router = APIRouter(tags=["articles"])


@router.post(
    "/v1/articles",
    status_code=201,
    response_model=ArticlesStored,
    responses={
        200: {"model": ArticlesStored, "description": "Nothing new: every article was a duplicate"},
        **responses(400, 401, 403, 409, 413, 422, 429),
    },
)
def add_articles(
    caller: Caller, body: ArticlesRequest, state: State, session: DbSession, response: Response
) -> ArticlesStored:
    """Store articles with their ingest time; repeats of stored text are named, not stored.

    Text is deduplicated across the deployment: an article whose text is already stored
    (by any key) is named as a duplicate and stays with the key that stored it first.
    """
    check_articles(body.articles, state.limits)
    ingested = ingest(body.articles)
    results = store.add_articles(session, ingested.articles, key_id=caller.key_id)
    out = ArticlesStored(
        stored=[
            StoredRef(id=r.row.id, source_id=r.article.id, title=r.article.title)
            for r in results
            if not r.duplicate
        ],
        duplicates=[
            DuplicateRef(source_id=r.article.id, title=r.article.title, duplicate_of=r.row.id)
            for r in results
            if r.duplicate
        ],
        problems=ingested.problems,
    )
    response.status_code = 201 if out.stored else 200
    return out


def _encode_cursor(at: datetime, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{seq}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, _, seq = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return to_utc(datetime.fromisoformat(at)), int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError, InputError):
        raise ApiError(422, "cursor is not one this API gave out", code="invalid_request") from None


@router.get("/v1/articles", response_model=ArticleList, responses={**responses(401, 403, 422, 429)})
def list_articles(
    caller: Caller,
    session: DbSession,
    since: Annotated[
        ExistingTime | None,
        Query(description="Only articles ingested at or after this ISO time (UTC if no zone)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page.")
    ] = None,
) -> ArticleList:
    """Articles this key stored (an admin key: every article), by ingest time, a page at a time."""
    after = _decode_cursor(cursor) if cursor else None
    rows = store.list_articles(session, since=since, after=after, limit=limit, key_id=caller.scope)
    articles = [ArticleOut.model_validate(r) for r in rows]
    next_cursor = _encode_cursor(rows[-1].ingested_at, rows[-1].seq) if len(rows) == limit else None
    return ArticleList(articles=articles, next_cursor=next_cursor)
