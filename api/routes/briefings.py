"""Briefings: POST /v1/briefings, GET /v1/briefings/{id} (JSON or rendered), GET /briefings/{id}."""

from __future__ import annotations

import html
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Header, Path, Query, Response
from fastapi.responses import HTMLResponse

from api import jobs
from api.deps import ApiCaller, Caller, DbSession, State
from api.errors import ApiError, responses
from api.limits import check_articles
from api.schemas import BriefingLinks, BriefingRequest, BriefingResource
from briefing import store
from briefing.engines import ENGINES
from briefing.render import MEDIA_TYPES, render
from briefing.store import BriefingJob

router = APIRouter(tags=["briefings"])

BriefingId = Annotated[str, Path(min_length=1, max_length=64, description="The briefing's id.")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        description="Repeat a request safely: same key and body give the same briefing, "
        "no second build; same key with another body is a 409.",
    ),
]


_LOCATION = {
    "Location": {"description": "/v1/briefings/{id}", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "true when an Idempotency-Key replay returned the first request's job",
        "schema": {"type": "string"},
    },
}


def as_resource(job: BriefingJob) -> BriefingResource:
    """A job row as the API shows it."""
    return BriefingResource(
        id=job.id,
        status=job.status,
        engine=job.engine,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        attempts=job.attempts,
        error=job.error,
        problems=job.request.get("problems", []),
        links=BriefingLinks(self=f"/v1/briefings/{job.id}", html=f"/briefings/{job.id}"),
        briefing=store.job_briefing(job),
    )


def _job_or_404(session: DbSession, briefing_id: str, caller: ApiCaller | None = None) -> BriefingJob:
    """The job, if it exists and `caller` may see it (another key's is 404, not 403: no
    hint that it exists). No caller: the open page, where the id is the capability."""
    job = store.get_job(session, briefing_id)
    if job is None or (caller is not None and not caller.owns(job.key_id)):
        raise ApiError(404, f"no briefing with id {briefing_id!r}")
    return job


@router.post(
    "/v1/briefings",
    status_code=201,
    response_model=BriefingResource,
    response_description="Built (offline): the briefing is in the body",
    responses={
        201: {"headers": _LOCATION},
        202: {
            "model": BriefingResource,
            "description": "Queued (llm/auto): poll the Location until status is done or failed",
            "headers": _LOCATION,
        },
        **responses(400, 401, 403, 409, 413, 422, 429, 502, 503),
    },
)
def create_briefing(
    caller: Caller,
    body: BriefingRequest,
    state: State,
    session: DbSession,
    response: Response,
    background: BackgroundTasks,
    idempotency_key: IdempotencyKey = None,
) -> BriefingResource:
    """Brief articles: offline answers 201 with the briefing, llm/auto 202 with a job to poll."""
    check_articles(body.articles, state.limits)
    submitted = jobs.submit(
        session,
        body,
        key_id=caller.key_id,
        idempotency_key=idempotency_key,
        builds=state.builds,
        metrics=state.metrics,
    )
    job = submitted.job
    response.status_code = 201 if ENGINES[job.engine].synchronous else 202
    response.headers["Location"] = f"/v1/briefings/{job.id}"
    if not submitted.created:
        response.headers["Idempotent-Replayed"] = "true"
    elif job.status == "queued":
        background.add_task(state.runner.queued, job.id, body.options)  # runs after the commit
    return as_resource(job)


@router.get(
    "/v1/briefings/{briefing_id}",
    response_model=BriefingResource,
    responses={
        200: {
            "description": "The job (JSON), or the finished briefing rendered as `format`",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
        **responses(401, 403, 404, 409, 422, 429),
    },
)
def get_briefing(
    briefing_id: BriefingId,
    caller: Caller,
    session: DbSession,
    format: Annotated[
        Literal["json", "md", "html", "text"],
        Query(description="json: the job and its briefing; md, html, text: the briefing rendered."),
    ] = "json",
) -> BriefingResource | Response:
    """A briefing job this key created: its status, then its result; 409 for a rendering
    before it is done; 404 for another key's (an admin key sees every job)."""
    job = _job_or_404(session, briefing_id, caller)
    if format == "json":
        return as_resource(job)
    briefing = store.job_briefing(job)
    if briefing is None:
        raise ApiError(
            409, f"briefing {job.id} is {job.status}; no {format} rendering yet", code="not_ready"
        )
    return Response(render(briefing, format), media_type=MEDIA_TYPES[format])


@router.get(
    "/briefings/{briefing_id}",
    response_class=HTMLResponse,
    tags=["pages"],
    responses={**responses(404, 422, json_only=True)},
)
def briefing_page(briefing_id: BriefingId, session: DbSession) -> HTMLResponse:
    """The briefing as a web page. Open without a key: the unguessable id is the capability."""
    job = _job_or_404(session, briefing_id)
    briefing = store.job_briefing(job)
    if briefing is not None:
        return HTMLResponse(render(briefing, "html"))
    return HTMLResponse(_pending_page(job), status_code=200)


def _pending_page(job: BriefingJob) -> str:
    refresh = (
        '<meta http-equiv="refresh" content="5">' if job.status in ("queued", "running") else ""
    )
    reason = f"<p>{html.escape(job.error)}</p>" if job.error else ""
    return (
        f'<!doctype html><html><head><meta charset="utf-8">{refresh}'
        f"<title>Briefing {job.status}</title></head><body>"
        f"<h1>Briefing {html.escape(job.status)}</h1>{reason}</body></html>"
    )
