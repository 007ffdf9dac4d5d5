"""Conflict stage: find where independent sources disagree on a figure, date or name.

Two claims about the same subject (similar wording, from different origins) that give
incompatible values for the same thing ("12 workers" vs "14 workers", "June 3" vs
"June 5", spokesperson "Anna Kell" vs "Anna Kehl") are a conflict; each value keeps the
citation of the sentence that states it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefing.claims import Claim, Quantity
from briefing.models import Citation, Conflict, ConflictValue
from briefing.similarity import SimilarityIndex
from briefing.text import STOPWORDS, stem

_LOWER_BOUND = {"more than", "over", "at least"}
_UPPER_BOUND = {"fewer than", "less than", "under", "up to"}
_ROUGH = {"nearly", "almost", "about", "around", "some", "roughly", "approximately"}
_ROLES = (
    r"spokes(?:person|man|woman)|press secretary|chief executive|CEO|chairman|chairwoman|chair|"
    r"mayor|governor|police chief|fire chief|head coach|coach|prosecutor|judge|president|"
    r"director|minister|secretary|commissioner|sheriff|chief|founder|lawyer|attorney"
)
_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z'’]+){1,2}"
_ROLE_NAME = re.compile(rf"\b(?:(?P<org>[\w'’]+)\s+)?(?P<role>{_ROLES}),?\s+(?P<name>{_NAME})")
_NAME_ROLE = re.compile(
    rf"(?P<name>{_NAME}),\s+(?:the\s+|a\s+|its\s+|their\s+)?(?:(?P<org>[\w'’]+)\s+)?(?P<role>{_ROLES})\b"
)

MIN_SIMILARITY = {"number": 0.3, "date": 0.3, "time": 0.3, "name": 0.25}
_SPOKES = re.compile(r"spokes(?:person|man|woman)", re.IGNORECASE)


def compatible(a: Quantity, b: Quantity) -> bool:
    """Can both figures be true at once? ('more than 10,000' and '12,000' can.)"""
    if a.kind in ("date", "time") or b.kind in ("date", "time"):
        return a.value == b.value
    x, y = float(a.value), float(b.value)
    if x == y or abs(x - y) <= 0.01 * max(abs(x), abs(y)):
        return True
    for p, q in ((a, b), (b, a)):
        px, qy = float(p.value), float(q.value)
        # "more than 10,000" is a loose bound and fits 12,000; "at least 12" dead is a
        # count that a later "14" revises, which readers should see as a disagreement
        loose = px >= 100 and px % 100 == 0
        if p.qualifier in _LOWER_BOUND and loose and (qy >= px or q.qualifier in _LOWER_BOUND):
            return True
        if p.qualifier in _UPPER_BOUND and loose and (qy <= px or q.qualifier in _UPPER_BOUND):
            return True
        if p.qualifier in _ROUGH and abs(px - qy) <= 0.15 * max(px, qy):
            return True
    return False


def _same_thing(a: Quantity, b: Quantity) -> bool:
    """Do two figures count the same thing (same kind, a shared neighbouring noun)?"""
    if a.kind != b.kind:
        return False
    if a.kind in ("date", "time"):
        return ("year" in a.keys) == ("year" in b.keys)
    return bool((a.keys & b.keys) - {"year"})


@lru_cache(maxsize=8192)
def role_names(text: str) -> dict[str, str]:
    """Office → person named in it ('court spokesperson' → 'Ilona Marek')."""
    found = {}
    for pattern in (_ROLE_NAME, _NAME_ROLE):
        for m in pattern.finditer(text):
            role = _SPOKES.sub("spokesperson", m.group("role").lower())
            org = stem(m.group("org")) if m.group("org") and m.group("org").lower() not in STOPWORDS else ""
            found.setdefault(f"{org} {role}".strip(), m.group("name"))
    return found


def _subject(a: Claim, b: Claim, q: Quantity) -> str:
    """A few words naming what the disagreement is about ("number of people")."""
    if q.kind == "number":
        after = [w for w in re.findall(r"[A-Za-z][A-Za-z'’\-]+", a.text[q.end : q.end + 30]) if w.lower() not in STOPWORDS]
        if after:
            return f"number of {after[0]}"
    shared = [
        w.strip(".,;:\"“”‘’'")
        for w in dict.fromkeys(a.text.split())
        if w.lower().strip(".,;:") in b.text.lower() and w.lower().strip(".,;:") not in STOPWORDS
    ]
    words = " ".join(w for w in shared if w and not any(ch.isdigit() for ch in w))
    return f"{q.kind} ({' '.join(words.split()[:4])})" if words else f"the {q.kind}"


@dataclass(frozen=True)
class Disagreement:
    """A conflict plus what it is about, so any claim stating one of its values can be told."""

    conflict: Conflict
    pair: tuple[int, int]
    quantities: tuple[Quantity, ...] = ()
    role: str | None = None
    names: tuple[str, ...] = ()

    def concerns(self, claim: Claim) -> bool:
        """Does this claim state one of the disputed values (about the same thing)?"""
        if self.role is not None:
            named = role_names(claim.text).get(self.role, "")
            return any(named.split()[-1:] == n.split()[-1:] for n in self.names) if named else False
        return any(_same_thing(q, v) and compatible(q, v) for q in claim.quantities for v in self.quantities)

    def states_value(self, claim: Claim) -> bool:
        """The claim gives one of the disputed figures, whatever words sit next to it."""
        return any(q.kind == v.kind and q.value == v.value for q in claim.quantities for v in self.quantities)


def find_conflicts(
    claims: Sequence[Claim], index: SimilarityIndex, cite: Callable[[Claim], Citation]
) -> list[Disagreement]:
    """All disagreements between claims of different origins, deduplicated."""
    found: dict[tuple, Disagreement] = {}
    for i, j in sorted(_candidate_pairs(claims, index)):
        a, b = claims[i], claims[j]
        for kind, subject, va, vb, about in _disagreements(a, b, index.sim(i, j)):
            key = (kind, frozenset({va.lower(), vb.lower()}))
            if key in found:
                continue
            values = [ConflictValue(value=va, citation=cite(a)), ConflictValue(value=vb, citation=cite(b))]
            conflict = Conflict(subject=subject, kind=kind, values=values)
            if kind == "name":
                found[key] = Disagreement(conflict, (i, j), role=about, names=(va, vb))
            else:
                found[key] = Disagreement(conflict, (i, j), quantities=about)
    return list(found.values())


def _candidate_pairs(claims: Sequence[Claim], index: SimilarityIndex) -> set[tuple[int, int]]:
    """Pairs worth comparing: both give figures (or both name an office), and they are
    similar sentences or share what a figure counts ("killed … people") or the office."""
    figures = [bool(c.quantities) for c in claims]
    offices = [bool(role_names(c.text)) for c in claims]

    def comparable(i: int, j: int) -> bool:
        return (figures[i] and figures[j]) or (offices[i] and offices[j])

    pairs = {
        (i, j)
        for i in range(len(claims))
        if figures[i] or offices[i]
        for j in index.neighbours(i)
        if i < j and comparable(i, j)
    }
    by_key: dict[object, list[int]] = {}
    for i, c in enumerate(claims):
        for q in c.quantities:
            if len(q.keys) >= 2:
                by_key.setdefault((q.kind, q.keys), []).append(i)
        for role in role_names(c.text):
            if " " in role:  # office with its organisation
                by_key.setdefault(role, []).append(i)
    for members in by_key.values():
        if len(members) <= 50:  # a key on every sentence says nothing
            pairs.update((x, y) for x in members for y in members if x < y)
    return {
        (i, j)
        for i, j in pairs
        if claims[i].origin != claims[j].origin and claims[i].text != claims[j].text
    }


def _disagreements(a: Claim, b: Claim, sim: float):
    """(kind, subject, value in a, value in b) for each value one states and the other
    contradicts without also stating it."""
    for qa in a.quantities:
        if any(compatible(qa, qb) for qb in b.quantities if qb.kind == qa.kind):
            continue
        for qb in b.quantities:
            if any(compatible(qb, qx) for qx in a.quantities if qx.kind == qb.kind):
                continue
            # two shared key words ("killed ... people") pin the subject down; one needs context
            needed = MIN_SIMILARITY[qa.kind] if len(qa.keys & qb.keys) < 2 else 0.0
            if sim >= needed and _same_thing(qa, qb) and not compatible(qa, qb):
                yield qa.kind, _subject(a, b, qa), qa.text, qb.text, (qa, qb)
    ra, rb = role_names(a.text), role_names(b.text)
    for role in ra.keys() & rb.keys():
        if " " not in role and sim < MIN_SIMILARITY["name"]:
            continue
        na, nb = ra[role], rb[role]
        if na.split()[-1].lower() != nb.split()[-1].lower():
            yield "name", role, na, nb, role
