"""Flag rules: say plainly where the evidence for a point is thin.

A flag applies when *every* independent origin behind a point shares the weakness
(one origin only; all of them anonymous, hedged or unconfirmed); one solid on-record
origin is enough to lift it. Conflicts are flagged whenever any value disagrees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set

from briefing.claims import Claim, cue_reasons
from briefing.models import Citation, Conflict, ConflictValue, Flag

# cue families (data/cues.toml) whose presence in every origin raises a flag kind
CUE_FLAGS = {"anonymous": "anonymous_source", "hedged": "hedged", "unverified": "unverified"}
# an article with this many anonymously sourced sentences is anonymously sourced as a whole
ANONYMOUS_ARTICLE_SENTENCES = 2


def _cue(claim: Claim, family: str, anonymous_articles: Mapping[str, str]) -> str | None:
    """The phrase that gives this claim the weakness, if it has it."""
    if family in claim.cues:
        return claim.cues[family]
    if family in ("anonymous", "unverified") and family in claim.nearby_cues and not claim.on_record:
        return claim.nearby_cues[family]
    if (
        family == "anonymous"
        and claim.sentence.article_id in anonymous_articles
        and not (claim.on_record or claim.nearby_on_record)
    ):
        return anonymous_articles[claim.sentence.article_id]
    return None


def anonymous_articles(claims: Sequence[Claim]) -> dict[str, str]:
    """Articles whose sourcing is mostly unnamed: article id → one telling phrase."""
    counts: dict[str, list[str]] = {}
    for c in claims:
        if "anonymous" in c.cues:
            counts.setdefault(c.sentence.article_id, []).append(c.cues["anonymous"])
    return {a: phrases[0] for a, phrases in counts.items() if len(phrases) >= ANONYMOUS_ARTICLE_SENTENCES}


def point_flags(
    support: Sequence[Claim],
    origin_labels: Mapping[str, str],
    source_labels: Mapping[str, str],
    conflicts: Sequence[Conflict],
    anonymous: Mapping[str, str],
    origin_sizes: Mapping[str, int],
    disputing: Set[str] = frozenset(),
    backers: Set[str] = frozenset(),
) -> list[Flag]:
    """Flags for a point backed by `support` (one best claim per origin). `disputing` are the
    origins of the values in its `conflicts`: one of them besides the point's own origin
    reports the same matter with another figure, so the point is disputed (the conflict flag
    says so, citing both), not one origin's word. `backers` are the origins that give one of
    its figures on its topic, each in a sentence of its own that cannot be cited for the
    whole point: they give it too, so it is not one origin's word either."""
    flags: list[Flag] = []
    origins = {c.origin for c in support}
    reasons = cue_reasons()
    if len(origins) == 1 and not (disputing | backers) - origins:
        origin = next(iter(origins))
        label = origin_labels.get(origin, origin)
        copies = origin_sizes.get(origin, 1)
        retold = f", told by {copies} articles that re-use one story" if copies > 1 else ""
        flags.append(Flag(kind="single_source", reason=f"Only one independent origin: {label}{retold}."))
    for family, kind in CUE_FLAGS.items():
        phrases = [_cue(c, family, anonymous) for c in support]
        if phrases and all(phrases):
            flags.append(Flag(kind=kind, reason=f"{reasons[family].capitalize()}: “{phrases[0]}”."))
    if not any(f.kind == "unverified" for f in flags):
        # a party's word, with nobody vouching for it: one origin telling it, or every origin
        # telling it as the party's word and at least one saying it is unconfirmed
        party = [c.cues.get("party_claim") for c in support]
        unconfirmed = [_cue(c, "unverified", anonymous) for c in support]
        if all(p or u for p, u in zip(party, unconfirmed, strict=True)) and any(party):
            said = next((u for u in unconfirmed if u), None)
            if said:
                flags.append(Flag(kind="unverified", reason=f"{reasons['unverified'].capitalize()}: “{said}”."))
            elif len(origins) == 1:
                flags.append(Flag(kind="unverified", reason=f"{reasons['party_claim'].capitalize()}: “{party[0]}”."))
    for conflict in conflicts:
        shown = " vs ".join(f"{v.value} ({source_labels.get(v.citation.source_id, v.citation.source_id)})" for v in conflict.values)
        flags.append(
            Flag(kind="conflict", reason=f"Sources disagree on {conflict.subject}: {shown}.", values=conflict.values)
        )
    return flags


def update_flag(
    subject: str, earlier: Sequence[tuple[Claim, str]], new: Claim, new_value: str,
    source_labels: Mapping[str, str], cite: Callable[[Claim], Citation],
) -> Flag:
    """The point states the latest value; a reader sees the earlier ones and who gave them,
    in one flag however many outlets gave them ("at least 11 (Northstar Wire, Mirewick
    Courier)"), each value cited."""
    def label(c: Claim) -> str:
        return source_labels.get(c.sentence.article_id, c.sentence.article_id)

    told: dict[str, list[str]] = {}
    for claim, value in earlier:
        names = told.setdefault(value.lower(), [value])
        if label(claim) not in names[1:]:
            names.append(label(claim))
    said = "; ".join(f"{names[0]} ({', '.join(names[1:])})" for names in told.values())
    return Flag(
        kind="updated",
        reason=f"Updated: {subject} is {new_value} ({label(new)}); earlier reported as {said}.",
        values=[*(ConflictValue(value=v, citation=cite(c)) for c, v in earlier),
                ConflictValue(value=new_value, citation=cite(new))],
    )
