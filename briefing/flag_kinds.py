"""The one table of flag kinds (briefing/data/flags.toml): label, meaning for readers,
colours. `Flag.kind`, the renderers, the briefing template and the email digest read it;
the rules that raise flags are in briefing/flags.py."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from briefing import data

_COLOUR_FIELDS = ("colour", "background", "dark_colour", "dark_background")


@dataclass(frozen=True)
class FlagKindInfo:
    name: str
    label: str
    meaning: str
    colour: str
    background: str
    dark_colour: str
    dark_background: str


@cache
def flag_kinds() -> dict[str, FlagKindInfo]:
    """Every kind, in the table's order; a malformed table fails at import, not at render."""
    raw = data.read("flags.toml")
    wanted = {f.name for f in fields(FlagKindInfo)} - {"name"}
    out: dict[str, FlagKindInfo] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict) or set(entry) != wanted:
            raise ValueError(f"flags.toml [{name}] needs exactly: {', '.join(sorted(wanted))}")
        if not all(str(entry[c]).startswith("#") for c in _COLOUR_FIELDS):
            raise ValueError(f"flags.toml [{name}]: colours are #rrggbb")
        out[name] = FlagKindInfo(name=name, **entry)
    return out


FLAG_KINDS = flag_kinds()
FLAG_KIND_NAMES: tuple[str, ...] = tuple(FLAG_KINDS)
