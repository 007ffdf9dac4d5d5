"""One error shape for every non-2xx answer: Problem {code, detail, errors[]}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.schemas import FieldError, Problem
from briefing.errors import BuildBudgetExceeded, EngineError, InputError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    502: "engine_failed",
    503: "unavailable",
}


class ApiError(HTTPException):
    """An HTTP error with a machine-readable code and, for 422, field-level reasons."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.code = code or CODES.get(status_code, "error")
        self.errors = errors or []


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(code=code or CODES.get(status, "error"), detail=detail, errors=errors or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method any route of this path takes (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if getattr(route, "methods", None) and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = getattr(exc, "code", None)
    errors = getattr(exc, "errors", None)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return problem(exc.status_code, detail, code=code, errors=errors, headers=headers)


def _loc(loc: tuple[Any, ...] | list[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(
            loc=_loc(e.get("loc", ())), msg=str(e.get("msg", "")), type=str(e.get("type", ""))
        )
        for e in exc.errors()
    ]
    where = ", ".join(".".join(map(str, e.loc)) + ": " + e.msg for e in errors[:3])
    return problem(422, f"invalid request: {where}", errors=errors)


async def _input_error(_: Request, exc: Exception) -> JSONResponse:
    return problem(422, str(exc), code="unusable_input")


async def _engine_error(_: Request, exc: Exception) -> JSONResponse:
    return problem(502, f"the engine could not build a briefing: {exc}")


async def _over_budget(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BuildBudgetExceeded)
    # the worker is free again; on a quieter server, or with less input, a retry can pass
    return problem(
        503, str(exc), code="build_budget_exceeded", headers={"Retry-After": str(max(1, round(exc.seconds)))}
    )


async def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    return problem(
        409,
        "a concurrent request stored the same thing; retry this one",
        headers={"Retry-After": "1"},
    )


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the traceback after this answer goes out; the client learns nothing internal.
    return problem(500, "internal error; it has been logged")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a Problem."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(EngineError, _engine_error)
    app.add_exception_handler(BuildBudgetExceeded, _over_budget)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Exception, _unexpected)


_DESCRIBED = {
    400: "The body could not be read (e.g. not UTF-8)",
    401: "Missing or unknown API key",
    403: "Revoked API key",
    404: "No such resource",
    409: "Conflicts with an earlier request",
    413: "Request body too large",
    422: "Invalid request, with field-level reasons",
    429: "Rate limit exceeded",
    502: "The engine failed",
    503: "The build ran past its time budget and was stopped; send less, or retry later",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "Seconds until a request is allowed",
            "schema": {"type": "integer"},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait before a retry",
            "schema": {"type": "integer"},
        }
    },
}


def responses(*statuses: int, json_only: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the Problem answers a route can give.

    `json_only` for routes whose own media type is not JSON (FastAPI would document the
    Problem under it).
    """
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"description": _DESCRIBED.get(status, "Error")}
        if json_only:
            entry["content"] = {
                "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
        else:
            entry["model"] = Problem
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        out[status] = entry
    return out
