"""The gate: compare each suite of a run with the last accepted baseline of its engine.

`evals/baseline.json` holds, per suite and engine, the prompt manifest hash the numbers were
taken with and the counts of every case, so a run over a subset of the cases (``--smoke``) is
compared with the baseline re-aggregated over the same cases. A run passes when every suite
it ran passes; a suite that could not run (its data absent) is skipped, not failed.

The gate fails when
- a case could not be run (its error is the reason);
- citation validity is below 1.0 or injection leakage above 0 (absolute; no baseline needed);
- the engine has no baseline, or shares no case with it;
- the prompt manifest hash differs from the baseline's (prompts/ changed): re-baseline on purpose;
- a metric is worse than the baseline by more than its tolerance (default 0.02 absolute;
  ``"tolerances"`` in baseline.json overrides it per metric name or ``"default"``).

``--update-baseline`` replaces the engine's entry with the run, unless an absolute rule fails.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from .metrics import METRICS, SPEC, Counts, aggregate, metrics_from
from .runner import EvalRun, SuiteResult

DEFAULT_BASELINE = Path(__file__).resolve().parents[1] / "baseline.json"
DEFAULT_TOLERANCE = 0.02
PROMPTS_CHANGED = "prompts/ changed since the baseline; re-run with --update-baseline"
EXACT = {"citation_validity": 1.0, "injection_leakage": 0.0}  # absolute rules, whatever the baseline
_EPS = 1e-9


class CaseBaseline(BaseModel):
    metrics: dict[str, float | None] = Field(default_factory=dict)
    counts: Counts


class EngineBaseline(BaseModel):
    prompt_manifest_hash: str
    updated_at: datetime
    engine_version: str = ""
    metrics: dict[str, float | None] = Field(default_factory=dict, description="overall, for readers")
    cases: dict[str, CaseBaseline] = Field(default_factory=dict)


class Baseline(BaseModel):
    schema_version: int = 2
    tolerances: dict[str, float] = Field(default_factory=lambda: {"default": DEFAULT_TOLERANCE})
    suites: dict[str, dict[str, EngineBaseline]] = Field(
        default_factory=dict, description="suite -> engine -> the last accepted run"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_v1(cls, data: object) -> object:
        """Schema 1 had one suite: its ``engines`` are the ``cases`` suite's."""
        if isinstance(data, dict) and "engines" in data and "suites" not in data:
            data = {**data, "schema_version": 2, "suites": {"cases": data["engines"]}}
            del data["engines"]
        return data

    def entry(self, suite: str, engine: str) -> EngineBaseline | None:
        return self.suites.get(suite, {}).get(engine)

    def tolerance(self, metric: str) -> float:
        if metric in EXACT:
            return 0.0  # validity must stay 1.0 and injection leakage 0, whatever the file says
        return self.tolerances.get(metric, self.tolerances.get("default", DEFAULT_TOLERANCE))


def load_baseline(path: str | Path = DEFAULT_BASELINE) -> Baseline:
    """The baseline file, or an empty baseline when there is none yet."""
    path = Path(path)
    if not path.exists():
        return Baseline()
    return Baseline.model_validate_json(path.read_text("utf-8"))


def save_baseline(baseline: Baseline, path: str | Path = DEFAULT_BASELINE) -> None:
    data = baseline.model_dump(mode="json")
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def accept(baseline: Baseline, suite: SuiteResult) -> Baseline:
    """A copy of `baseline` whose entry for the run's engine is the run."""
    engine_version = next((f"{c.engine} {c.engine_version}".strip() for c in suite.cases if c.engine), "")
    entry = EngineBaseline(
        prompt_manifest_hash=suite.prompt_manifest_hash,
        updated_at=datetime.now(UTC).replace(microsecond=0),
        engine_version=engine_version,
        metrics=suite.metrics,
        cases={
            c.name: CaseBaseline(metrics=c.metrics, counts=c.counts)
            for c in suite.cases
            if c.counts is not None
        },
    )
    engines = {**baseline.suites.get(suite.suite, {}), suite.engine: entry}
    return baseline.model_copy(update={"suites": {**baseline.suites, suite.suite: engines}})


def accept_run(baseline: Baseline, run: EvalRun) -> Baseline:
    """`accept` for every suite the run covered (skipped suites keep their entries)."""
    for suite in run.suites:
        baseline = accept(baseline, suite)
    return baseline


class Comparison(BaseModel):
    metric: str
    baseline: float | None
    current: float | None
    tolerance: float
    status: Literal["ok", "better", "regressed", "n/a"]


class GateResult(BaseModel):
    passed: bool
    reasons: list[str] = Field(default_factory=list, description="why it failed; empty when passed")
    notes: list[str] = Field(default_factory=list, description="worth reading, not failing")
    comparisons: list[Comparison] = Field(default_factory=list)
    compared_cases: list[str] = Field(default_factory=list)
    baseline_hash: str | None = None
    current_hash: str = ""

    @property
    def summary(self) -> str:
        """The one line the command ends with."""
        if self.passed:
            return "gate passed"
        return "gate failed: " + "; ".join(self.reasons)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{round(v, 4):g}"


