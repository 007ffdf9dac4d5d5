"""The FastAPI app: `create_app(settings)` wires settings, database, worker, limits and routers.

Run it with `briefing serve`, or `uvicorn --factory api.main:app_from_environment`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api import errors
from api.builds import BuildPool
from api.deps import AppState, get_rate_limited_caller
from api.lifeline import die_with_parent
from api.jobs import JobRunner
from api.limits import BodySizeLimit, RateLimiter
from api.metrics import Metrics, MetricsMiddleware
from api.routes import articles, briefings, feeds, health, metrics, subscribers
from briefing import __version__
from briefing.config import Settings, get_settings
from briefing.engines.base import BuildOptions
from briefing.store import Database

DESCRIPTION = """\
Turn news articles into short, cited briefings.

**Auth**: every `/v1` route needs an API key (`briefing keys create NAME`) sent as
`Authorization: Bearer bk_<id>_<secret>`: 401 without or with an unknown key, 403 once
revoked. `/healthz` is open; `/metrics` is open unless `BRIEFING_API_METRICS_REQUIRE_KEY=true`;
`/briefings/{id}` (the HTML page) is open, its unguessable id being the capability.

**What a key sees**: the briefings, stored articles and subscribers it created; another
key's are 404, as if they did not exist. An admin key (`briefing keys create NAME --admin`)
sees and manages all of them, and the rows with no owner (stored by the CLI, or before
keys owned rows).

**Limits** (`BRIEFING_API_*`): body size (413), articles per request and characters per
article (422), requests per key (429 with Retry-After), failed authentications per client
address (429 with Retry-After). Every error is a `Problem`.
"""

TAGS = [
    {"name": "briefings", "description": "Build briefings and fetch them."},
    {"name": "articles", "description": "Store articles for the digest."},
    {"name": "subscribers", "description": "Who gets the daily digest; one-click unsubscribe."},
    {"name": "feeds", "description": "News feeds polled for the digest, with their health."},
    {"name": "pages", "description": "Pages for people."},
    {"name": "health", "description": "Liveness and database check."},
    {"name": "metrics", "description": "Prometheus metrics."},
]


def _dispatcher(settings: Settings) -> Callable[[str, BuildOptions], object]:
    """Enqueue a job's `build_job` task; its typed options travel as validated JSON."""
    from briefing.queue.broker import actors

    build_job = actors(settings).build_job

    def dispatch(job_id: str, options: BuildOptions) -> object:
        return build_job.send(job_id, BuildOptions.model_validate(dict(options)).model_dump(mode="json"))

    return dispatch


def app_from_environment() -> FastAPI:
    """The app as the environment configures it (BRIEFING_*): the server's entry point."""
    return create_app(get_settings())


def create_app(settings: Settings) -> FastAPI:
    """A ready-to-serve app; the database is migrated and jobs recovered at startup.

    Routes read `settings` (and its `api` limits) from the app state through `api.deps.State`."""
    limits = settings.api
    db = Database(settings.resolved_database_url)
    meters = Metrics()
    meters.watch_feeds(db)
    dispatch = _dispatcher(settings) if settings.broker_url else None  # llm jobs on `briefing worker`
    runner = JobRunner(
        db,
        settings,
        meters,
        dispatch=dispatch,
        workers=0 if dispatch else limits.job_workers,
        max_attempts=limits.job_max_attempts,
        poll_seconds=limits.job_poll_seconds,
        lease_seconds=limits.job_lease_seconds,
    )
    builds = BuildPool(limits.build_processes, settings, kill_after=limits.build_kill_seconds)
    state = AppState(
        settings,
        db,
        meters,
        RateLimiter(limits.rate_per_minute, limits.rate_burst),
        runner,
        builds,
        RateLimiter(limits.auth_failures_per_minute, limits.auth_failure_burst),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        db.migrate()
        builds.start()
        runner.start()
        try:
            yield
        finally:
            runner.stop()
            builds.stop()
            db.dispose()

    app = FastAPI(
        title="briefing",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.briefing = state
    errors.install(app)
    app.include_router(briefings.router)
    app.include_router(articles.router)
    app.include_router(subscribers.router)
    app.include_router(feeds.router)
    app.include_router(health.router)
    app.include_router(
        metrics.router,
        dependencies=[Depends(get_rate_limited_caller)] if limits.metrics_require_key else [],
    )
    app.add_middleware(BodySizeLimit, limit=limits.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=meters)  # outermost: sees every answer
    return app


def create_supervised_app() -> FastAPI:
    """`create_app` for one process of `briefing serve --workers N`: it exits when the
    process supervising it dies, even by `kill -9` (issue 17, F5)."""
    die_with_parent()
    return app_from_environment()
