"""Flag wording shared by every output format (and the email digest).

A flag says where the evidence for a point is thin. Readers see the same words
everywhere: `flag_label` is the short badge text, `describe_flag` the full
sentence with the reason and, for conflicts, each competing value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from briefing.flag_kinds import FLAG_KINDS
from briefing.models import ConflictValue, Flag, Source

FLAG_LABELS: dict[str, str] = {k.name: k.label for k in FLAG_KINDS.values()}  # data/flags.toml

# Words for Conflict.kind, as in "Conflicting figures".
CONFLICT_NOUNS: dict[str, str] = {
    "number": "figures",
    "date": "dates",
    "time": "times",
    "name": "names",
    "fact": "accounts",
}

# A short quoted term in a reason, e.g. "uses 'reportedly'" -> reportedly.
# The opening quote must not follow a letter, so "Northwire's" is no quote.
_QUOTED_TERM = re.compile(r"(?<!\w)[‘'\"“]([^‘’'\"“”\n]{1,40}?)[’'\"”](?!\w)")

SourceLookup = Mapping[str, Source] | Iterable[Source] | None


def hedge_term(flag: Flag) -> str | None:
    """The hedging word a `hedged` flag's reason quotes ('reportedly'), if any."""
    if flag.kind != "hedged":
        return None
    m = _QUOTED_TERM.search(flag.reason or "")
    term = m.group(1).strip() if m else ""
    return term or None


def flag_label(flag: Flag) -> str:
    """Short words for a flag: "Single source", "Hedged (‘reportedly’)", ..."""
    label = FLAG_LABELS.get(flag.kind) or str(flag.kind).replace("_", " ").capitalize()
    term = hedge_term(flag)
    if term:
        label += f" (‘{term}’)"
    return label


def _by_id(sources: SourceLookup) -> Mapping[str, Source]:
    if sources is None:
        return {}
    if isinstance(sources, Mapping):
        return sources
    return {s.id: s for s in sources}


def source_name(source: Source | None, fallback: str = "") -> str:
    """How a reader knows a source: its outlet, else its title, else its id."""
    if source is None:
        return fallback
    return (source.outlet or "").strip() or source.title.strip() or source.id


def value_phrase(value: ConflictValue, sources: SourceLookup = None) -> str:
    """"12 (Northwire)": a competing value and who reports it."""
    src = _by_id(sources).get(value.citation.source_id)
    return f"{value.value} ({source_name(src, value.citation.source_id)})"


def reason_lists_values(flag: Flag) -> bool:
    """The reason already names every competing value ("… 12 (Northwire) vs 14 (…)")."""
    return bool(flag.values) and all(v.value in (flag.reason or "") for v in flag.values)


def describe_flag(flag: Flag, sources: SourceLookup = None) -> str:
    """Label, reason and competing values in one sentence.

    >>> describe_flag(Flag(kind="single_source", reason="Only Northwire reports this."))
    'Single source: Only Northwire reports this.'

    A reason that already starts with the label ("Sources disagree on …") is not
    prefixed again, and values the reason already lists are not repeated. Pass the
    briefing's sources to name outlets in conflict values; without them values are
    named by source id.
    """
    label = flag_label(flag)
    base = FLAG_LABELS.get(flag.kind, label)
    reason = " ".join((flag.reason or "").split())
    if not reason or reason.casefold() == label.casefold():
        text = label
    elif reason.casefold().startswith(base.casefold()):
        text = reason
    else:
        text = f"{label}: {reason}"
    if flag.values and not reason_lists_values(flag):
        values = " vs ".join(value_phrase(v, sources) for v in flag.values)
        text += (" — " if reason else ": ") + values
    return text
