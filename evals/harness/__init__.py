"""The eval harness: run every suite through the real pipeline, score it, gate it.

    from briefing.config import get_settings
    from evals.harness import run_suites, load_baseline, check_run, markdown
    from evals.suites import resolve_suites
    settings = get_settings()
    run = run_suites(resolve_suites(None, settings), engine="offline", settings=settings)  # per case, half, suite, overall
    gate = check_run(run, load_baseline())  # vs evals/baseline.json
    print(markdown(run, gate)); print(gate.summary)

The command line is `briefing eval` (briefing/cli_eval.py). Metric definitions: metrics.py and
evals/README.md ("Running the eval suite").
"""

from . import ratchet
from .gate import (
    DEFAULT_BASELINE,
    PROMPTS_CHANGED,
    Baseline,
    GateResult,
    RunGate,
    accept,
    accept_run,
    check_gate,
    check_run,
    load_baseline,
    save_baseline,
)
from .metrics import METRIC_NAMES, METRICS, Counts, Details, loose_value_match, metrics_from, score_case
from .report import markdown, summary_rows, table_rows, to_json
from .runner import (
    DEFAULT_CASES,
    CaseResult,
    EvalRun,
    SuiteResult,
    case_dirs,
    evaluate_briefing,
    run_case,
    run_suite,
    run_suites,
)

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
    "EvalRun",
    "GateResult",
    "RunGate",
    "SuiteResult",
    "accept",
    "accept_run",
    "case_dirs",
    "check_gate",
    "check_run",
    "evaluate_briefing",
    "load_baseline",
    "loose_value_match",
    "markdown",
    "metrics_from",
    "run_case",
    "run_suite",
    "run_suites",
    "ratchet",
    "save_baseline",
    "score_case",
    "summary_rows",
    "table_rows",
    "to_json",
]
