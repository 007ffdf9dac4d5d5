"""The built wheel carries what an installed `briefing` needs outside a checkout: the prompt
files (briefing/prompt_files, the top-level prompts/ at build time), the data tables and the
eval harness. Installed into a fresh venv (no checkout on the path), its `briefing` command
runs an llm build against the fake server and `briefing eval --smoke`."""

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


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (`python -m venv`) with the wheel installed into it, and nothing else of the
    checkout. Its dependencies are this environment's, seen through a .pth file: installing
    spaCy, numpy and the rest again would take minutes and the package index, for no more proof
    (the wheel's own files are what is under test). Returns the venv's bin/ folder."""
    root = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    python = root / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()
    ours = sysconfig.get_paths()
    # a path named in a .pth is added as it is: the editable install's own .pth and finder in
    # there are not run, so `import briefing` can only find the wheel's copy
    Path(site, "_test_dependencies.pth").write_text(f"{ours['purelib']}\n{ours['platlib']}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "bin"


def _venv_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test's environment without its BRIEFING_*, OPENAI_* and PYTHON* settings."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "OPENAI_", "PYTHON"))}
    return kept | {"PYTHONNOUSERSITE": "1", "BRIEFING_DATA_DIR": str(tmp_path / "data"), "BRIEFING_LOCAL_MODEL": "off"} | extra


def test_the_wheel_ships_prompts_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for prompt in sorted((ROOT / "prompts").glob("*.j2")):
        assert f"briefing/prompt_files/{prompt.name}" in names
    for table in ("boilerplate", "cues", "outlets", "flags", "ranking", "checker", "chain"):
        assert f"briefing/data/{table}.toml" in names
    for template in ("briefing.html.j2", "digest.html.j2", "digest.txt.j2"):
        assert f"briefing/templates/{template}" in names


def test_the_installed_package_is_the_wheels_copy(venv: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [venv / "python", "-c", "import api, briefing, evals; print(briefing.__file__, api.__file__, evals.__file__)"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=_venv_env(tmp_path),
    )
    assert where.returncode == 0, where.stderr[-2000:]
    for module in where.stdout.split():
        assert Path(module).is_relative_to(venv.parent), module


def test_the_installed_briefing_builds_with_the_llm_engine(venv: Path, tmp_path: Path, fake_openai) -> None:
    """`briefing build --engine llm` from the venv finds its packaged prompts and builds
    against the scripted server."""
    Model(fake_openai)  # answers every step by its schema
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        "".join(a.model_dump_json(exclude_none=True) + "\n" for a in ARTICLES), encoding="utf-8"
    )
    env = _venv_env(
        tmp_path,
        BRIEFING_LLM_BASE_URL=fake_openai.base_url,
        OPENAI_API_KEY=KEY,
        BRIEFING_LLM_TIMEOUT="5",
        BRIEFING_LLM_MAX_RETRIES="1",
    )
    run = subprocess.run(
        [venv / "briefing", "build", "--engine", "llm", "--format", "json", "--max-points", str(MAX_POINTS), str(articles)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env,  # not the checkout
    )
    assert run.returncode == 0, run.stderr[-3000:]
    stats = json.loads(run.stdout)["stats"]
    assert stats["engine"] == "llm" and stats["points"] > 0
    assert set(stats["prompts"]) == {"adjudicate", "merge", "headline"}


def test_the_installed_briefing_runs_the_eval_gate(wheel: Path, venv: Path, tmp_path: Path) -> None:
    """`briefing eval --smoke` from the venv: the harness, the project's cases and the baseline
    are installed with the package; the shared dev set is absent there and skipped."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"evals/harness/gate.py", "evals/baseline.json", "evals/cases/factory-fire/expect.json"} <= names
    run = subprocess.run(
        [venv / "briefing", "eval", "--smoke"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=_venv_env(tmp_path),
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert "gate passed" in run.stdout
    assert "skipped" in run.stdout + run.stderr  # the dev suite: no ../shared beside site-packages
