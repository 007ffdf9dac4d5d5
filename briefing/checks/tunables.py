"""The checker's tunables, from briefing/data/checker.toml (what each trades off is said there)."""

from __future__ import annotations

from briefing import data


class Thresholds(data.Table):
    coverage_partial: float
    coverage_unsupported: float
    embed_low: float
    embed_high: float
    embed_cap: float


class Penalties(data.Table):
    missing_quantity: float
    missing_name: float
    partial_name: float
    negation: float
    antonym: float
    attribution: float


class Scores(data.Table):
    unsupported_max: float
    partial_base: float
    partial_span: float
    supported_min: float


class CheckerTunables(data.Table):
    thresholds: Thresholds
    penalties: Penalties
    scores: Scores


def load_checker_tunables() -> CheckerTunables:
    return data.table("checker.toml", CheckerTunables)
