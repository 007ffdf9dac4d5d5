"""GET /healthz: is the database answering? Open without a key."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import State
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer"}},
)
def healthz(state: State) -> Health | JSONResponse:
    """200 when the database answers a trivial query, else 503 with the reason."""
    try:
        state.db.ping()
    except Exception as exc:  # any driver error means "not healthy"
        body = Health(status="unavailable", database=f"error: {type(exc).__name__}: {exc}"[:500])
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", database="ok")
