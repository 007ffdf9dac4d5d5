"""GET /metrics: Prometheus text. Open by default; BRIEFING_API_METRICS_REQUIRE_KEY=true keys it."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import State

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text exposition format",
        }
    },
)
def metrics(state: State) -> Response:
    """Requests by route and status, latency histogram, briefings by engine, LLM tokens."""
    return Response(state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
