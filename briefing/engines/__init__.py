"""Engines behind one interface (`base.Engine`): a prepared corpus in, a Briefing out.

`ENGINES` is the one registry the CLI, the API and the eval harness read: its keys are
the `engine` choices of `BuildOptions`, and each engine says whether it runs
synchronously. An engine's module is imported when it first builds (its `build_engine`),
so reading the registry (the CLI's options, the API's schemas) stays cheap.

    offline  extractive, no model (engines/offline.py)
    llm      a prompt chain on the configured endpoint or the local model (engines/chain.py)
    auto     llm when a model answers, else offline, saying why (engines/auto.py)
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, cast

from briefing.engines.base import ENGINE_NAMES, BuildOptions, Engine, EngineName
from briefing.errors import ConfigError
from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.models import Briefing, Corpus

__all__ = ["ENGINES", "BuildOptions", "Engine", "EngineName", "get_engine", "run_engine"]


@dataclass(frozen=True)
class Registered:
    """An engine in the registry; its module's `build_engine` does the work."""

    name: str
    synchronous: bool
    module: str

    def build(
        self, corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet
    ) -> Briefing:
        impl = import_module(self.module)
        return cast("Briefing", impl.build_engine(corpus, options, settings=settings, on_stage=on_stage))


ENGINES: dict[str, Engine] = {
    e.name: e
    for e in (
        Registered("offline", True, "briefing.engines.offline"),
        Registered("llm", False, "briefing.engines.chain"),
        Registered("auto", False, "briefing.engines.auto"),
    )
}
assert tuple(ENGINES) == ENGINE_NAMES, "BuildOptions.engine's choices are the registry's names"


def get_engine(name: str) -> Engine:
    """The named engine; unknown names are a configuration error, not a crash."""
    try:
        return ENGINES[name]
    except KeyError:
        raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}") from None


def run_engine(
    name: str, corpus: Corpus, *, max_points: int, settings: Settings, on_stage: StageCallback | None = None
) -> Briefing:
    """Run the named engine (a shortcut for `get_engine(name).build(...)`)."""
    engine = get_engine(name)
    options = BuildOptions.model_construct(engine=cast(EngineName, engine.name), max_points=max_points)
    return engine.build(corpus, options, settings=settings, on_stage=on_stage or quiet)
