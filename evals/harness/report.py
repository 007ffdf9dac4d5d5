"""The run as JSON and as a Markdown table (one row per case, then the overall row)."""

from __future__ import annotations

import json

from .gate import GateResult
from .metrics import METRICS
from .runner import CaseResult, SuiteResult

COLUMNS = ["case", "points", *[m.label for m in METRICS], "seconds"]


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _row(name: str, metrics: dict[str, float | None], points: int | str, seconds: float) -> list[str]:
    return [name, str(points), *[fmt(metrics.get(m.name)) for m in METRICS], f"{seconds:.2f}"]


def table_rows(suite: SuiteResult) -> list[list[str]]:
    """Cells for every case, then the overall row (micro-averaged over cases that ran)."""
    rows = []
    for c in suite.cases:
        if c.error:
            rows.append([c.name, "error", *["—"] * len(METRICS), f"{c.seconds:.2f}"])
        else:
            rows.append(_row(c.name, c.metrics, c.counts.points if c.counts else 0, c.seconds))
    rows.append(_row("overall", suite.metrics, suite.counts.points, suite.seconds))
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
    ]
    parts = [f"{label}: {sep.join(items)}" for label, sep, items in sections if items]
    if c.degraded:
        parts.append(f"degraded: {c.degraded}")
    return parts


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(suite: SuiteResult, gate: GateResult | None = None) -> str:
    """The report a PR comment shows: the table, the gate and what each case missed."""
    mode = "smoke" if suite.smoke else f"{len(suite.cases)} cases"
    lines = [f"## Eval: `{suite.engine}` engine ({mode})", ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(COLUMNS) - 1)) + "|")
    for row in table_rows(suite):
        if row[0] == "overall":
            row = [f"**{x}**" for x in row]
        lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    lines += [
        "",
        "Overall = micro-average (summed counts) over the cases above; `n/a` = nothing to measure. "
        "Lower is better for *unsupported*, *boilerplate* and *injection*.",
        "",
        f"Prompt manifest: `{suite.prompt_manifest_hash[:16]}`"
        + (f" (baseline `{gate.baseline_hash[:16]}`)" if gate and gate.baseline_hash else ""),
    ]
    if gate is not None:
        lines += ["", f"### Gate: {'passed' if gate.passed else 'FAILED'}", ""]
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
        lines += ["", "### What each case missed", ""]
        for name, parts in misses:
            if parts:
                lines.append(f"- **{name}**: " + " · ".join(_cell(p) for p in parts))
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"


def to_json(suite: SuiteResult, gate: GateResult | None = None) -> str:
    data = suite.model_dump(mode="json")
    data["gate"] = None if gate is None else {**gate.model_dump(mode="json"), "summary": gate.summary}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
