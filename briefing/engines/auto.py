"""Which model the chain talks to, and the `auto` engine that never leaves you without a briefing.

    llm   configured endpoint (BRIEFING_LLM_BASE_URL or OPENAI_API_KEY set)
          → else the bundled local model, if installed
          → else LLMUnavailable saying how to get either.
          An endpoint that stays down is an error (LLMUnavailable), never a silent fallback.

    auto  configured endpoint, if it answers GET /models → the chain on it;
          no endpoint configured → the local model, if installed and not switched off;
          otherwise, or when the chosen model fails → the offline engine,
          with `stats.degraded` saying why.

Why a configured endpoint that is down falls back to offline and not to the local model:
whoever set BRIEFING_LLM_BASE_URL chose that model; starting a 1.1 GB CPU model in its
place takes minutes and changes what the briefing is, while offline is instant and honest
about it.

`BRIEFING_LOCAL_MODEL=off` (also 0/false/no) keeps both engines away from the local model,
e.g. in tests or on machines too small for it.

The local server is started once per process, on first use (never at import), shared by
every briefing, and stopped at interpreter exit (LocalModelServer registers that).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.errors import LLMError, LLMUnavailable
from briefing.models import Briefing, Corpus

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.llm import LLMClient
    from briefing.local_model import LocalModelServer

log = logging.getLogger(__name__)

LOCAL_SWITCH = "BRIEFING_LOCAL_MODEL"
_OFF = {"off", "0", "false", "no", "none"}
PING_TIMEOUT = 5.0
StageCallback = Callable[[str], None]

_local: LocalModelServer | None = None
_local_lock = threading.Lock()


def _quiet(stage: str) -> None:
    """Default stage callback: report nothing."""


@dataclass
class Target:
    """A model the chain can talk to."""

    name: str  # for messages: "model endpoint http://…" / "the local model"
    make_client: Callable[[], LLMClient]
    startup_s: float = 0.0  # time it took to get it running (the local model's load)


def endpoint_configured(settings: Settings) -> bool:
    return bool(settings.llm_base_url or settings.openai_api_key)


def local_switched_off() -> bool:
    return os.environ.get(LOCAL_SWITCH, "").strip().lower() in _OFF


def local_usable() -> str | None:
    """None when the local model can be used, else why not."""
    from briefing import local_model

    if local_switched_off():
        return f"the local model is switched off ({LOCAL_SWITCH}={os.environ.get(LOCAL_SWITCH)})"
    if not local_model.is_installed():
        return f"the local model is not installed ({local_model.INSTALL_HINT})"
    return None


def endpoint_target(settings: Settings) -> Target:
    from briefing import llm

    url = settings.llm_base_url or "https://api.openai.com/v1"
    return Target(f"model endpoint {url} (model {settings.llm_model})", lambda: llm.from_settings(settings))


def local_server(settings: Settings) -> LocalModelServer:
    """The process's local model server, started on first use (tens of seconds on CPU)."""
    global _local
    from briefing.local_model import LocalModelServer

    with _local_lock:
        if _local is None or not _local.running:
            server = LocalModelServer(data_dir=settings.data_dir)
            server.start()  # LLMUnavailable when it cannot; registers stop() at exit
            _local = server
        return _local


def stop_local_server() -> None:
    """Stop the shared local server now (it also stops at exit)."""
    global _local
    with _local_lock:
        if _local is not None:
            _local.stop()
            _local = None


def local_target(settings: Settings, on_stage: StageCallback = _quiet) -> Target:
    from briefing.cache import ResponseCache

    on_stage("local model")
    started = time.perf_counter()
    server = local_server(settings)
    return Target(
        "the local model",
        lambda: server.client(
            timeout=max(settings.llm_timeout, 300.0),  # a CPU model answers slowly, not never
            max_retries=settings.llm_max_retries,
            cache=ResponseCache.from_settings(settings),
        ),
        startup_s=round(time.perf_counter() - started, 4),
    )


def llm_target(settings: Settings, on_stage: StageCallback = _quiet) -> Target:
    """What `--engine llm` talks to; LLMUnavailable says how to get a model when there is none."""
    if endpoint_configured(settings):
        return endpoint_target(settings)
    why_not = local_usable()
    if why_not is None:
        return local_target(settings, on_stage)
    raise LLMUnavailable(
        "no model to run the llm engine: set BRIEFING_LLM_BASE_URL (and OPENAI_API_KEY if it needs one) "
        f"for an OpenAI-compatible endpoint, or use the bundled model; {why_not}. "
        "--engine offline needs no model."
    )


def with_startup(briefing: Briefing, target: Target) -> Briefing:
    """Record the model's start-up time (the local model's load) among the timings."""
    if target.startup_s:
        briefing.stats.timings = {"model_start": target.startup_s, **briefing.stats.timings}
    return briefing


def _ping(target: Target) -> bool:
    from briefing.engines.chain import run_sync

    async def go() -> bool:
        async with target.make_client() as client:
            return await client.ping(timeout=PING_TIMEOUT)

    return run_sync(go)


def _offline(corpus: Corpus, max_points: int, reason: str) -> Briefing:
    from briefing.engines.offline import build

    log.warning("%s", reason)
    briefing = build(corpus, max_points=max_points)
    briefing.stats.degraded = f"{reason}; used the offline engine"
    return briefing


def build(corpus: Corpus, max_points: int, settings: Settings, on_stage: StageCallback = _quiet) -> Briefing:
    """The `auto` engine: the best model available, else the offline engine, saying why."""
    from briefing.engines.chain import run_with

    if endpoint_configured(settings):
        target = endpoint_target(settings)
        on_stage("connect")
        if not _ping(target):
            why = "GET /models failed (server down, wrong URL or key refused)"
            return _offline(corpus, max_points, f"{target.name} unreachable: {why}")
    else:
        why_not = local_usable()
        if why_not is not None:
            return _offline(corpus, max_points, f"no model endpoint configured and {why_not}")
        try:
            target = local_target(settings, on_stage)
        except LLMError as exc:
            return _offline(corpus, max_points, f"the local model could not start: {exc}")
    try:
        return with_startup(run_with(target.make_client, corpus, max_points, on_stage), target)
    except LLMError as exc:
        return _offline(corpus, max_points, f"{target.name} failed: {exc}")
