"""The engine interface: a name, whether it runs synchronously, and `build(corpus, options)`.

`BuildOptions` is the one model of what a caller may choose per briefing (the engine and
the most points); the CLI, the API and the eval harness all read its choices and bounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field

from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.models import Briefing, Corpus

EngineName = Literal["offline", "llm", "auto"]
ENGINE_NAMES: tuple[str, ...] = get_args(EngineName)
MIN_POINTS, MAX_POINTS = 1, 50  # bounds on BuildOptions.max_points (CLI and API both read these)


class BuildOptions(BaseModel):
    """What a caller chooses for one briefing."""

    model_config = ConfigDict(extra="forbid")

    engine: EngineName = Field(
        "offline",
        description="offline answers at once (201); llm and auto build in the background (202).",
    )
    max_points: int | None = Field(
        None, ge=MIN_POINTS, le=MAX_POINTS, description="Most points in the briefing."
    )

    def points(self, settings: Settings) -> int:
        """`max_points`, else the deployment's default."""
        return self.max_points or settings.max_points


class Engine(Protocol):
    """A prepared corpus in, a Briefing out."""

    @property
    def name(self) -> str: ...

    @property
    def synchronous(self) -> bool:
        """True: runs on our CPU at once (inside the build budget; the API answers 201);
        False: waits on a model (its own timeouts; the API builds it in the background, 202)."""
        ...

    def build(
        self, corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet
    ) -> Briefing: ...
