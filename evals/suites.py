"""Which case suites exist, where they live, and how a suite splits into halves.

* ``cases``: the project's own cases, ``evals/cases/`` (always present).
* ``dev``: the shared development set, ``<shared>/evalsets/dev/``, where ``<shared>`` is
  ``BRIEFING_SHARED_DIR`` or ``../shared`` next to the repository root (CI clones the repo
  beside a copy of it). When it is absent the suite is skipped with that reason.

A shared-schema suite is split as its README says: case names sorted, the first half is the
**tuning** half (rules may be fitted there), the rest **held-out** (the figures to quote).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from briefing.config import Settings
from evals.loader import is_evalset_case, list_cases

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = REPO / "evals" / "cases"
Half = Literal["tuning", "held-out"]
HALVES: tuple[Half, Half] = ("tuning", "held-out")


class Suite(BaseModel):
    name: str
    root: Path
    absent: str | None = None  # why the suite cannot run here (its folder is missing)

    def case_dirs(self) -> list[Path]:
        return [] if self.absent else list_cases(self.root)

    def halves(self) -> dict[str, list[str]]:
        """``{"tuning": [...], "held-out": [...]}`` for a shared-schema suite; ``{}`` otherwise."""
        dirs = self.case_dirs()
        if not dirs or not all(is_evalset_case(d) for d in dirs):
            return {}
        return split_halves(d.name for d in dirs)


def split_halves(names: Iterable[str]) -> dict[str, list[str]]:
    """The README's rule: sorted names, the first half (rounded up) for tuning, the rest held out."""
    ordered = sorted(names)
    cut = (len(ordered) + 1) // 2
    return {"tuning": ordered[:cut], "held-out": ordered[cut:]}


def shared_dir(settings: Settings) -> Path:
    """The shared data folder: the setting, else ``../shared`` beside the repository."""
    configured = settings.shared_dir
    return Path(configured) if configured else REPO.parent / "shared"


def known_suites(settings: Settings) -> list[Suite]:
    """Every named suite, in report order (absent ones carry the reason)."""
    dev = shared_dir(settings) / "evalsets" / "dev"
    return [
        Suite(name="cases", root=CASES_DIR),
        Suite(name="dev", root=dev, absent=None if dev.is_dir() else f"{dev} is absent"),
    ]


def resolve_suites(names: list[str] | None, settings: Settings) -> list[Suite]:
    """``--suite`` values (a name or a folder of cases) as suites; none given: every suite."""
    known = {s.name: s for s in known_suites(settings)}
    if not names:
        return list(known.values())
    out = []
    for name in names:
        if name in known:
            out.append(known[name])
        elif Path(name).is_dir():
            out.append(Suite(name=Path(name).resolve().name, root=Path(name)))
        else:
            raise ValueError(f"unknown suite {name!r}: not one of {', '.join(known)} nor a folder")
    return out
