"""The eval harness: run every case in evals/cases through the real pipeline, score it, gate it.

    from evals.harness import run_suite, load_baseline, check_gate, markdown
    suite = run_suite(engine="offline")            # per-case + overall counts and metrics
    gate = check_gate(suite, load_baseline())      # vs evals/baseline.json
    print(markdown(suite, gate)); print(gate.summary)

The command line is `briefing eval` (briefing/cli_eval.py). Metric definitions: metrics.py and
evals/README.md ("Running the eval suite").
"""

from .gate import (
    DEFAULT_BASELINE,
    PROMPTS_CHANGED,
    Baseline,
    GateResult,
    accept,
    check_gate,
    load_baseline,
    save_baseline,
)
from .metrics import METRIC_NAMES, METRICS, Counts, Details, loose_value_match, metrics_from, score_case
from .report import markdown, table_rows, to_json
from .runner import DEFAULT_CASES, CaseResult, SuiteResult, case_dirs, evaluate_briefing, run_case, run_suite

__all__ = [
    "DEFAULT_BASELINE",
    "DEFAULT_CASES",
    "METRICS",
    "METRIC_NAMES",
    "PROMPTS_CHANGED",
    "Baseline",
    "CaseResult",
    "Counts",
    "Details",
    "GateResult",
    "SuiteResult",
    "accept",
    "case_dirs",
    "check_gate",
    "evaluate_briefing",
    "load_baseline",
    "loose_value_match",
    "markdown",
    "metrics_from",
    "run_case",
    "run_suite",
    "save_baseline",
    "score_case",
    "table_rows",
    "to_json",
]
