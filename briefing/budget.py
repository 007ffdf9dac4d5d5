"""A wall-clock budget per build, checked cooperatively by the stages that loop.

`build_briefing` opens a budget (`within(seconds)`); long loops call `check(stage)`,
which raises BuildBudgetExceeded once the time is spent. A context variable carries it,
so the stages need no extra argument and code outside a build is never limited.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from briefing.errors import BuildBudgetExceeded

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("build_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block under a budget of `seconds` (0 or less: no budget). Nested budgets
    keep the earlier deadline."""
    current = _deadline.get()
    if seconds <= 0:
        yield
        return
    end = time.monotonic() + seconds
    token = _deadline.set(current if current is not None and current[0] <= end else (end, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check(stage: str) -> None:
    """Raise BuildBudgetExceeded if the current build's budget is spent."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current[0]:
        raise BuildBudgetExceeded(
            f"the build ran past its {current[1]:g}-second budget (during {stage}); "
            "send fewer or shorter articles, or raise BRIEFING_BUILD_SECONDS",
            seconds=current[1],
        )
