"""Articles for the digest: POST /v1/articles (dedup on insert), GET /v1/articles."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import ApiCaller, AppState, Caller, DbSession, State
from api.errors import ApiError, responses
from api.limits import check_articles
from api.schemas import (
    ArticleList,
    ArticleOut,
    ArticlesBatch,
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
from briefing.models import IngestResult
from briefing.store import batches

router = APIRouter(tags=["articles"])


@router.post(
    "/v1/articles",
    status_code=201,
    response_model=ArticlesStored | ArticlesBatch,
    responses={
        200: {"model": ArticlesStored, "description": "Nothing new: every article was a duplicate"},
        202: {
            "model": ArticlesBatch,
            "description": "With a task queue: accepted for a worker to store; poll the Location",
            "headers": {"Location": {"description": "/v1/articles/batches/{id}", "schema": {"type": "string"}}},
        },
        **responses(400, 401, 403, 409, 413, 422, 429, 503),
    },
)
def add_articles(
    caller: Caller, body: ArticlesRequest, state: State, session: DbSession, response: Response
) -> ArticlesStored | ArticlesBatch:
    """Store articles with their ingest time; repeats of stored text are named, not stored.

    Text is deduplicated across the deployment: an article whose text is already stored
    (by any key) is named as a duplicate and stays with the key that stored it first.
    With a task queue (BRIEFING_BROKER_URL) the articles are checked here and stored by a
    `briefing worker`: the answer is 202 with a batch to poll; bad input is still refused
    at once and nothing is stored.
    """
    check_articles(body.articles, state.limits)
    ingested = ingest(body.articles)
    if state.settings.broker_url:
        return _enqueue(caller, state, ingested, response)
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


def _enqueue(caller: ApiCaller, state: AppState, ingested: IngestResult, response: Response) -> ArticlesBatch:
    from briefing.queue.ingest import QueueUnavailable, submit

    try:
        batch_id = submit(state.db, state.settings, ingested.articles, ingested.problems, key_id=caller.key_id)
    except QueueUnavailable as exc:
        raise ApiError(503, str(exc), headers={"Retry-After": "5"}) from exc
    location = f"/v1/articles/batches/{batch_id}"
    response.status_code = 202
    response.headers["Location"] = location
    return ArticlesBatch(id=batch_id, status="queued", accepted=len(ingested.articles), location=location,
                         problems=ingested.problems)


@router.get(
    "/v1/articles/batches/{batch_id}",
    response_model=ArticlesBatch,
    responses={**responses(401, 403, 404, 422, 429)},
)
def get_batch(
    batch_id: Annotated[str, Path(min_length=1, max_length=64)], caller: Caller, session: DbSession
) -> ArticlesBatch:
    """A batch of articles this key sent through the task queue: what was stored so far."""
    row = batches.get_batch(session, batch_id)
    if row is None or not caller.owns(row.key_id):
        raise ApiError(404, f"no article batch with id {batch_id!r}")
    result = row.result or {}
    return ArticlesBatch(
        id=row.id, status=row.status, accepted=row.articles, location=f"/v1/articles/batches/{row.id}",
        stored=result.get("stored", []), duplicates=result.get("duplicates", []),
        problems=row.problems, error=row.error,
    )


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
