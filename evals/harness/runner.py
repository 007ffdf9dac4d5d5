"""Run the eval cases through the real pipeline and the checker, and score each briefing."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from briefing.checks import annotate, check_briefing
from briefing.config import Settings
from briefing.errors import ConfigError
from briefing.models import Briefing
from briefing.pipeline import build_briefing
from briefing.prompts import manifest_hash
from evals.expect import Case, article_files, list_cases, load_case

from .metrics import Counts, Details, aggregate, metrics_from, score_case

DEFAULT_CASES = Path(__file__).resolve().parents[1] / "cases"


class PointSummary(BaseModel):
    text: str
    flags: list[str] = []
    origins: int = 1
    citations: int = 0
    support: str | None = None
    reasons: list[str] = []


class CaseResult(BaseModel):
    name: str
    articles: int = 0
    seconds: float = 0.0
    engine: str = Field("", description="engine that actually wrote the briefing (stats.engine)")
    engine_version: str = ""
    degraded: str | None = None
    error: str | None = None
    counts: Counts | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict)
    details: Details | None = None
    points: list[PointSummary] = []
    conflicts: list[str] = []


class SuiteResult(BaseModel):
    engine: str
    smoke: bool = False
    cases_dir: str
    prompt_manifest_hash: str
    started_at: datetime
    seconds: float = 0.0
    cases: list[CaseResult] = []
    counts: Counts = Counts()
    metrics: dict[str, float | None] = Field(default_factory=dict)

    @property
    def errors(self) -> list[CaseResult]:
        return [c for c in self.cases if c.error]


def case_dirs(cases_dir: str | Path | None = None, *, smoke: bool = False) -> list[Path]:
    """Case folders under `cases_dir`; with `smoke`, only the smallest (fewest article characters)."""
    dirs = list_cases(cases_dir if cases_dir is not None else DEFAULT_CASES)
    if smoke and dirs:
        size = {d: sum(f.stat().st_size for f in article_files(d)) for d in dirs}
        dirs = [min(dirs, key=lambda d: (size[d], d.name))]
    return dirs


def evaluate_briefing(case: Case, briefing: Briefing, *, use_embeddings: bool | None = False) -> CaseResult:
    """Check and score one briefing of `case` (no engine run)."""
    annotated = annotate(briefing, use_embeddings=use_embeddings)
    check = check_briefing(annotated, use_embeddings=use_embeddings)
    counts, details = score_case(case, annotated, check)
    return CaseResult(
        name=case.name,
        articles=len(case.articles),
        engine=briefing.stats.engine,
        engine_version=briefing.stats.engine_version,
        degraded=briefing.stats.degraded,
        counts=counts,
        metrics=metrics_from(counts),
        details=details,
        points=[
            PointSummary(
                text=p.text,
                flags=[f.kind for f in p.flags],
                origins=p.origins,
                citations=len(p.citations),
                support=p.support.label if p.support else None,
                reasons=p.support.reasons if p.support else [],
            )
            for p in annotated.points
        ],
        conflicts=[f"{c.subject} ({c.kind}): {' vs '.join(v.value for v in c.values)}" for c in annotated.conflicts],
    )


def run_case(
    case_dir: Path,
    *,
    engine: str = "offline",
    max_points: int | None = None,
    settings: Settings | None = None,
    use_embeddings: bool | None = False,
) -> CaseResult:
    """Load, brief and score one case; a failure becomes the result's `error` (ConfigError propagates)."""
    t0 = time.perf_counter()
    try:
        case = load_case(case_dir)
        briefing = build_briefing(case.articles, engine=engine, max_points=max_points, settings=settings)
        result = evaluate_briefing(case, briefing, use_embeddings=use_embeddings)
    except ConfigError:
        raise  # unknown engine, missing key: every case would fail the same way
    except Exception as exc:  # one broken case must not hide the others' numbers
        result = CaseResult(name=case_dir.name, error=f"{type(exc).__name__}: {exc}")
    result.seconds = round(time.perf_counter() - t0, 3)
    return result


def run_suite(
    cases_dir: str | Path | None = None,
    *,
    engine: str = "offline",
    smoke: bool = False,
    max_points: int | None = None,
    settings: Settings | None = None,
    use_embeddings: bool | None = False,
    on_case: Callable[[str, CaseResult | None], None] | None = None,
) -> SuiteResult:
    """Run every case (or the smoke case) with `engine`; per-case and overall counts and metrics.

    `use_embeddings` defaults to False so the numbers the gate compares do not depend on whether
    the optional embedding model happens to be installed. `on_case(name, None)` is called before
    a case runs and `on_case(name, result)` after.
    """
    t0 = time.perf_counter()
    root = Path(cases_dir) if cases_dir is not None else DEFAULT_CASES
    suite = SuiteResult(
        engine=engine,
        smoke=smoke,
        cases_dir=str(root),
        prompt_manifest_hash=manifest_hash(),
        started_at=datetime.now(UTC).replace(microsecond=0),
    )
    for d in case_dirs(root, smoke=smoke):
        if on_case:
            on_case(d.name, None)
        result = run_case(d, engine=engine, max_points=max_points, settings=settings, use_embeddings=use_embeddings)
        suite.cases.append(result)
        if on_case:
            on_case(d.name, result)
    suite.counts = aggregate(c.counts for c in suite.cases if c.counts is not None)
    suite.metrics = metrics_from(suite.counts)
    suite.seconds = round(time.perf_counter() - t0, 3)
    return suite
