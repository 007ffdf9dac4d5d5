"""Run the eval suites through the real pipeline and the checker, and score each briefing.

A run covers one or more suites (``evals/suites.py``); each suite reports its cases, its
halves (tuning / held-out, for a shared-schema suite) and its own overall row; the run adds
an overall row over every suite."""

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
from evals.loader import Case, article_files, list_cases, load_case
from evals.suites import Half, Suite

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


class Subtotal(BaseModel):
    """Counts and metrics over some of a suite's cases (a half) or over several suites."""

    name: str
    cases: list[str] = []
    counts: Counts = Counts()
    metrics: dict[str, float | None] = Field(default_factory=dict)


def subtotal(name: str, results: list[CaseResult]) -> Subtotal:
    counts = aggregate(c.counts for c in results if c.counts is not None)
    return Subtotal(name=name, cases=[c.name for c in results], counts=counts, metrics=metrics_from(counts))


class SuiteResult(BaseModel):
    engine: str
    suite: str = Field("cases", description="the suite's name (a folder's name for --suite PATH)")
    smoke: bool = False
    half: Half | None = Field(None, description="the one half of a split suite that ran (--half)")
    cases_dir: str
    prompt_manifest_hash: str
    started_at: datetime
    seconds: float = 0.0
    cases: list[CaseResult] = []
    counts: Counts = Counts()
    metrics: dict[str, float | None] = Field(default_factory=dict)
    halves: list[Subtotal] = Field(default_factory=list, description="tuning and held-out, where split")

    @property
    def errors(self) -> list[CaseResult]:
        return [c for c in self.cases if c.error]


class EvalRun(BaseModel):
    """Every suite of one `briefing eval` run, and the overall figures across them."""

    engine: str
    smoke: bool = False
    suites: list[SuiteResult] = []
    skipped: dict[str, str] = Field(default_factory=dict, description="suite -> why it did not run")
    counts: Counts = Counts()
    metrics: dict[str, float | None] = Field(default_factory=dict)
    seconds: float = 0.0


def _as_suite(suite: Suite | str | Path | None) -> Suite:
    if isinstance(suite, Suite):
        return suite
    root = Path(suite) if suite is not None else DEFAULT_CASES
    return Suite(name=root.resolve().name, root=root)


def case_dirs(suite: Suite | str | Path | None = None, *, smoke: bool = False, half: Half | None = None) -> list[Path]:
    """Case folders of a suite (or folder); with `half`, only that half of a split suite (a
    suite that is not split runs whole); with `smoke`, only the smallest (fewest article
    characters)."""
    spec = _as_suite(suite)
    dirs = list_cases(spec.root)
    names = spec.halves().get(half) if half else None
    if names is not None:
        dirs = [d for d in dirs if d.name in names]
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
    settings: Settings,
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
    cases_dir: Suite | str | Path | None = None,
    *,
    engine: str = "offline",
    smoke: bool = False,
    half: Half | None = None,
    max_points: int | None = None,
    settings: Settings,
    use_embeddings: bool | None = False,
    on_case: Callable[[str, CaseResult | None], None] | None = None,
) -> SuiteResult:
    """Run every case (or the smoke case) with `engine`; per-case and overall counts and metrics.

    `use_embeddings` defaults to False so the numbers the gate compares do not depend on whether
    the optional embedding model happens to be installed. `on_case(name, None)` is called before
    a case runs and `on_case(name, result)` after.
    """
    t0 = time.perf_counter()
    spec = _as_suite(cases_dir)
    root = spec.root
    suite = SuiteResult(
        engine=engine,
        suite=spec.name,
        smoke=smoke,
        half=half if spec.halves() else None,
        cases_dir=str(root),
        prompt_manifest_hash=manifest_hash(),
        started_at=datetime.now(UTC).replace(microsecond=0),
    )
    for d in case_dirs(spec, smoke=smoke, half=half):
        if on_case:
            on_case(d.name, None)
        result = run_case(d, engine=engine, max_points=max_points, settings=settings, use_embeddings=use_embeddings)
        suite.cases.append(result)
        if on_case:
            on_case(d.name, result)
    suite.counts = aggregate(c.counts for c in suite.cases if c.counts is not None)
    suite.metrics = metrics_from(suite.counts)
    for name, names in spec.halves().items():
        ran = [c for c in suite.cases if c.name in names]
        if ran:  # a smoke or one-half run covers one half
            suite.halves.append(subtotal(name, ran))
    suite.seconds = round(time.perf_counter() - t0, 3)
    return suite


def run_suites(
    suites: list[Suite],
    *,
    engine: str = "offline",
    smoke: bool = False,
    half: Half | None = None,
    max_points: int | None = None,
    settings: Settings,
    use_embeddings: bool | None = False,
    on_case: Callable[[str, CaseResult | None], None] | None = None,
) -> EvalRun:
    """Run every present suite; an absent one (its folder missing) is skipped with the reason."""
    t0 = time.perf_counter()
    run = EvalRun(engine=engine, smoke=smoke)
    for spec in suites:
        if spec.absent:
            run.skipped[spec.name] = spec.absent
            continue
        run.suites.append(run_suite(
            spec, engine=engine, smoke=smoke, half=half, max_points=max_points, settings=settings,
            use_embeddings=use_embeddings, on_case=on_case,
        ))  # fmt: skip
    run.counts = aggregate(s.counts for s in run.suites)
    run.metrics = metrics_from(run.counts)
    run.seconds = round(time.perf_counter() - t0, 3)
    return run
