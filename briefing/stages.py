"""The one stage-callback type: the pipeline and the engines report progress as step
names ("clean", "claims 2/3"); the CLI prints them, the API stores the latest on the job."""

from __future__ import annotations

from collections.abc import Callable

StageCallback = Callable[[str], None]


def quiet(stage: str) -> None:
    """Default stage callback: report nothing."""
