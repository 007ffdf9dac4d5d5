"""Which model the llm chain talks to: a configured endpoint, else the bundled local model.

    configured endpoint (BRIEFING_LLM_BASE_URL or OPENAI_API_KEY set)
    → else the bundled local model, if installed and not switched off
    → else LLMUnavailable saying how to get either.

`BRIEFING_LOCAL_MODEL=off` (also 0/false/no/none; `Settings.local_model`) keeps every
engine away from the local model, e.g. in tests or on machines too small for it.

The local server is started once per process, on first use (never at import), shared by
every briefing, and stopped at interpreter exit (LocalModelServer registers that).
Both the `llm` and the `auto` engine choose through here; neither imports the other.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from briefing.errors import LLMUnavailable
from briefing.models import Briefing
from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.llm import LLMClient
    from briefing.local_model import LocalModelServer

LOCAL_SWITCH = "BRIEFING_LOCAL_MODEL"  # the environment variable behind Settings.local_model
_OFF = {"off", "0", "false", "no", "none"}
PING_TIMEOUT = 5.0
R = TypeVar("R")

_local: LocalModelServer | None = None
_local_lock = threading.Lock()


@dataclass
class Target:
    """A model the chain can talk to."""

    name: str  # for messages: "model endpoint http://…" / "the local model"
    model: str  # the model's name as its endpoint reports it (eval records are keyed by it)
    make_client: Callable[[], LLMClient]
    startup_s: float = 0.0  # time it took to get it running (the local model's load)


def endpoint_configured(settings: Settings) -> bool:
    return bool(settings.llm_base_url or settings.openai_api_key)


def local_switched_off(settings: Settings) -> bool:
    return settings.local_model.strip().lower() in _OFF


def local_usable(settings: Settings) -> str | None:
    """None when the local model can be used, else why not."""
    from briefing import local_model

    if local_switched_off(settings):
        return f"the local model is switched off ({LOCAL_SWITCH}={settings.local_model})"
    if not local_model.is_installed():
        return f"the local model is not installed ({local_model.INSTALL_HINT})"
    return None


def endpoint_target(settings: Settings) -> Target:
    from briefing import llm

    url = settings.llm_base_url or "https://api.openai.com/v1"
    return Target(
        f"model endpoint {url} (model {settings.llm_model})", settings.llm_model, lambda: llm.from_settings(settings)
    )


def local_server(settings: Settings) -> LocalModelServer:
    """The process's local model server, started on first use (tens of seconds on CPU)."""
    global _local
    from briefing.local_model import LocalModelServer

    with _local_lock:
        if _local is None or not _local.running:
            server = LocalModelServer(
                data_dir=settings.data_dir, n_threads=settings.local_threads or None, n_parallel=settings.local_parallel
            )
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


def local_target(settings: Settings, on_stage: StageCallback = quiet) -> Target:
    from briefing.cache import ResponseCache
    from briefing.local_model import MODEL_NAME

    on_stage("local model")
    started = time.perf_counter()
    server = local_server(settings)
    return Target(
        "the local model",
        MODEL_NAME,
        lambda: server.client(
            timeout=max(settings.llm_timeout, 300.0),  # a CPU model answers slowly, not never
            max_retries=settings.llm_max_retries,
            cache=ResponseCache.from_settings(settings),
        ),
        startup_s=round(time.perf_counter() - started, 4),
    )


def llm_target(settings: Settings, on_stage: StageCallback = quiet) -> Target:
    """What `--engine llm` talks to; LLMUnavailable says how to get a model when there is none."""
    if endpoint_configured(settings):
        return endpoint_target(settings)
    why_not = local_usable(settings)
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


def run_sync(make: Callable[[], Coroutine[Any, Any, R]]) -> R:
    """Run a coroutine to completion on a fresh loop (in a worker thread if this one has a loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="briefing-chain") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def ping(target: Target) -> bool:
    """Whether the target answers GET /models within PING_TIMEOUT."""

    async def go() -> bool:
        async with target.make_client() as client:
            return await client.ping(timeout=PING_TIMEOUT)

    return run_sync(go)
