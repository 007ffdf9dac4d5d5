"""The built wheel carries what an installed `briefing` needs outside a checkout: the prompt
files (briefing/prompt_files, the top-level prompts/ at build time) and the data tables."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_ships_prompts_and_data(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("briefing-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for prompt in sorted((ROOT / "prompts").glob("*.j2")):
        assert f"briefing/prompt_files/{prompt.name}" in names
    for table in ("boilerplate", "cues", "outlets", "flags", "ranking", "checker"):
        assert f"briefing/data/{table}.toml" in names
    for template in ("briefing.html.j2", "digest.html.j2", "digest.txt.j2"):
        assert f"briefing/templates/{template}" in names
