"""The recorded component-benchmark figures (evals/component_baseline.json), one section per bench.

Each bench's `--write-baseline` replaces its own section; tests/test_component_benchmarks.py
fails when a figure falls more than its tolerance below the recorded one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parent / "component_baseline.json"


def load() -> dict[str, Any]:
    return json.loads(PATH.read_text()) if PATH.is_file() else {}


def record(section: str, figures: dict[str, Any]) -> Path:
    """Store one bench's figures (with today's date) under its section name."""
    data = load()
    data[section] = {"recorded": datetime.now(UTC).date().isoformat(), **figures}
    PATH.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return PATH
