"""The built wheel carries what an installed `briefing` needs outside a checkout: the prompt
files (briefing/prompt_files, the top-level prompts/ at build time) and the data tables;
installed on its own (no checkout on the path) it runs an llm build against the fake server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest


try:  # tests/ is a rootdir-relative path entry (no tests/__init__.py) ...
    from test_chain import ARTICLES, KEY, MAX_POINTS, Model
except ModuleNotFoundError:  # ... or a package, when the repo root is on sys.path
    from tests.test_chain import ARTICLES, KEY, MAX_POINTS, Model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("briefing-*.whl")
    return built


def _install(wheel: Path, target: Path) -> Path:
    """The wheel alone into `target` (no dependencies: they come from this environment)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return target


def test_the_wheel_ships_prompts_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for prompt in sorted((ROOT / "prompts").glob("*.j2")):
        assert f"briefing/prompt_files/{prompt.name}" in names
    for table in ("boilerplate", "cues", "outlets", "flags", "ranking", "checker", "chain"):
        assert f"briefing/data/{table}.toml" in names
    for template in ("briefing.html.j2", "digest.html.j2", "digest.txt.j2"):
        assert f"briefing/templates/{template}" in names


_INSTALLED_BUILD = """
import json, sys
import briefing
from briefing.config import Settings
from briefing.engines import run_engine
from briefing.models import Article
from briefing.pipeline import prepare
from briefing.prompts import prompts_dir

articles = [Article.model_validate(a) for a in json.loads(sys.argv[1])]
settings = Settings()
result = run_engine("llm", prepare(articles, settings), max_points=int(sys.argv[2]), settings=settings)
print(json.dumps({"module": briefing.__file__, "prompts": str(prompts_dir()),
                  "points": len(result.points), "engine": result.stats.engine,
                  "prompt_refs": result.stats.prompts}))
"""


def test_the_installed_wheel_runs_an_llm_build(wheel: Path, tmp_path: Path, fake_openai) -> None:
    """Installed without the checkout (only its dependencies from this environment), the
    package finds its prompts and builds with the llm engine against the scripted server."""
    target = _install(wheel, tmp_path / "installed")
    Model(fake_openai)  # answers every step by its schema
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "OPENAI_", "PYTHON"))
    } | {
        # the installed copy first; dependencies from this environment's site-packages
        "PYTHONPATH": os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]]),
        "PYTHONNOUSERSITE": "1",
        "BRIEFING_DATA_DIR": str(tmp_path / "data"),
        "BRIEFING_LLM_BASE_URL": fake_openai.base_url,
        "OPENAI_API_KEY": KEY,
        "BRIEFING_LOCAL_MODEL": "off",
        "BRIEFING_LLM_TIMEOUT": "5",
        "BRIEFING_LLM_MAX_RETRIES": "1",
    }
    articles = json.dumps([a.model_dump(mode="json") for a in ARTICLES])
    run = subprocess.run(
        [sys.executable, "-S", "-c", _INSTALLED_BUILD, articles, str(MAX_POINTS)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # not the checkout
        env=env,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(out["module"]).is_relative_to(target)
    assert Path(out["prompts"]).is_relative_to(target)
    assert out["engine"] == "llm" and out["points"] > 0
    assert set(out["prompt_refs"]) == {"adjudicate", "merge", "headline"}


def test_the_installed_wheel_runs_the_eval_gate(wheel: Path, tmp_path: Path) -> None:
    """`briefing eval --smoke` from the wheel alone: the harness, the project's cases and the
    baseline are installed with the package; the shared dev set is absent there and skipped."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"evals/harness/gate.py", "evals/baseline.json", "evals/cases/factory-fire/expect.json"} <= names
    target = _install(wheel, tmp_path / "installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "PYTHON"))} | {
        "PYTHONPATH": os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]]),
        "PYTHONNOUSERSITE": "1",
        "BRIEFING_DATA_DIR": str(tmp_path / "data"),
        "BRIEFING_LOCAL_MODEL": "off",
    }
    run = subprocess.run(
        [sys.executable, "-S", "-c", "from briefing.cli import app; app()", "eval", "--smoke"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert "gate passed" in run.stdout
    assert "skipped" in run.stdout + run.stderr  # the dev suite: no ../shared beside site-packages
