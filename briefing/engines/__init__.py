"""Engines behind one interface: a prepared corpus in, a Briefing out.

`auto` tries a configured endpoint, then the bundled local model, then the offline
engine, and records in `stats.degraded` why it fell back.
"""

from __future__ import annotations

from collections.abc import Callable

from briefing.config import Settings
from briefing.errors import ConfigError
from briefing.models import Briefing, Corpus


StageCallback = Callable[[str], None]


def _offline(corpus: Corpus, max_points: int, settings: Settings, on_stage: StageCallback | None = None) -> Briefing:
    from briefing.engines.offline import build

    return build(corpus, max_points=max_points)



def _llm(corpus: Corpus, max_points: int, settings: Settings, on_stage: StageCallback | None = None) -> Briefing:
    from briefing.engines.chain import build

    return build(corpus, max_points, settings, on_stage or (lambda stage: None))


def _auto(corpus: Corpus, max_points: int, settings: Settings, on_stage: StageCallback | None = None) -> Briefing:
    from briefing.engines.auto import build

    return build(corpus, max_points, settings, on_stage or (lambda stage: None))


# fn(corpus, max_points, settings[, on_stage]) -> Briefing; on_stage gets step names ("claims 2/3")
ENGINES: dict[str, Callable[..., Briefing]] = {"offline": _offline, "llm": _llm, "auto": _auto}


def run_engine(
    name: str, corpus: Corpus, *, max_points: int, settings: Settings, on_stage: StageCallback | None = None
) -> Briefing:
    """Run the named engine; unknown names are a configuration error, not a crash."""
    try:
        engine = ENGINES[name]
    except KeyError:
        raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}") from None
    return engine(corpus, max_points, settings, on_stage)
