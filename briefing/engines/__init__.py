"""Engines behind one interface (`base.Engine`): a prepared corpus in, a Briefing out.

`ENGINES` is the one registry the CLI, the API and the eval harness read: its keys are
the `engine` choices of `BuildOptions`, and each engine says whether it runs
synchronously. An engine's module is imported when it first builds, so reading the
registry (the CLI's options, the API's schemas) stays cheap.

    offline  extractive, no model (engines/offline.py)
    llm      a prompt chain on the configured endpoint or the local model (engines/chain.py)
    auto     llm when a model answers, else offline, saying why (engines/auto.py)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.engines.base import ENGINE_NAMES, BuildOptions, Engine, EngineName
from briefing.errors import ConfigError
from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.models import Briefing, Corpus

__all__ = ["ENGINES", "BuildOptions", "Engine", "EngineName", "get_engine", "run_engine"]


class OfflineEngine:
    name = "offline"
    synchronous = True

    def build(
        self, corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet
    ) -> Briefing:
        from briefing.engines import offline

        return offline.build(corpus, max_points=options.points(settings))


class LlmEngine:
    name = "llm"
    synchronous = False

    def build(
        self, corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet
    ) -> Briefing:
        from briefing.engines import chain

        return chain.build(corpus, options.points(settings), settings, on_stage)


class AutoEngine:
    name = "auto"
    synchronous = False

    def build(
        self, corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet
    ) -> Briefing:
        from briefing.engines import auto

        return auto.build(corpus, options.points(settings), settings, on_stage)


ENGINES: dict[str, Engine] = {e.name: e for e in (OfflineEngine(), LlmEngine(), AutoEngine())}
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
    options = BuildOptions.model_construct(engine=name, max_points=max_points)
    return engine.build(corpus, options, settings=settings, on_stage=on_stage or quiet)
