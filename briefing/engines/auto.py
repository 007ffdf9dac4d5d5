"""The `auto` engine that never leaves you without a briefing.

    auto  configured endpoint, if it answers GET /models → the chain on it;
          no endpoint configured → the local model, if installed and not switched off;
          either only when the eval recorded that model ahead of the offline engine
          (briefing/engines/record.py);
          otherwise, or when the chosen model fails → the offline engine,
          with `stats.degraded` saying why.

Why a configured endpoint that is down falls back to offline and not to the local model:
whoever set BRIEFING_LLM_BASE_URL chose that model; starting a 1.1 GB CPU model in its
place takes minutes and changes what the briefing is, while offline is instant and honest
about it. Which model is chosen is `briefing.engines.endpoint`'s business (the `llm`
engine uses the same module).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from briefing.engines import offline
from briefing.engines.chain import run_with
from briefing.engines.endpoint import (
    endpoint_configured,
    endpoint_target,
    local_target,
    local_usable,
    ping,
    with_startup,
)
from briefing.engines.record import not_ahead
from briefing.errors import LLMError
from briefing.local_model import MODEL_NAME
from briefing.models import Briefing, Corpus
from briefing.prompts import manifest_hash
from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.engines.base import BuildOptions

log = logging.getLogger(__name__)


def _offline(corpus: Corpus, max_points: int, reason: str) -> Briefing:
    log.warning("%s", reason)
    briefing = offline.build(corpus, max_points=max_points)
    briefing.stats.degraded = f"{reason}; used the offline engine"
    return briefing


def build(corpus: Corpus, max_points: int, settings: Settings, on_stage: StageCallback = quiet) -> Briefing:
    """The `auto` engine: the best model available, else the offline engine, saying why."""
    if endpoint_configured(settings):
        target = endpoint_target(settings)
        behind = not_ahead(target.model, settings, manifest_hash())
        if behind is not None:
            return _offline(corpus, max_points, behind)
        on_stage("connect")
        if not ping(target):
            why = "GET /models failed (server down, wrong URL or key refused)"
            return _offline(corpus, max_points, f"{target.name} unreachable: {why}")
    else:
        why_not = local_usable(settings)
        if why_not is not None:
            return _offline(corpus, max_points, f"no model endpoint configured and {why_not}")
        behind = not_ahead(MODEL_NAME, settings, manifest_hash())
        if behind is not None:  # decided before the model loads: no minutes spent to discard
            return _offline(corpus, max_points, f"the bundled {behind}")
        try:
            target = local_target(settings, on_stage)
        except LLMError as exc:
            return _offline(corpus, max_points, f"the local model could not start: {exc}")
    try:
        return with_startup(run_with(target.make_client, corpus, max_points, on_stage), target)
    except LLMError as exc:
        return _offline(corpus, max_points, f"{target.name} failed: {exc}")


def build_engine(corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet) -> Briefing:
    """The registry's entry (engines/__init__.py)."""
    return build(corpus, options.points(settings), settings, on_stage)