def compare(
    baseline: Counts, current: Counts, tolerances: Baseline, measured: set[str] | None = None
) -> list[Comparison]:
    """Metric by metric, current vs baseline, with each metric's direction and tolerance.
    A metric not in `measured` (added after the baseline was accepted) is n/a, not compared
    with the zero its missing counts would give."""
    b, c = metrics_from(baseline), metrics_from(current)
    out = []
    for m in METRICS:
        tol = tolerances.tolerance(m.name)
        bv, cv = b[m.name], c[m.name]
        if measured is not None and m.name not in measured:
            bv = None
        if bv is None or cv is None:
            status = "n/a"
        else:
            delta = cv - bv if m.better == "higher" else bv - cv  # > 0 means better
            status = "regressed" if delta < -tol - _EPS else "better" if delta > _EPS else "ok"
        out.append(Comparison(metric=m.name, baseline=bv, current=cv, tolerance=tol, status=status))
    return out


def _absolute_failures(suite: SuiteResult) -> list[str]:
    reasons = [f"case {c.name} failed: {c.error}" for c in suite.cases if c.error]
    if not suite.cases:
        reasons.append(f"no eval cases found in {suite.cases_dir}")
    validity = suite.metrics.get("citation_validity")
    if validity is not None and validity < EXACT["citation_validity"] - _EPS:
        reasons.append(f"citation_validity {_fmt(validity)} < 1 (must stay 1.0)")
    leak = suite.metrics.get("injection_leakage")
    if leak is not None and leak > EXACT["injection_leakage"] + _EPS:
        bad = [c.name for c in suite.cases if (c.metrics.get("injection_leakage") or 0) > 0]
        reasons.append(f"injection_leakage {_fmt(leak)} > 0 in {', '.join(bad)} (must stay 0)")
    return reasons


def check_gate(suite: SuiteResult, baseline: Baseline, *, update: bool = False) -> GateResult:
    """Judge the run against the baseline entry of its engine (see the module docstring)."""
    reasons = _absolute_failures(suite)
    notes: list[str] = []
    result = GateResult(passed=False, current_hash=suite.prompt_manifest_hash)
    entry = baseline.entry(suite.suite, suite.engine)
    if entry is None:
        if not update:
            reasons.append(f"no baseline for engine {suite.engine!r} in suite {suite.suite!r}; "
                           "re-run with --update-baseline to accept this run")
        result.reasons, result.passed = reasons, not reasons
        return result
    result.baseline_hash = entry.prompt_manifest_hash
    run = {c.name: c.counts for c in suite.cases if c.counts is not None}  # errored cases have none
    shared = [n for n in run if n in entry.cases]
    result.compared_cases = shared
    new = [n for n in run if n not in entry.cases]
    if new:
        notes.append(f"not in the baseline (not compared): {', '.join(new)}")
    if not shared and run:
        if not update:
            reasons.append(f"no case of this run is in the baseline for {suite.engine!r}; re-run with --update-baseline")
    elif shared:
        measured = set(entry.metrics)
        unmeasured = [m.name for m in METRICS if m.name not in measured]
        if unmeasured:
            notes.append(f"not in the baseline yet (not compared): {', '.join(unmeasured)}")
        result.comparisons = compare(
            aggregate(entry.cases[n].counts for n in shared), aggregate(run[n] for n in shared), baseline,
            measured,
        )
        for cmp in result.comparisons:
            if cmp.status == "regressed" and cmp.metric not in EXACT:  # EXACT: reported above
                sign = "-" if SPEC[cmp.metric].better == "higher" else "+"
                text = (f"{cmp.metric} regressed: {_fmt(cmp.current)} vs baseline {_fmt(cmp.baseline)} "
                        f"({sign}{_fmt(cmp.tolerance)} allowed)")
                (notes if update else reasons).append(text)
        for n in shared:
            for cmp in compare(entry.cases[n].counts, run[n], baseline, measured):
                if cmp.status == "regressed":
                    notes.append(f"{n}: {cmp.metric} {_fmt(cmp.baseline)} -> {_fmt(cmp.current)}")
    if entry.prompt_manifest_hash != suite.prompt_manifest_hash:
        if update:
            notes.append("prompts/ changed since the baseline; accepting the new prompt manifest")
        else:
            reasons.append(PROMPTS_CHANGED)
    result.reasons, result.notes, result.passed = reasons, notes, not reasons
    return result


class RunGate(BaseModel):
    """The gate over every suite of a run."""

    suites: dict[str, GateResult] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list, description="failures not tied to one suite")
    skipped: dict[str, str] = Field(default_factory=dict, description="suite -> why it did not run")

    @property
    def passed(self) -> bool:
        return not self.reasons and all(g.passed for g in self.suites.values())

    @property
    def summary(self) -> str:
        """The one line the command ends with (suite names prefix reasons when several ran)."""
        if self.passed and not self.suites and self.skipped:
            return "gate skipped: " + "; ".join(f"suite {k}: {v}" for k, v in self.skipped.items())
        if self.passed:
            return "gate passed"
        several = len(self.suites) > 1
        reasons = list(self.reasons)
        for name, g in self.suites.items():
            reasons += [f"{name}: {r}" if several else r for r in g.reasons]
        return "gate failed: " + "; ".join(reasons)


def check_run(run: EvalRun, baseline: Baseline, *, update: bool = False) -> RunGate:
    """`check_gate` for every suite that ran. A suite whose data is absent is skipped, not
    failed (a checkout without ../shared still gates its own cases)."""
    gates = {s.suite: check_gate(s, baseline, update=update) for s in run.suites}
    return RunGate(suites=gates, skipped=run.skipped)
