"""The offline engine: an extractive, cited briefing with no model at all.

Evidence comes from `briefing.evidence` (claims grouped, ranked and picked greedily).
Each point states its group's representative sentence verbatim, so its wording is
grounded by construction, cites one span per origin, and carries the flags the evidence
earns.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from briefing import budget, evidence as ev
from briefing.conflicts import MAX_CONFLICTS
from briefing.models import Briefing, BriefingStats, Conflict, Corpus, Point
from briefing.similarity import MAX_NEIGHBOURS
from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.engines.base import BuildOptions


ENGINE_VERSION = "0.1"


def build(corpus: Corpus, *, max_points: int = 8) -> Briefing:
    """Write a cited, flagged briefing from a prepared corpus."""
    start = time.perf_counter()
    evidence = ev.gather(corpus, neighbours=MAX_NEIGHBOURS)
    claims = evidence.claims
    points: list[Point] = []
    conflicts: list[Conflict] = []
    notes: list[str] = []
    if claims:
        conflicts = [d.conflict for d in evidence.conflicts]
        if len(evidence.conflicts) >= MAX_CONFLICTS:
            notes.append(f"listed the first {MAX_CONFLICTS} conflicts found; there may be more")
        for g in evidence.select(max_points):
            budget.check("composing points")
            points.append(evidence.point(claims[g.rep].text, evidence.support(g), g.members))
    elapsed = round(time.perf_counter() - start, 4)
    return Briefing(
        title=ev.title(evidence.sources, [p.text for p in points]),
        sources=evidence.sources,
        points=points,
        conflicts=conflicts,
        stats=BriefingStats.of(
            corpus.stats,
            points=len(points),
            engine="offline",
            engine_version=ENGINE_VERSION,
            timings={"compose": elapsed},
        ).model_copy(update={"truncated": [*corpus.stats.truncated, *notes]}),
    )


def build_engine(corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet) -> Briefing:
    """The registry's entry (engines/__init__.py)."""
    return build(corpus, max_points=options.points(settings))
