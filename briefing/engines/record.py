"""What each model scored against the offline engine, as recorded by the eval.

`auto` runs the model chain only for a model whose recorded figures are ahead of the
offline engine: on the dev set's held-out half at least as good on every scored metric and
better on conflict recall. A briefing that took minutes and came out worse than the instant
no-model one is not "the best available". The record is written by
`briefing eval --suite dev --engine llm --update-baseline` (evals/harness/ratchet.py) into
`evals/model_records.json`, shipped with the package; `Settings.model_records` points
elsewhere (a deployment that measured its own endpoint model, or a test).
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError

if TYPE_CHECKING:
    from briefing.config import Settings

RECORDS_FILE = "model_records.json"
HOW_TO_RECORD = "`briefing eval --suite dev --engine llm --update-baseline` with the model records its figures"


class Metric(BaseModel):
    """One metric, both engines (None: nothing to measure on this half)."""

    name: str
    label: str
    offline: float | None
    llm: float | None
    status: str = Field(description="ahead, level or behind (the model against offline), or n/a")


class ModelRecord(BaseModel):
    model: str = Field(description="the model name as the endpoint reports it (name and quantisation)")
    suite: str
    half: str
    cases: list[str]
    recorded_at: datetime
    prompt_manifest_hash: str
    metrics: list[Metric]
    ahead: bool = Field(description="never behind offline and ahead on a deciding metric")
    deciding: list[str] = Field(description="metrics of which one must be ahead")

    def behind(self) -> list[Metric]:
        return [m for m in self.metrics if m.status == "behind"]

    def why_not(self) -> str:
        """One sentence for stats.degraded: where the model fell short."""
        where = f"the {self.suite} set's {self.half} half ({len(self.cases)} stories, recorded {self.recorded_at:%Y-%m-%d})"
        behind = self.behind()
        if behind:
            shown = ", ".join(f"{m.label} {_shown(m.llm)} vs {_shown(m.offline)}" for m in behind[:4])
            more = f" and {len(behind) - 4} more" if len(behind) > 4 else ""
            return f"behind the offline engine on {where}: {shown}{more}"
        return f"not ahead of the offline engine on {', '.join(self.deciding)} on {where}"


def _shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class ModelRecords(BaseModel):
    schema_version: int = 1
    models: dict[str, ModelRecord] = Field(default_factory=dict)


def records_path(settings: Settings) -> Path:
    if settings.model_records is not None:
        return settings.model_records
    return Path(str(resources.files("evals") / RECORDS_FILE))


def load_records(path: Path) -> ModelRecords:
    """The records at `path`; none when the file is absent or unreadable (auto then stays offline)."""
    try:
        return ModelRecords.model_validate_json(path.read_text("utf-8"))
    except (OSError, ValidationError):
        return ModelRecords()


def not_ahead(model: str, settings: Settings, prompt_manifest_hash: str) -> str | None:
    """None when `model`'s recorded figures are ahead with today's prompts, else why not."""
    record = load_records(records_path(settings)).models.get(model)
    if record is None:
        return f"model {model} has no recorded eval figures ({HOW_TO_RECORD})"
    if record.prompt_manifest_hash != prompt_manifest_hash:
        return f"model {model}'s eval figures were recorded with other prompts ({HOW_TO_RECORD})"
    if not record.ahead:
        return f"model {model} is {record.why_not()}"
    return None
