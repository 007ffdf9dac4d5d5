"""Pairs code cannot decide, a model's label for each, and code's rules for what a label may change.

Code proposes the pairs (`propose`): every conflict `briefing.conflicts.find_conflicts`
reported, plus sentences from different independent origins that give figures of the same
kind with different values (`figures_at_odds`) which it did not report. The model answers one
label per pair — same thing / different things / disagreement / update — never text. Code
then applies the label (`apply`), conservatively, so that a wrong label costs little:

    reported conflict  removed only on "different things" or "same thing" AND weak code
                       evidence (the two sentences are not very similar); else it stays
                       (so only conflicts on weak evidence are asked about)
    proposed pair      a conflict added only on "disagreement" (its two values differ by
                       construction), citing both sentences
    "update"           changes nothing (a reported conflict stays; the later value is
                       already stated where the evidence ranks it)

The only coupling to the conflict finder is its public API (`find_conflicts`'s
`Disagreement`s on the evidence, `figures_at_odds`), so a rewrite of it changes what is
proposed, not this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from briefing.conflicts import Disagreement, compared, figures_at_odds
from briefing.engines.chain_rules import RULES, PairRules
from briefing.evidence import Evidence, cite
from briefing.lang.numbers import Figure
from briefing.models import Conflict, ConflictValue, Source

Label = Literal["same thing", "different things", "disagreement", "update"]
LABELS: tuple[Label, ...] = ("same thing", "different things", "disagreement", "update")
ConflictKind = Literal["number", "date", "time", "name", "fact"]
_CONFLICT_KINDS: dict[str, ConflictKind] = {"number": "number", "date": "date", "time": "time"}


# ---------------------------------------------------------------- the answer


class PairLabel(BaseModel):
    """How the two sentences of one pair relate."""

    pair: str = Field(description='The pair id, e.g. "P1".')
    label: Label = Field(
        description="same thing: one fact told twice; different things: the figures count different "
        "things; disagreement: the sources give different values for the same thing; update: the later "
        "article says the figure changed."
    )


class AdjudicateAnswer(BaseModel):
    """A label for every pair."""

    answers: list[PairLabel]


# ---------------------------------------------------------------- proposing


@dataclass(frozen=True)
class Pair:
    """Two claims (indexes into the evidence's claims) and the values shown for them."""

    a: int
    b: int
    values: tuple[str, str]
    reported: Disagreement | None = None  # code's conflict on this pair, if code reported one
    figures: tuple[Figure, Figure] | None = None  # the differing figures of a proposed pair


def propose(evidence: Evidence, rules: PairRules = RULES.pairs) -> list[Pair]:
    """Code's conflicts on weak evidence (a label cannot change a strong one, so it is not
    asked), then up to `max_proposed` undecided pairs, most similar first."""
    index = evidence.index
    if index is None:
        return []
    pairs = [
        Pair(d.pair[0], d.pair[1], (d.conflict.values[0].value, d.conflict.values[1].value), reported=d)
        for d in evidence.conflicts
        if index.sim(*d.pair) < rules.strong_similarity
    ][: rules.max_weak]
    asked = len(pairs)
    claims = evidence.claims
    known = {frozenset(d.pair) for d in evidence.conflicts}
    told = {frozenset(v.value.lower() for v in d.conflict.values) for d in evidence.conflicts}
    found: list[tuple[float, Pair]] = []
    for i, a in enumerate(claims):
        if not a.figures:
            continue
        for j, sim in index.neighbours(i).items():
            b = claims[j]
            if j <= i or sim < rules.min_similarity or a.origin == b.origin or a.text == b.text:
                continue
            if frozenset((i, j)) in known or not figures_at_odds(a, b):
                continue
            figures = _differing(a.figures, b.figures)
            if figures is None:
                continue
            values = (figures[0].said(a.text), figures[1].said(b.text))
            if frozenset(v.lower() for v in values) in told:
                continue
            found.append((sim, Pair(i, j, values, figures=figures)))
    found.sort(key=lambda t: (-t[0], t[1].a, t[1].b))
    seen: set[frozenset[str]] = set()
    for _, p in found:
        if len(pairs) - asked >= rules.max_proposed:
            break
        key = frozenset(v.lower() for v in p.values)
        if key in seen:
            continue
        seen.add(key)
        pairs.append(p)
    return pairs


def _differing(qa: Sequence[Figure], qb: Sequence[Figure]) -> tuple[Figure, Figure] | None:
    """The first two compared figures of one kind and unit whose values cannot both hold."""
    for x in qa:
        for y in qb:
            if compared(x) and x.kind == y.kind and x.unit == y.unit and not x.overlaps(y):
                return x, y
    return None


def pair_rows(evidence: Evidence, pairs: Sequence[Pair]) -> list[dict[str, str]]:
    """What the prompt shows per pair: both sentences, who published them when, their figures."""
    sources = {s.id: s for s in evidence.sources}
    rows = []
    for k, p in enumerate(pairs):
        a, b = evidence.claims[p.a], evidence.claims[p.b]
        rows.append(
            {
                "id": f"P{k + 1}",
                "a": a.text,
                "b": b.text,
                "a_from": _byline(sources.get(a.sentence.article_id)),
                "b_from": _byline(sources.get(b.sentence.article_id)),
                "a_value": p.values[0],
                "b_value": p.values[1],
            }
        )
    return rows


def _byline(source: Source | None) -> str:
    if source is None:
        return "unknown source"
    who = source.outlet or "an article"
    return f"{who}, {source.published_at:%Y-%m-%d %H:%M}" if source.published_at else who


# ---------------------------------------------------------------- checking and applying


def pair_ids(n: int) -> list[str]:
    return [f"P{k + 1}" for k in range(n)]


_ID = re.compile(r"^\s*\[?\s*[Pp]?\s*-?\s*(\d+)\s*\]?\s*$")


def norm_pair(raw: str) -> str:
    """'p3', 'P 3', '[P3]', '3' → 'P3'; anything else comes back stripped, to be rejected."""
    m = _ID.match(str(raw))
    return f"P{int(m.group(1))}" if m else str(raw).strip()


def check_answer(n: int) -> Callable[[AdjudicateAnswer], list[str]]:
    """Problems to feed back: unknown pair ids, pairs left without a label."""
    known = pair_ids(n)

    def check(answer: AdjudicateAnswer) -> list[str]:
        given = [norm_pair(a.pair) for a in answer.answers]
        problems = [f"{raw.pair} does not exist; use only pair ids P1–P{n}" for raw, g in zip(answer.answers, given, strict=True) if g not in known]
        missing = [p for p in known if p not in given]
        if missing:
            problems.append(f"give a label for every pair; missing: {', '.join(missing)}")
        return problems

    return check


def labels_of(answer: AdjudicateAnswer | None, n: int) -> list[Label | None]:
    """The label per pair (None where the model gave none or an unknown id)."""
    out: list[Label | None] = [None] * n
    for a in answer.answers if answer else []:
        pid = norm_pair(a.pair)
        if pid in pair_ids(n) and out[int(pid[1:]) - 1] is None:
            out[int(pid[1:]) - 1] = a.label
    return out


@dataclass
class Outcome:
    removed: list[Disagreement]
    added: list[Disagreement]


def apply(evidence: Evidence, pairs: Sequence[Pair], labels: Sequence[Label | None], rules: PairRules = RULES.pairs) -> Outcome:
    """Change `evidence.conflicts` by the rules in the module docstring; say what changed."""
    outcome = Outcome([], [])
    assert evidence.index is not None or not pairs
    for p, label in zip(pairs, labels, strict=True):
        if label is None:
            continue
        if p.reported is not None:
            weak = evidence.index is not None and evidence.index.sim(p.a, p.b) < rules.strong_similarity
            if label in ("different things", "same thing") and weak:
                outcome.removed.append(p.reported)
        elif label == "disagreement" and p.figures is not None:
            outcome.added.append(_disagreement(evidence, p))
    gone = {id(d) for d in outcome.removed}
    evidence.conflicts = [d for d in evidence.conflicts if id(d) not in gone] + outcome.added
    return outcome


def _disagreement(evidence: Evidence, p: Pair) -> Disagreement:
    assert p.figures is not None  # only proposed pairs are added
    a, b = evidence.claims[p.a], evidence.claims[p.b]
    qa, qb = p.figures
    kind = _CONFLICT_KINDS.get(qa.kind, "number")
    values = [ConflictValue(value=p.values[0], citation=cite(a)), ConflictValue(value=p.values[1], citation=cite(b))]
    conflict = Conflict(subject=_subject(a.text, p.values[0], qa.kind), kind=kind, values=values)
    return Disagreement(conflict, (p.a, p.b), figures=(qa, qb))


def _subject(text: str, value: str, kind: str) -> str:
    """A few words naming what the figures count: the words right after the figure in A."""
    at = text.find(value)
    after = re.findall(r"[A-Za-z][A-Za-z'’\-]+", text[at + len(value) : at + len(value) + 40]) if at >= 0 else []
    words = [w for w in after[:3] if w.lower() not in {"the", "a", "an", "of", "and", "in", "on", "at", "to"}]
    return f"{kind} ({' '.join(words[:2])})" if words else f"the {kind}"
