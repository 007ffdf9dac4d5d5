"""Conflict stage: find where independent sources disagree on a figure, date, name or vote.

Two claims about the same subject (similar wording, from different origins) that give
incompatible values for the same thing ("12 workers" vs "14 workers", "June 3" vs
"June 5", spokesperson "Anna Kell" vs "Anna Kehl", a "unanimous" ruling vs a "five-to-two"
decision) are a conflict; each value keeps the citation of the sentence that states it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from briefing import budget
from briefing.claims import Claim, Quantity
from briefing.lang import roles
from briefing.lang.roles import role_names
from briefing.models import Citation, Conflict, ConflictValue
from briefing.similarity import SimilarityIndex
from briefing.text import STOPWORDS

_LOWER_BOUND = {"more than", "over", "at least"}
_UPPER_BOUND = {"fewer than", "less than", "under", "up to"}
_ROUGH = {"nearly", "almost", "about", "around", "some", "roughly", "approximately"}

_COUNTS = {
    w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
}
_COUNT = rf"(?:\d{{1,3}}|{'|'.join(_COUNTS)})"
_TO = r"(?:\s*[-–—]\s*|\s+to\s+|-to-)"
_TALLY = re.compile(
    rf"\b(?P<yes>{_COUNT}){_TO}(?P<no>{_COUNT})\s+(?:vote|votes|decision|ruling|majority|verdict|split)\b"
    rf"|\bvot(?:e|ed|ing)\s+(?:of\s+)?(?P<yes2>{_COUNT}){_TO}(?P<no2>{_COUNT})\b"
    r"|(?<!not )(?<!n't )\bunanimous(?:ly)?\b",
    re.IGNORECASE,
)

# Work bounds of the pair search. Real stories have at most ~7 candidate partners per
# claim and ~30 pairs in all, and a few conflicts; many sentences that share words and
# each carry a figure once gave 20,000 "conflicts" and minutes of work. Higher finds
# more disagreements in huge, repetitive inputs; lower is faster.
MAX_PARTNERS = 20  # candidate partners per claim, most similar first
MAX_PAIRS = 20_000  # candidate pairs per build, most similar first
MAX_CONFLICTS = 25  # conflicts reported per build (a briefing listing more says nothing)
MAX_KEY_MEMBERS = 50  # claims sharing one key ("killed … people") compared all with all

MIN_SIMILARITY = {"number": 0.3, "date": 0.3, "time": 0.3, "vote": 0.25}


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


_UNITS = frozenset({"percent", "~every", "~difference"})


def same_thing(a: Quantity, b: Quantity) -> bool:
    """Do two figures count the same thing (same kind and unit, a shared neighbouring noun)?
    A percentage never meets a count, nor a frequency a duration; "percent" alone is no
    shared subject (inflation 5.8% and unemployment 6.1% are two things)."""
    if a.kind != b.kind:
        return False
    if a.kind in ("date", "time"):
        return ("year" in a.keys) == ("year" in b.keys)
    if (a.keys & _UNITS) != (b.keys & _UNITS):
        return False
    return bool((a.keys & b.keys) - {"year"} - _UNITS)


def figures_at_odds(a: Claim, b: Claim) -> bool:
    """b cannot back a (nor be the same claim): it gives another value for the same thing,
    or, sharing no figure with a, other figures next to the same words ("every 15 minutes"
    vs "25 minutes longer"). A shared figure ("4.50%" and "4.5 per cent") vouches for b."""
    pairs = [(qa, qb) for qa in a.quantities for qb in b.quantities if qa.kind == qb.kind]
    if any(same_thing(qa, qb) and not compatible(qa, qb) for qa, qb in pairs):
        return True
    if any(qa.value == qb.value for qa, qb in pairs):
        return False
    return any((qa.keys & qb.keys) - {"year", "percent"} and not compatible(qa, qb) for qa, qb in pairs)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNTS[word.lower()]


@lru_cache(maxsize=8192)
def vote_tally(text: str) -> tuple[str, str] | None:
    """How a vote went, as (comparable value, the words used): ('5-2', 'five-to-two');
    a unanimous vote is ('unanimous', …) however it is told ('unanimous', '7-0')."""
    m = _TALLY.search(text)
    if m is None:
        return None
    yes, no = ("yes", "no") if m.group("yes") else ("yes2", "no2")
    if m.group(yes) is None:
        return "unanimous", m.group()
    high, low = sorted((_count(m.group(yes)), _count(m.group(no))), reverse=True)
    return ("unanimous" if low == 0 else f"{high}-{low}"), text[m.start(yes) : m.end(no)]


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
    tallies: tuple[str, ...] = ()

    def concerns(self, claim: Claim) -> bool:
        """Does this claim state one of the disputed values (about the same thing)?"""
        if self.tallies:
            tally = vote_tally(claim.text)
            return tally is not None and tally[0] in self.tallies
        if self.role is not None:
            named = role_names(claim.text).get(self.role, "")
            return any(roles.same_holder(named, n) for n in self.names) if named else False
        return any(same_thing(q, v) and compatible(q, v) for q in claim.quantities for v in self.quantities)

    def states_value(self, claim: Claim) -> bool:
        """The claim gives one of the disputed figures, whatever words sit next to it."""
        if self.tallies:
            return self.concerns(claim)
        return any(q.kind == v.kind and q.value == v.value for q in claim.quantities for v in self.quantities)


def find_conflicts(
    claims: Sequence[Claim], index: SimilarityIndex, cite: Callable[[Claim], Citation]
) -> list[Disagreement]:
    """Disagreements between claims of different origins, deduplicated; at most
    MAX_CONFLICTS, from the most similar candidate pairs (see `_bounded`)."""
    found: dict[tuple, Disagreement] = {}
    for n, (i, j) in enumerate(sorted(_bounded(_candidate_pairs(claims, index), index))):
        if len(found) >= MAX_CONFLICTS:
            break
        if n % 1024 == 0:
            budget.check("conflict search")
        a, b = claims[i], claims[j]
        for kind, subject, va, vb, about in _disagreements(a, b, index.sim(i, j)):
            key = (kind, frozenset({va.lower(), vb.lower()}))
            if key in found or len(found) >= MAX_CONFLICTS:
                continue
            values = [ConflictValue(value=va, citation=cite(a)), ConflictValue(value=vb, citation=cite(b))]
            conflict = Conflict(subject=subject, kind=kind, values=values)
            if kind == "fact":
                found[key] = Disagreement(conflict, (i, j), tallies=about)
            else:
                found[key] = Disagreement(conflict, (i, j), quantities=about)
    for r in roles.disagreements(claims):  # who holds a role: read from the parse, story-wide
        key = ("name", frozenset(h.lower() for h in r.holders))
        if key in found or len(found) >= MAX_CONFLICTS:
            continue
        a, b = claims[r.i], claims[r.j]
        values = [ConflictValue(value=r.holders[0], citation=cite(a)), ConflictValue(value=r.holders[1], citation=cite(b))]
        conflict = Conflict(subject=r.subject, kind="name", values=values)
        found[key] = Disagreement(conflict, (r.i, r.j), role=r.role, names=r.holders)
    return list(found.values())


def _candidate_pairs(claims: Sequence[Claim], index: SimilarityIndex) -> set[tuple[int, int]]:
    """Pairs worth comparing: both give figures (or votes), and they are similar sentences
    or share what a figure counts ("killed … people")."""
    figures = [bool(c.quantities) for c in claims]
    votes = [vote_tally(c.text) is not None for c in claims]

    def comparable(i: int, j: int) -> bool:
        return (figures[i] and figures[j]) or (votes[i] and votes[j])

    pairs = {
        (i, j)
        for i in range(len(claims))
        if figures[i] or votes[i]
        for j in index.neighbours(i)
        if i < j and comparable(i, j)
    }
    voters = [i for i, v in enumerate(votes) if v]
    if len(voters) <= MAX_KEY_MEMBERS:  # few votes in a story: compare every two (the words decide after)
        pairs.update((x, y) for x in voters for y in voters if x < y)
    by_key: dict[object, list[int]] = {}
    for i, c in enumerate(claims):
        for q in c.quantities:  # any two words a figure shares with another: "killed … people"
            for two in combinations(sorted(q.keys - {"year"} - _UNITS), 2):
                by_key.setdefault((q.kind, two), []).append(i)
    for members in by_key.values():
        if len(members) <= MAX_KEY_MEMBERS:  # a key on every sentence says nothing
            pairs.update(combinations(sorted(set(members)), 2))
    origins = [c.origin for c in claims]
    texts = [c.text for c in claims]
    return {(i, j) for i, j in pairs if origins[i] != origins[j] and texts[i] != texts[j]}


def _bounded(pairs: set[tuple[int, int]], index: SimilarityIndex) -> set[tuple[int, int]]:
    """At most MAX_PARTNERS pairs per claim (a pair stays if either claim keeps it) and
    MAX_PAIRS in all, the most similar first; ties go to the earlier claims."""
    if len(pairs) <= MAX_PARTNERS:
        return pairs
    first, second = np.array(list(pairs), dtype=np.int64).T
    sims = np.asarray(index.sims[first, second]).ravel()
    order = np.lexsort((second, first, -sims))  # stable: by similarity, then by pair
    seen = np.zeros(index.sims.shape[0], dtype=np.int64)
    kept: set[tuple[int, int]] = set()
    for i, j in zip(first[order].tolist(), second[order].tolist(), strict=True):
        if seen[i] < MAX_PARTNERS or seen[j] < MAX_PARTNERS:
            kept.add((i, j))
            seen[i] += 1
            seen[j] += 1
            if len(kept) >= MAX_PAIRS:
                break
    return kept


def _disagreements(a: Claim, b: Claim, sim: float):
    """(kind, subject, value in a, value in b) for each value one states and the other
    contradicts without also stating it."""
    pinned = _one_date_each(a, b) and any(
        len((qa.keys & qb.keys) - _UNITS) >= 2 and same_thing(qa, qb) and not compatible(qa, qb)
        for qa in a.quantities
        for qb in b.quantities
        if qa.kind == qb.kind == "number"
    )
    for qa in a.quantities:
        if any(compatible(qa, qb) for qb in b.quantities if qb.kind == qa.kind):
            continue
        for qb in b.quantities:
            if any(compatible(qb, qx) for qx in a.quantities if qx.kind == qb.kind):
                continue
            # two shared key words ("killed ... people") pin the subject down; one needs context
            # sentences already at odds on a figure are about one event: their dates are compared too
            needed = MIN_SIMILARITY[qa.kind] if len(qa.keys & qb.keys) < 2 else 0.0
            if pinned and qa.kind == "date":
                needed = 0.0
            if sim >= needed and same_thing(qa, qb) and not compatible(qa, qb):
                yield qa.kind, _subject(a, b, qa), qa.text, qb.text, (qa, qb)
    ta, tb = vote_tally(a.text), vote_tally(b.text)
    if ta and tb and _other_tally_same_vote(ta[0], tb[0]):
        # long sentences about one ruling share words but little TF-IDF weight
        if sim >= MIN_SIMILARITY["vote"] or len(set(a.stems) & set(b.stems)) >= 3:
            yield "fact", "the vote", ta[1], tb[1], (ta[0], tb[0])


def _one_date_each(a: Claim, b: Claim) -> bool:
    return all(sum(q.kind == "date" for q in c.quantities) == 1 for c in (a, b))


def _other_tally_same_vote(x: str, y: str) -> bool:
    """Two tallies that cannot both describe one vote of one body: 'unanimous' vs '5-2', or
    '5-2' vs '4-3' (seven voters each); '5-2' vs '60-40' are two votes of two bodies."""
    if x == y:
        return False
    if "unanimous" in (x, y):
        return True
    return sum(map(int, x.split("-"))) == sum(map(int, y.split("-")))
