"""The offline engine: an extractive, cited briefing with no model at all.

Evidence comes from `briefing.evidence` (claims grouped, ranked and picked greedily).
Each point states its group's representative sentence verbatim, so its wording is
grounded by construction, cites one span per origin, and carries the flags the evidence
earns.

The llm engine starts from this same briefing: it calls `gather`, adjusts the evidence's
conflicts, calls `compose`, and lets a model reword only what code can verify.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefing import budget, evidence as ev
from briefing.conflicts import MAX_CONFLICTS
from briefing.models import Briefing, BriefingStats, Corpus, Point
from briefing.similarity import MAX_NEIGHBOURS
from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.claims import Claim
    from briefing.config import Settings
    from briefing.engines.base import BuildOptions


ENGINE_VERSION = "0.1"


@dataclass
class Composed:
    """The extractive briefing's points, each with the claims it cites (for an engine that
    rewords them) and notes for `stats.truncated`."""

    points: list[Point] = field(default_factory=list)
    cited: list[list[Claim]] = field(default_factory=list)
    members: list[list[int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def gather(corpus: Corpus) -> ev.Evidence:
    """The shared evidence, as this engine reads it."""
    return ev.gather(corpus, neighbours=MAX_NEIGHBOURS)


def compose(evidence: ev.Evidence, max_points: int) -> Composed:
    """One verbatim point per selected group, flagged from `evidence.conflicts` as they stand."""
    out = Composed()
    if not evidence.claims:
        return out
    if len(evidence.conflicts) >= MAX_CONFLICTS:
        out.notes.append(f"listed the first {MAX_CONFLICTS} conflicts found; there may be more")
    for g in evidence.select(max_points):
        budget.check("composing points")
        support = evidence.support(g)
        out.points.append(evidence.point(evidence.claims[g.rep].text, support, g.told))
        out.cited.append(support)
        out.members.append(g.told)
    return out


def build(corpus: Corpus, *, max_points: int = 8) -> Briefing:
    """Write a cited, flagged briefing from a prepared corpus."""
    start = time.perf_counter()
    evidence = gather(corpus)
    composed = compose(evidence, max_points)
    elapsed = round(time.perf_counter() - start, 4)
    return Briefing(
        title=ev.title(evidence.sources, [p.text for p in composed.points]),
        sources=evidence.sources,
        points=composed.points,
        conflicts=[d.conflict for d in evidence.conflicts],
        stats=BriefingStats.of(
            corpus.stats,
            points=len(composed.points),
            engine="offline",
            engine_version=ENGINE_VERSION,
            timings={"compose": elapsed},
        ).model_copy(update={"truncated": [*corpus.stats.truncated, *composed.notes]}),
    )


def build_engine(corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet) -> Briefing:
    """The registry's entry (engines/__init__.py)."""
    return build(corpus, max_points=options.points(settings))
