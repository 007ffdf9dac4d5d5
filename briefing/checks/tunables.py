"""The checker's tunables, from briefing/data/checker.toml (what each trades off is said there)."""

from __future__ import annotations

import tomllib
from importlib import resources

from pydantic import BaseModel, ConfigDict


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Table):
    coverage_partial: float
    coverage_unsupported: float
    embed_low: float
    embed_high: float
    embed_cap: float


class Penalties(_Table):
    missing_quantity: float
    missing_name: float
    partial_name: float
    negation: float
    antonym: float
    attribution: float


class Scores(_Table):
    unsupported_max: float
    partial_base: float
    partial_span: float
    supported_min: float


class CheckerTunables(_Table):
    thresholds: Thresholds
    penalties: Penalties
    scores: Scores


def load_checker_tunables() -> CheckerTunables:
    raw = resources.files("briefing").joinpath("data/checker.toml").read_text("utf-8")
    return CheckerTunables.model_validate(tomllib.loads(raw))
