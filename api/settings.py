"""Limits and knobs of the HTTP service, from BRIEFING_API_* (the pipeline's are in Settings)."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Every limit the API enforces, with the status it answers when exceeded."""

    model_config = SettingsConfigDict(env_prefix="BRIEFING_API_", extra="ignore")

    max_body_bytes: int = Field(5_000_000, ge=1, description="413 above this many bytes")
    max_articles: int = Field(100, ge=1, description="422 above this many articles per request")
    max_article_chars: int = Field(200_000, ge=1, description="422 above this many characters")
    rate_per_minute: float = Field(120.0, gt=0, description="token refill per key; 429 when empty")
    rate_burst: int = Field(30, ge=1, description="bucket size: requests a key may send at once")
    auth_failures_per_minute: float = Field(
        10.0, gt=0, description="failed authentications forgiven per client address per minute"
    )
    auth_failure_burst: int = Field(
        10, ge=1, description="failed authentications a client address may make before 429"
    )
    build_processes: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=0,
        description="processes building offline briefings (default: one per core); "
        "0 builds in the request's thread, one at a time",
    )
    build_kill_seconds: float = Field(
        60.0,
        gt=0,
        description="a build process still running this long after its build started is "
        "killed and replaced, and the request answered 503 (a backstop for the pipeline's "
        "own budget, BRIEFING_BUILD_SECONDS, which should be lower)",
    )
    job_workers: int = Field(1, ge=0, description="threads building llm/auto briefings")
    job_max_attempts: int = Field(3, ge=1, description="builds tried before a job is failed")
    job_poll_seconds: float = Field(2.0, gt=0, description="how often idle workers look for jobs")
    job_lease_seconds: float = Field(
        30.0, gt=0, description="a running job whose builder stops renewing this long is re-queued"
    )
    metrics_require_key: bool = Field(False, description="require a key for GET /metrics")
