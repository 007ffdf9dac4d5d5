"""A model-records file (briefing/engines/record.py) for tests that need `auto` to pick the chain."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from briefing.engines.record import Metric, ModelRecord, ModelRecords
from briefing.prompts import manifest_hash


def write_record(
    path: Path, model: str, *, ahead: bool = True, prompt_manifest_hash: str | None = None
) -> Path:
    """A record of `model` on the dev held-out half: ahead on conflict recall and level on the
    rest, or (ahead=False) behind on key facts."""
    metrics = [
        Metric(name="conflict_recall", label="conflict R", offline=0.2, llm=0.6, status="ahead"),
        Metric(name="key_fact_coverage", label="key facts", offline=0.9,
               llm=0.9 if ahead else 0.7, status="level" if ahead else "behind"),
    ]
    record = ModelRecord(
        model=model, suite="dev", half="held-out", cases=["a", "b"],
        recorded_at=datetime(2026, 12, 1, tzinfo=UTC),
        prompt_manifest_hash=prompt_manifest_hash or manifest_hash(),
        metrics=metrics, ahead=ahead, deciding=["conflict_recall"],
    )
    path.write_text(ModelRecords(models={model: record}).model_dump_json(), encoding="utf-8")
    return path
