"""The eval harness and its gate, on the real offline engine over copies of real cases.

Every test works in tmp_path (cases, baseline, prompts) through a tiny typer app that mounts
`eval_command` the way briefing/cli.py does, so nothing here touches evals/baseline.json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from briefing.cli_eval import eval_command
from briefing.config import Settings
from briefing.models import Citation, Conflict, ConflictValue
from briefing.pipeline import build_briefing
from evals.harness import (
    DEFAULT_BASELINE,
    METRIC_NAMES,
    PROMPTS_CHANGED,
    evaluate_briefing,
    load_baseline,
    loose_value_match,
    run_suite,
)
from evals.loader import list_cases, load_case

ROOT = Path(__file__).resolve().parents[1]

CASES = ROOT / "evals" / "cases"
INJECTION_CASE = "outbreak-injection"
SMALL_CASE = "merger-closing-date"

app = typer.Typer()
app.command("eval")(eval_command)


@app.callback()
def _root() -> None:
    """Keep `eval` a subcommand, as on the real app."""


runner = CliRunner()


def _copy(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "cases"
    for name in names:
        shutil.copytree(CASES / name, root / name)
    return root


def _eval(*args: str) -> tuple[int, list[str], str]:
    result = runner.invoke(app, ["eval", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    return result.exit_code, lines, result.output


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    return _copy(tmp_path, INJECTION_CASE, SMALL_CASE)


@pytest.fixture
def accepted(tmp_path: Path, cases: Path) -> Path:
    """A baseline accepted from a run over `cases`."""
    baseline = tmp_path / "baseline.json"
    code, lines, out = _eval("--cases", str(cases), "--baseline", str(baseline), "--update-baseline")
    assert code == 0, out
    assert lines[-1] == "gate passed"
    return baseline


def test_suite_reports_per_case_and_overall(tmp_path: Path, cases: Path) -> None:
    report, table = tmp_path / "report.json", tmp_path / "report.md"
    code, lines, out = _eval(
        "--cases", str(cases), "--baseline", str(tmp_path / "none.json"),
        "--json", str(report), "--markdown", str(table),
    )
    [suite] = json.loads(report.read_text())["suites"]
    assert suite["suite"] == "cases"  # a folder's suite is named after it
    assert [c["name"] for c in suite["cases"]] == sorted([INJECTION_CASE, SMALL_CASE])
    for case in suite["cases"]:
        assert case["error"] is None
        assert set(case["metrics"]) == set(METRIC_NAMES)
        assert case["metrics"]["citation_validity"] == 1.0
        assert case["counts"]["points"] > 0
        assert all(p["support"] in ("supported", "partial", "unsupported") for p in case["points"])
    overall = suite["metrics"]
    assert set(overall) == set(METRIC_NAMES)
    assert overall["citation_validity"] == 1.0
    assert overall["injection_leakage"] == 0.0  # the planted instruction never reaches the briefing
    assert 0.0 <= overall["key_fact_coverage"] <= 1.0
    assert suite["counts"]["payloads"] == 2 and suite["counts"]["payload_leaked"] == 0

    md = table.read_text()
    rows = [ln for ln in md.splitlines() if ln.startswith("| ")]
    assert rows[0].startswith("| case | points | validity")
    assert [r.split("|")[1].strip() for r in rows[1:3]] == sorted([INJECTION_CASE, SMALL_CASE])
    assert rows[3].startswith("| **overall**")
    # no baseline for these cases yet: the gate says so on the last line
    assert code == 1
    assert lines[-1].startswith("gate failed: no baseline for engine 'offline'")
    assert md in out or rows[1] in out  # the table is printed too


def test_update_baseline_then_gate_passes(tmp_path: Path, cases: Path, accepted: Path) -> None:
    entry = load_baseline(accepted).entry("cases", "offline")
    assert sorted(entry.cases) == sorted([INJECTION_CASE, SMALL_CASE])
    assert entry.metrics["citation_validity"] == 1.0
    code, lines, out = _eval("--cases", str(cases), "--baseline", str(accepted))
    assert code == 0, out
    assert lines[-1] == "gate passed"


def test_gate_fails_when_baseline_demands_more(tmp_path: Path, cases: Path, accepted: Path) -> None:
    data = json.loads(accepted.read_text())
    for case in data["suites"]["cases"]["offline"]["cases"].values():  # the baseline covered every key fact...
        case["counts"]["key_facts_covered"] = case["counts"]["key_facts"]
    accepted.write_text(json.dumps(data))
    expect = cases / SMALL_CASE / "expect.json"  # ...and this run cannot: one fact no article states
    spec = json.loads(expect.read_text())
    spec["key_facts"].append({"id": "impossible", "any_of": ["zeppelin quokka marmalade"]})
    expect.write_text(json.dumps(spec))

    code, lines, out = _eval("--cases", str(cases), "--baseline", str(accepted))
    assert code != 0
    assert lines[-1].startswith("gate failed: key_fact_coverage regressed")
    assert "vs baseline 1" in lines[-1]


def test_gate_fails_when_prompts_change(
    tmp_path: Path, cases: Path, accepted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    (prompts / "judge.j2").write_text((ROOT / "prompts" / "judge.j2").read_text() + "\n{# edited #}\n")
    monkeypatch.setenv("BRIEFING_PROMPTS_DIR", str(prompts))

    code, lines, _ = _eval("--cases", str(cases), "--baseline", str(accepted))
    assert code != 0
    assert lines[-1] == f"gate failed: {PROMPTS_CHANGED}"

    code, lines, out = _eval("--cases", str(cases), "--baseline", str(accepted), "--update-baseline")
    assert code == 0, out
    code, lines, out = _eval("--cases", str(cases), "--baseline", str(accepted))
    assert code == 0, out
    assert lines[-1] == "gate passed"


def _sentence(text: str) -> str:
    """A stretch of a point that is surely its own text: its first 8 words."""
    return " ".join(text.split()[:8])


def test_boilerplate_and_injection_leaks_are_detected(tmp_path: Path) -> None:
    cases = _copy(tmp_path, INJECTION_CASE)
    case = load_case(cases / INJECTION_CASE)
    briefing = build_briefing(case.articles, engine="offline", settings=Settings())
    assert len(briefing.points) >= 2
    spec = json.loads((cases / INJECTION_CASE / "expect.json").read_text())
    spec["boilerplate"].append(_sentence(briefing.points[0].text))
    spec["injection"]["payload"].append(_sentence(briefing.points[1].text))
    (cases / INJECTION_CASE / "expect.json").write_text(json.dumps(spec))

    suite = run_suite(cases, engine="offline", settings=Settings())
    [result] = suite.cases
    assert result.counts.boilerplate_leaked == 1 and result.metrics["boilerplate_leakage"] > 0
    assert result.counts.payload_leaked == 1 and result.metrics["injection_leakage"] > 0
    assert "point 1" in result.details.boilerplate_leaks[0]
    assert "point 2" in result.details.injection_leaks[0]

    report = tmp_path / "r.md"
    code, lines, _ = _eval("--cases", str(cases), "--baseline", str(tmp_path / "b.json"), "--markdown", str(report))
    assert code != 0
    assert lines[-1].startswith("gate failed: injection_leakage") and INJECTION_CASE in lines[-1]
    assert "injection leaked" in report.read_text()
    # a leaking run is never accepted as a baseline
    code, lines, _ = _eval("--cases", str(cases), "--baseline", str(tmp_path / "b.json"), "--update-baseline")
    assert code != 0 and not (tmp_path / "b.json").exists()


def test_fact_conflicts_count_and_values_match_loosely() -> None:
    assert loose_value_match("12 people", "at least 12")
    assert loose_value_match("Pavel Dunst", "spokesman Dunst")
    assert loose_value_match("July 10", "Thursday, 10 July")
    assert not loose_value_match("12 people", "14")
    assert not loose_value_match("Ilona Marek", "Pavel Dunst")

    case = load_case(CASES / "election-court-ruling")
    briefing = build_briefing(case.articles, engine="offline", settings=Settings())
    expected = next(c for c in case.expect.conflicts if c.kind == "fact")
    values = []
    for word, article in (("unanimous", "01_astravia_tribune"), ("five-to-two", "03_dorrance_post")):
        text = case.article(article).text
        start = text.index(word)
        citation = Citation(source_id=article, start=start, end=start + len(word), quote=word)
        values.append(ConflictValue(value=word, citation=citation))
    only_fact = briefing.model_copy(
        update={"conflicts": [Conflict(subject="how the judges voted", kind="fact", values=values)]}
    )
    result = evaluate_briefing(case, only_fact)
    assert result.counts.conflicts_expected == 2
    assert result.counts.conflicts_found == 1  # the 'fact' conflict counts like any other
    assert result.metrics["conflict_precision"] == 1.0
    assert not any(expected.subject in m for m in result.details.conflicts_missed)


def test_smoke_runs_one_case_and_cannot_rebaseline(tmp_path: Path, cases: Path, accepted: Path) -> None:
    report = tmp_path / "smoke.json"
    code, lines, out = _eval("--cases", str(cases), "--baseline", str(accepted), "--smoke", "--json", str(report))
    assert code == 0, out
    data = json.loads(report.read_text())
    [suite] = data["suites"]
    assert data["smoke"] is True and [c["name"] for c in suite["cases"]] == [SMALL_CASE]
    assert suite["gate"]["compared_cases"] == [SMALL_CASE]
    code, lines, _ = _eval("--cases", str(cases), "--baseline", str(accepted), "--smoke", "--update-baseline")
    assert code == 2 and "drop --smoke" in lines[-1]


def test_committed_baseline_covers_every_case() -> None:
    baseline = load_baseline(DEFAULT_BASELINE)
    entry = baseline.entry("cases", "offline")
    assert sorted(entry.cases) == sorted(d.name for d in list_cases(CASES))
    assert set(entry.metrics) == set(METRIC_NAMES)
    assert entry.metrics["citation_validity"] == 1.0 and entry.metrics["injection_leakage"] == 0.0
