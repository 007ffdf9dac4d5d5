"""The packaged data files (word lists, thresholds, tables): each TOML file parsed once per
process, each caller validating its part with its own pydantic model (a typo in a data file
fails loudly, once)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

M = TypeVar("M", bound=BaseModel)


class Table(BaseModel):
    """A part of a data file: an unknown key is a typo and fails, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@cache
def read(name: str) -> dict[str, Any]:
    """A packaged TOML file ("ranking.toml"), parsed; treat it as read-only."""
    return tomllib.loads(files(__name__).joinpath(name).read_text("utf-8"))


def table(name: str, model: type[M], section: str | None = None) -> M:
    """A packaged file (or one of its sections) validated into `model`."""
    raw = read(name)
    return model.model_validate(raw[section] if section else raw)
