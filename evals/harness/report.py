"""The run as JSON and as Markdown: per suite a table (one row per case, the suite's halves,
its overall row), then a table of every suite (and half) with the overall row across suites."""

from __future__ import annotations

import json

from .gate import GateResult, RunGate
from .metrics import METRICS
from .runner import CaseResult, EvalRun, SuiteResult

COLUMNS = ["case", "points", *[m.label for m in METRICS], "seconds"]


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _row(name: str, metrics: dict[str, float | None], points: int | str, seconds: float) -> list[str]:
    return [name, str(points), *[fmt(metrics.get(m.name)) for m in METRICS], f"{seconds:.2f}"]


def _half_seconds(suite: SuiteResult, names: list[str]) -> float:
    return sum(c.seconds for c in suite.cases if c.name in names)


def table_rows(suite: SuiteResult) -> list[list[str]]:
    """Cells for every case, then each half (tuning, held-out) where the suite is split, then
    the overall row (micro-averaged over cases that ran)."""
    rows = []
    for c in suite.cases:
        if c.error:
            rows.append([c.name, "error", *["—"] * len(METRICS), f"{c.seconds:.2f}"])
        else:
            rows.append(_row(c.name, c.metrics, c.counts.points if c.counts else 0, c.seconds))
    for h in suite.halves:
        rows.append(_row(f"{h.name} ({len(h.cases)})", h.metrics, h.counts.points, _half_seconds(suite, h.cases)))
    rows.append(_row("overall", suite.metrics, suite.counts.points, suite.seconds))
    return rows


def summary_rows(run: EvalRun) -> list[list[str]]:
    """One row per suite (and per half of a split suite), then the overall row across suites."""
    rows = []
    for s in run.suites:
        for h in s.halves:
            rows.append(_row(f"{s.suite} {h.name}", h.metrics, h.counts.points, _half_seconds(s, h.cases)))
        rows.append(_row(s.suite, s.metrics, s.counts.points, s.seconds))
    rows.append(_row("overall", run.metrics, run.counts.points, run.seconds))
    return rows


def case_misses(c: CaseResult) -> list[str]:
    if c.error:
        return [f"error: {c.error}"]
    d = c.details
    if d is None:
        return []
    sections = [
        ("key facts missed", ", ", d.key_facts_missed),
        ("conflicts missed", "; ", d.conflicts_missed),
        ("conflicts not expected", "; ", d.conflicts_unexpected),
        ("flag errors", "; ", d.flag_errors),
        ("flag expectations with no matching point", "; ", d.flag_expectations_unmatched),
        ("boilerplate leaked", "; ", d.boilerplate_leaks),
        ("**injection leaked**", "; ", d.injection_leaks),
        ("dedup", "; ", d.dedup_failures),
        ("invalid citations", "; ", d.citation_problems),
        ("false-conflict traps hit", "; ", d.false_conflict_traps),
        ("updates", "; ", d.updates_missed),
        ("thin-claim flags", "; ", d.thin_flag_errors),
        ("false single-source", "; ", d.false_single_source),
        ("titles", "; ", d.title_problems),
        ("lead", "; ", d.lead_problems),
        ("off-topic cited", ", ", d.off_topic_citations),
        ("fragments", "; ", d.fragments),
    ]
    parts = [f"{label}: {sep.join(items)}" for label, sep, items in sections if items]
    if c.degraded:
        parts.append(f"degraded: {c.degraded}")
    return parts


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: list[list[str]], first: str) -> list[str]:
    columns = [first, *COLUMNS[1:]]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(["---"] + ["---:"] * (len(columns) - 1)) + "|"]
    for row in rows:
        if row[0] == "overall":
            row = [f"**{x}**" for x in row]
        lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    return lines


def suite_markdown(suite: SuiteResult, gate: GateResult | None = None, *, level: str = "##") -> list[str]:
    """One suite's section: its table, its gate and what each case missed."""
    mode = "smoke" if suite.smoke else f"{len(suite.cases)} cases" + (f", {suite.half} half only" if suite.half else "")
    lines = [f"{level} Eval: `{suite.engine}` engine, suite `{suite.suite}` ({mode})", ""]
    lines += _table(table_rows(suite), "case")
    if suite.halves:
        split = "; ".join(f"{h.name}: {', '.join(h.cases)}" for h in suite.halves)
        lines += ["", f"Halves (case names sorted; quote the held-out figures): {split}."]
    lines += [
        "",
        f"Prompt manifest: `{suite.prompt_manifest_hash[:16]}`"
        + (f" (baseline `{gate.baseline_hash[:16]}`)" if gate and gate.baseline_hash else ""),
    ]
    if gate is not None:
        lines += ["", f"{level}# Gate ({suite.suite}): {'passed' if gate.passed else 'FAILED'}", ""]
        lines += [f"- {_cell(r)}" for r in gate.reasons]
        lines += [f"- note: {_cell(n)}" for n in gate.notes]
        if gate.comparisons:
            lines += ["", f"Compared over: {', '.join(gate.compared_cases)}", ""]
            lines += ["| metric | baseline | current | tolerance | status |", "|---|---:|---:|---:|---|"]
            for cmp in gate.comparisons:
                lines.append(
                    f"| {cmp.metric} | {fmt(cmp.baseline)} | {fmt(cmp.current)} | {cmp.tolerance:g} | {cmp.status} |"
                )
    misses = [(c.name, case_misses(c)) for c in suite.cases]
    if any(m for _, m in misses):
        lines += ["", f"{level}# What each case missed ({suite.suite})", ""]
        for name, parts in misses:
            if parts:
                lines.append(f"- **{name}**: " + " · ".join(_cell(p) for p in parts))
    return lines


def markdown(run: EvalRun | SuiteResult, gate: RunGate | GateResult | None = None) -> str:
    """The report a PR comment shows: every suite's section, then the table across suites."""
    if isinstance(run, SuiteResult):
        single = gate if isinstance(gate, GateResult) else None
        return _tidy(suite_markdown(run, single))
    lines: list[str] = []
    for s in run.suites:
        g = gate.suites.get(s.suite) if isinstance(gate, RunGate) else None
        lines += [*suite_markdown(s, g), ""]
    for name, why in run.skipped.items():
        lines += [f"Suite `{name}` skipped: {_cell(why)}.", ""]
    lines += [f"## Eval: `{run.engine}` engine, every suite", ""]
    lines += _table(summary_rows(run), "suite")
    lines += [
        "",
        "Overall = micro-average (summed counts) over the rows' cases; `n/a` = nothing to measure. "
        f"Lower is better for {_lower_better()}.",
    ]
    if gate is not None:
        lines += ["", f"**{gate.summary}**"]
    return _tidy(lines)


def _lower_better() -> str:
    names = [f"*{m.label}*" for m in METRICS if m.better == "lower"]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _tidy(lines: list[str]) -> str:
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"


def to_json(run: EvalRun | SuiteResult, gate: RunGate | GateResult | None = None) -> str:
    data = run.model_dump(mode="json")
    if isinstance(gate, RunGate):
        for s in data["suites"]:
            g = gate.suites.get(s["suite"])
            s["gate"] = None if g is None else {**g.model_dump(mode="json"), "summary": g.summary}
        data["gate"] = {"passed": gate.passed, "summary": gate.summary, "reasons": gate.reasons,
                        "skipped": gate.skipped}
    else:
        data["gate"] = None if gate is None else {**gate.model_dump(mode="json"), "summary": gate.summary}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
