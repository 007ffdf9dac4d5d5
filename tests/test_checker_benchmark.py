"""The checker must not get worse against human labels.

Re-runs evals/checker_bench.py on a bounded, deterministic subset (the first items of each split
by a hash of their id) with the thresholds recorded in evals/checker_baseline.json, and fails if
balanced accuracy falls more than TOLERANCE points below the recorded figure.

Skipped when the benchmark data (../shared/benchmarks next to the repository) is absent.
Refresh the baseline on purpose with: .venv/bin/python evals/checker_bench.py --write-baseline
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from briefing.config import get_settings

REPO = Path(__file__).resolve().parents[1]
BENCH_DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
BASELINE = REPO / "evals" / "checker_baseline.json"
TOLERANCE = 2.0  # BAcc points


@pytest.fixture(scope="module")
def bench():
    if not BENCH_DATA.is_dir():
        pytest.skip(f"no benchmark data at {BENCH_DATA}")
    if not BASELINE.is_file():
        pytest.skip(f"no recorded baseline at {BASELINE}")
    spec = importlib.util.spec_from_file_location("checker_bench", REPO / "evals" / "checker_bench.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["checker_bench"] = mod
    spec.loader.exec_module(mod)
    mod.BENCH_DIR = BENCH_DATA
    return mod


@pytest.fixture(scope="module")
def results(bench, monkeypatch_module):
    monkeypatch_module.setenv("BRIEFING_CHECK_EMBEDDINGS", "0")
    get_settings.cache_clear()
    reg = json.loads(BASELINE.read_text())["regression"]
    got = bench.run_bench(reg["sets"], limit=reg["limit"], thresholds=reg["thresholds"], use_embeddings=False)
    return reg, {r.name: r for r in got}


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()
    get_settings.cache_clear()


def test_subset_is_the_recorded_one(results) -> None:
    reg, got = results
    assert set(got) == set(reg["results"])
    for name, rec in reg["results"].items():
        assert got[name].n_test == rec["n_test"], name


@pytest.mark.parametrize("metric", ["bacc_label", "bacc_thr"])
def test_balanced_accuracy_has_not_dropped(results, metric: str) -> None:
    reg, got = results
    drops = {
        name: (round(getattr(got[name], metric), 2), rec[metric])
        for name, rec in reg["results"].items()
        if getattr(got[name], metric) < rec[metric] - TOLERANCE
    }
    assert not drops, f"{metric} dropped more than {TOLERANCE} points (now, recorded): {drops}"
