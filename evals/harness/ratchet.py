"""The ratchet on the model: per model, both engines side by side on a split suite, and the
verdict `auto` reads (briefing/engines/record.py).

A model is *ahead* when, on the held-out half, it is at least as good as the offline engine
on every scored metric (no tolerance) and strictly better on a deciding metric (conflict
recall: what a reader cannot get without a model; words per key fact: the same facts told in
fewer words). A metric offline had nothing to score on (n/a) counts against the model when the
model made errors of that kind there. The verdict is computed from the accepted
baseline (both engines' per-case counts), so it changes only when a run is accepted.
"""

from __future__ import annotations


from pathlib import Path

from briefing.engines.record import RECORDS_FILE, Metric, ModelRecord, load_records

from ..suites import split_halves
from .gate import Baseline, Comparison, EngineBaseline, compare
from .metrics import SPEC, Counts, aggregate


DEFAULT_RECORDS = Path(__file__).resolve().parents[1] / RECORDS_FILE
DECIDING = ("conflict_recall", "words_per_fact")  # the two: disagreements found, conciseness
_LEVEL = Baseline(tolerances={"default": 0.0})  # "at least as good" means no tolerance
_NOT_A_RATE = {"words_per_fact"}  # its numerator counts words, not errors
_STATUS = {"better": "ahead", "ok": "level", "regressed": "behind", "n/a": "n/a"}


def model_of(engine_version: str) -> str:
    """'llm 0.1 (qwen2.5-coder-1.5b-instruct-q4_k_m)' -> 'qwen2.5-coder-1.5b-instruct-q4_k_m'."""
    if "(" in engine_version and engine_version.endswith(")"):
        return engine_version[engine_version.rindex("(") + 1 : -1]
    return ""


def _counts(entry: EngineBaseline, names: list[str]) -> Counts:
    return aggregate(entry.cases[n].counts for n in names)


def side_by_side(offline: EngineBaseline, llm: EngineBaseline) -> dict[str, list[Metric]]:
    """Per half ({"tuning", "held-out"}), every metric of both engines over their shared cases."""
    shared = sorted(set(offline.cases) & set(llm.cases))
    out = {}
    for half, names in split_halves(shared).items():
        if names:
            counts = _counts(llm, names)
            comparisons = compare(_counts(offline, names), counts, _LEVEL)
            out[half] = [
                Metric(name=c.metric, label=SPEC[c.metric].label, offline=c.baseline, llm=c.current, status=_status(c, counts))
                for c in comparisons
            ]
    return out


def _status(c: Comparison, llm: Counts) -> str:
    """`compare`'s verdict, except where offline had nothing to score (n/a) and the llm did: an
    error offline never risked (a thin claim stated without its flag, a conflict it alone reports
    wrongly) puts the model behind; none leaves it level."""
    if c.status != "n/a" or c.current is None or c.metric in _NOT_A_RATE:
        return _STATUS[c.status]
    spec = SPEC[c.metric]
    num, den = getattr(llm, spec.numerator), getattr(llm, spec.denominator)
    errors = den - num if spec.better == "higher" else num
    return "behind" if errors > 0 else "level"


def record(baseline: Baseline, suite: str = "dev") -> ModelRecord | None:
    """The llm entry's model judged against offline on `suite`'s held-out half; None when the
    suite lacks either engine or is not split."""
    offline, llm = baseline.entry(suite, "offline"), baseline.entry(suite, "llm")
    if offline is None or llm is None or not model_of(llm.engine_version):
        return None
    halves = side_by_side(offline, llm)
    if "held-out" not in halves:
        return None
    metrics = halves["held-out"]
    behind = any(m.status == "behind" for m in metrics)
    ahead_on = any(m.status == "ahead" for m in metrics if m.name in DECIDING)
    shared = sorted(set(offline.cases) & set(llm.cases))
    return ModelRecord(
        model=model_of(llm.engine_version),
        suite=suite,
        half="held-out",
        cases=split_halves(shared)["held-out"],
        recorded_at=llm.updated_at if llm.updated_at > offline.updated_at else offline.updated_at,
        prompt_manifest_hash=llm.prompt_manifest_hash,
        metrics=metrics,
        ahead=not behind and ahead_on,
        deciding=list(DECIDING),
    )


def update_records(baseline: Baseline, path: Path = DEFAULT_RECORDS, suite: str = "dev") -> ModelRecord | None:
    """Write the llm model's record (others' records stay); the record, or None when none."""
    new = record(baseline, suite)
    if new is None:
        return None
    records = load_records(path)
    records.models[new.model] = new
    path.write_text(records.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return new


def markdown(baseline: Baseline, suite: str, *, note: str = "") -> str:
    """Both engines per half as a Markdown table ('' when the suite lacks one of them)."""
    offline, llm = baseline.entry(suite, "offline"), baseline.entry(suite, "llm")
    if offline is None or llm is None:
        return ""
    halves = side_by_side(offline, llm)
    if not halves:
        return ""
    model = model_of(llm.engine_version) or "?"
    head = ["metric", *[f"{e} {h}" for h in halves for e in ("offline", "llm")]]
    lines = [
        f"### Both engines, suite {suite} (llm: {model}){note}",
        "",
        "| " + " | ".join(head) + " |",
        "|---|" + "---:|" * (len(head) - 1),
    ]
    by_half = list(halves.values())
    for i, m in enumerate(by_half[0]):
        cells = []
        for metrics in by_half:
            x = metrics[i]
            mark = {"ahead": " ▲", "behind": " ▼"}.get(x.status, "")
            cells += [_fmt(x.offline), _fmt(x.llm) + mark]
        lines.append(f"| {m.label} | " + " | ".join(cells) + " |")
    verdict = record(baseline, suite)
    if verdict is not None:
        lines += [
            "",
            f"`auto` with {verdict.model}: "
            + ("ahead, runs the chain" if verdict.ahead else f"builds offline: {verdict.why_not()}"),
        ]
    return "\n".join(lines) + "\n"


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}"
