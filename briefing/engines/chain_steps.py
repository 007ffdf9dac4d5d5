"""The model-facing steps of the llm chain: answer models, prompts rendered, answers checked.

Each step renders one prompt file, asks `LLMClient.complete` for a pydantic answer with a
`validate` function whose problems are fed back to the model (bounded retries, in the
client), and then turns ids back into evidence. The model answers with ids and short text
only; nothing it writes is trusted as an offset, a quote or a source.

When a step's answer never validates, the step degrades instead of failing the briefing:
claims citing unknown ids are dropped (and counted), the write step falls back to the
claims themselves, consolidation leaves claims unmerged. Each degradation is noted for
`stats.degraded`. Transport failures (endpoint down, timeouts) are not caught here.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from briefing.claims import Claim, cue_tags
from briefing.conflicts import figures_at_odds
from briefing.evidence import cite
from briefing.lang.numbers import figures
from briefing.errors import LLMOutputError
from briefing.models import Conflict, ConflictValue, DroppedPoint
from briefing.prompts import render
from briefing.similarity import SimilarityIndex
from briefing.text import content_stems, normalise

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")

PAIR_SIMILARITY = 0.3  # consolidate: claims this similar (content stems) are worth asking about
MAX_PAIRS = 6  # consolidate: pairs asked about per briefing
_ID = re.compile(r"^\s*\[?\s*([A-Za-z]?)\s*-?\s*(\d+)\s*\]?\s*$")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


# ---------------------------------------------------------------- answer models


class ExtractedClaim(BaseModel):
    """One claim and the sentences that state it."""

    text: str = Field(min_length=1, max_length=300, description="The claim in one short plain sentence.")
    ids: list[str] = Field(min_length=1, description='Ids of the sentences that state it, e.g. ["S1", "S3"].')


class ClaimsAnswer(BaseModel):
    """The claims stated by the numbered sentences."""

    claims: list[ExtractedClaim]


class PairVerdict(BaseModel):
    """How two claims relate."""

    pair: str = Field(description='The pair id, e.g. "P1".')
    relation: Literal["same", "different", "conflict"]
    subject: str = Field(default="", max_length=120, description="For a conflict: what they disagree on.")
    values: list[str] = Field(
        default_factory=list, description="For a conflict: the disagreeing words of claim A, then of claim B."
    )


class ConsolidateAnswer(BaseModel):
    """A relation for every pair of claims."""

    pairs: list[PairVerdict]


class WrittenPoint(BaseModel):
    """One point of the briefing and the claims it rests on."""

    text: str = Field(min_length=1, max_length=500, description="One or two plain sentences.")
    claims: list[str] = Field(min_length=1, description='Ids of the claims it rests on, e.g. ["C1", "C4"].')


class WriteAnswer(BaseModel):
    """The briefing's points, most important first."""

    points: list[WrittenPoint]


def write_answer(max_points: int) -> type[WriteAnswer]:
    """WriteAnswer whose JSON schema caps the number of points (servers with grammars obey it;
    validation stays lenient and code keeps the first `max_points`)."""

    class CappedWriteAnswer(WriteAnswer):
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            schema = super().model_json_schema(*args, **kwargs)
            schema["properties"]["points"]["maxItems"] = max_points
            return schema

    CappedWriteAnswer.__name__ = CappedWriteAnswer.__qualname__ = "WriteAnswer"
    return CappedWriteAnswer


class Rewritten(BaseModel):
    """The point, rewritten to say only what its evidence says."""

    text: str = Field(min_length=1, max_length=500, description="One or two plain sentences.")


# ---------------------------------------------------------------- shared state


@dataclass(eq=False)
class Sentence:
    """One evidence sentence: an offline claim (exact offsets, origin, cues) in a ranked group."""

    claim: Claim
    index: int  # into the evidence's claim list (conflict pairs use these)
    group: int  # rank of its evidence group (0 = best)

    @property
    def text(self) -> str:
        return self.claim.text

    @property
    def cues(self) -> str:
        return ", ".join(tag for f, tag in cue_tags().items() if f in self.claim.cues)


@dataclass(eq=False)
class ChainClaim:
    """A claim the model stated, resting on evidence sentences."""

    text: str
    sentences: list[Sentence]
    rank: int  # best (lowest) evidence group rank among its sentences

    @property
    def origins(self) -> set[str]:
        return {s.claim.origin for s in self.sentences}

    @property
    def cues(self) -> str:
        """Cues every sentence shares, so the writer keeps the attribution."""
        shared = [tag for f, tag in cue_tags().items() if all(f in s.claim.cues for s in self.sentences)]
        return ", ".join(shared)


@dataclass
class FactConflict:
    """A disagreement only language shows, found by the consolidate step."""

    conflict: Conflict
    claims: tuple[ChainClaim, ChainClaim]


@dataclass
class ChainLog:
    """What the steps dropped and where they degraded."""

    dropped: list[DroppedPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fact_conflicts: list[FactConflict] = field(default_factory=list)


def norm_id(raw: str, prefix: str) -> str:
    """'s3', 'S 3', '[S3]', '3' → 'S3'; anything else comes back stripped, to be rejected."""
    m = _ID.match(str(raw))
    if m and (not m.group(1) or m.group(1).upper() == prefix):
        return f"{prefix}{int(m.group(2))}"
    return str(raw).strip()


_LIST_MARK = re.compile(r"^\s*(?:(?:[-*•]|\d{1,2}[.)]|[CPS]\d+:)\s+)+")


def clean_text(text: str) -> str:
    """A model's sentence without list markers or id prefixes ("1. ", "- ", "C3: ") or stray spaces."""
    return " ".join(_LIST_MARK.sub("", text.strip()).split())


def _id_range(ids: Sequence[str]) -> str:
    return f"{ids[0]}–{ids[-1]}" if len(ids) > 1 else ids[0]


def _parse_lenient(reply: str | None, model: type[T]) -> T | None:
    """The last rejected reply, if it at least matches the schema."""
    if not reply:
        return None
    m = _FENCE.match(reply)
    try:
        return model.model_validate_json(m.group(1) if m else reply.strip())
    except ValidationError:
        return None


async def ask(
    client: Any,
    step: str,
    messages: list[dict[str, str]],
    model: type[T],
    validate: Callable[[T], list[str]] | None,
    max_tokens: int,
) -> tuple[T | None, LLMOutputError | None]:
    """A validated answer; after the bounded retries, (the last answer if it parses, the error)."""
    try:
        return await client.complete(step, messages, model, validate=validate, max_tokens=max_tokens), None
    except LLMOutputError as exc:
        log.warning("%s", exc)
        return _parse_lenient(exc.last_reply, model), exc


async def gather(tasks: Sequence[Awaitable[R]]) -> list[R]:
    """Run concurrently (the client bounds concurrency); the first failure cancels the rest and
    is raised as itself (not wrapped in an ExceptionGroup), so callers can catch LLMError."""
    running = [asyncio.ensure_future(t) for t in tasks]
    try:
        return list(await asyncio.gather(*running))
    except BaseException:
        for r in running:
            r.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        raise


# ---------------------------------------------------------------- step: claims


def claims_messages(batch: Sequence[Sequence[Sentence]]) -> tuple[list[dict[str, str]], dict[str, Sentence]]:
    """The claims prompt for one batch of groups, and its ids S1… → sentences."""
    ids: dict[str, Sentence] = {}
    groups = []
    for group in batch:
        rows = []
        for s in group:
            sid = f"S{len(ids) + 1}"
            ids[sid] = s
            rows.append({"id": sid, "text": s.text, "cues": s.cues})
        groups.append(rows)
    return render("claims", groups=groups), ids


def check_claims(ids: dict[str, Sentence]) -> Callable[[ClaimsAnswer], list[str]]:
    known = list(ids)

    def check(answer: ClaimsAnswer) -> list[str]:
        return [
            f"claims.{k}: {raw} does not exist; use only ids {_id_range(known)}"
            for k, c in enumerate(answer.claims)
            for raw in c.ids
            if norm_id(raw, "S") not in ids
        ]

    return check


async def claims_step(client: Any, batch: Sequence[Sequence[Sentence]], log_: ChainLog) -> list[ChainClaim]:
    """Claims with the ids of the sentences that state them, for one batch of groups."""
    messages, ids = claims_messages(batch)
    max_tokens = min(900, 120 + 90 * len(batch))
    answer, error = await ask(client, "claims", messages, ClaimsAnswer, check_claims(ids), max_tokens)
    if answer is None:  # not even the schema: state the group's best sentence instead
        log_.notes.append(f"claims step: {error}; used the source sentences of {len(batch)} evidence groups")
        return [ChainClaim(g[0].text, list(g), g[0].group) for g in batch]
    if not answer.claims:  # nothing stated at all is a failure too, not an empty story
        log_.notes.append(f"claims step: no claims for {len(batch)} evidence groups; used their source sentences")
        return [ChainClaim(g[0].text, list(g), g[0].group) for g in batch]
    out = []
    for c in answer.claims:
        norm = [norm_id(i, "S") for i in c.ids]
        unknown = [raw for raw, n in zip(c.ids, norm, strict=True) if n not in ids]
        if unknown:
            attempts = error.attempts if error else 1
            log_.dropped.append(
                DroppedPoint(
                    text=c.text,
                    reason=f"claims step: cites sentence ids that do not exist ({', '.join(unknown)}) "
                    f"after {attempts} attempts",
                )
            )
            continue
        sentences = list({id(ids[n]): ids[n] for n in norm}.values())
        out.append(ChainClaim(clean_text(c.text), sentences, min(s.group for s in sentences)))
    # Code ranked every group in the batch as worth stating; one the model passed over (small
    # models skip items in long lists) is stated by its best sentence, verbatim.
    stated = {id(s) for c in out for s in c.sentences}
    out += [ChainClaim(g[0].text, list(g), g[0].group) for g in batch if not any(id(s) in stated for s in g)]
    return out


# ---------------------------------------------------------------- step: consolidate


def merge_duplicates(claims: Sequence[ChainClaim]) -> list[ChainClaim]:
    """Code's part: the same wording, or the very same sentences, is one claim."""
    out: list[ChainClaim] = []
    for c in sorted(claims, key=lambda c: c.rank):
        text, ids = normalise(c.text), {id(s) for s in c.sentences}
        same = next((o for o in out if normalise(o.text) == text or {id(s) for s in o.sentences} == ids), None)
        if same is None:
            out.append(c)
        else:
            _absorb(same, c)
    return out


def _absorb(into: ChainClaim, other: ChainClaim) -> None:
    seen = {id(s) for s in into.sentences}
    into.sentences += [s for s in other.sentences if id(s) not in seen]
    into.rank = min(into.rank, other.rank)


def candidate_pairs(
    claims: Sequence[ChainClaim], code_conflicts: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Similar claims from different origins that code cannot decide about, most similar first.

    Pairs whose sentences code already found disagreeing on a figure, date or name are left
    out: code has that conflict with its citations."""
    if len(claims) < 2:
        return []
    index = SimilarityIndex([content_stems(c.text) for c in claims])
    known = {frozenset(p) for p in code_conflicts}
    pairs = []
    for i in range(len(claims)):
        for j, sim in index.neighbours(i).items():
            a, b = claims[i], claims[j]
            if j <= i or sim < PAIR_SIMILARITY or not (a.origins ^ b.origins):
                continue
            if any(frozenset((x.index, y.index)) in known for x in a.sentences for y in b.sentences):
                continue
            pairs.append((sim, i, j))
    pairs.sort(key=lambda t: -t[0])
    return [(i, j) for _, i, j in pairs[:MAX_PAIRS]]


def consolidate_messages(claims: Sequence[ChainClaim], pairs: Sequence[tuple[int, int]]) -> list[dict[str, str]]:
    rows = [{"id": f"P{k + 1}", "a": claims[i].text, "b": claims[j].text} for k, (i, j) in enumerate(pairs)]
    return render("consolidate", pairs=rows)


def _value_sentence(value: str, claim: ChainClaim) -> Sentence | None:
    """The claim's sentence that contains every word of the value, if any."""
    words = re.findall(r"\w+", value.lower())
    if not words:
        return None
    for s in claim.sentences:
        have = set(re.findall(r"\w+", s.text.lower()))
        if all(w in have for w in words):
            return s
    return None


def check_pairs(
    claims: Sequence[ChainClaim], pairs: Sequence[tuple[int, int]]
) -> Callable[[ConsolidateAnswer], list[str]]:
    known = [f"P{k + 1}" for k in range(len(pairs))]

    def check(answer: ConsolidateAnswer) -> list[str]:
        problems = []
        for v in answer.pairs:
            pid = norm_id(v.pair, "P")
            if pid not in known:
                problems.append(f"{v.pair} does not exist; use only pair ids {_id_range(known)}")
                continue
            if v.relation != "conflict":
                continue
            i, j = pairs[known.index(pid)]
            if len(v.values) != 2 or not v.subject.strip():
                problems.append(f"{pid}: a conflict needs a subject and exactly two values (from A, then from B)")
                continue
            for value, who, c in ((v.values[0], "A", claims[i]), (v.values[1], "B", claims[j])):
                if _value_sentence(value, c) is None:
                    problems.append(f"{pid}: value {value!r} is not in the sources of claim {who}; copy its words")
        return problems

    return check


async def consolidate_step(
    client: Any, claims: Sequence[ChainClaim], code_conflicts: Sequence[tuple[int, int]], log_: ChainLog
) -> list[ChainClaim]:
    """Merge what is the same claim; record disagreements only language shows."""
    merged = merge_duplicates(claims)
    pairs = candidate_pairs(merged, code_conflicts)
    if not pairs:
        return merged
    check = check_pairs(merged, pairs)
    messages = consolidate_messages(merged, pairs)
    answer, error = await ask(client, "consolidate", messages, ConsolidateAnswer, check, 40 + 45 * len(pairs))
    if answer is None:
        log_.notes.append(f"consolidate step: {error}; claims left unmerged")
        return merged
    parent: dict[int, int] = {}
    found: list[tuple[Conflict, int, int]] = []
    for v in answer.pairs:
        if check(ConsolidateAnswer(pairs=[v])):  # still invalid after the retries: ignored
            continue
        i, j = pairs[int(norm_id(v.pair, "P")[1:]) - 1]
        relation = v.relation
        if relation == "conflict" and one_figure(v.values[0], v.values[1]):
            relation = "same"  # "4.50%" vs "4.5 per cent": one fact, told twice
        if relation == "same" and not plausibly_same(merged[i], merged[j]):
            log.info("consolidate: ignored 'same' for %r / %r", merged[i].text, merged[j].text)
            continue
        if relation == "same":
            ri, rj = _root(parent, i), _root(parent, j)
            if ri != rj:
                keep, gone = sorted((ri, rj), key=lambda k: merged[k].rank)
                _absorb(merged[keep], merged[gone])
                parent[gone] = keep
        elif relation == "conflict" and both_say(v.values[0], v.values[1], merged[i], merged[j]):
            log.info("consolidate: ignored 'conflict' %r vs %r", v.values[0], v.values[1])
        elif relation == "conflict":
            sa, sb = _value_sentence(v.values[0], merged[i]), _value_sentence(v.values[1], merged[j])
            assert sa is not None and sb is not None  # check() made sure
            values = [
                ConflictValue(value=v.values[0].strip(), citation=cite(sa.claim)),
                ConflictValue(value=v.values[1].strip(), citation=cite(sb.claim)),
            ]
            found.append((Conflict(subject=v.subject.strip(), kind="fact", values=values), i, j))
    for conflict, i, j in found:  # point at the claims that survived merging
        log_.fact_conflicts.append(FactConflict(conflict, (merged[_root(parent, i)], merged[_root(parent, j)])))
    return [c for k, c in enumerate(merged) if k not in parent]


def one_figure(va: str, vb: str) -> bool:
    """Code's reading of a 'conflict' verdict: "4.50%" and "4.5 per cent" are one figure."""
    qa, qb = figures(va), figures(vb)
    return bool(qa and qb) and all(any(x.kind == y.kind and x.overlaps(y) for y in qb) for x in qa)


def both_say(va: str, vb: str, a: ChainClaim, b: ChainClaim) -> bool:
    """Code's veto on a 'conflict' verdict: a value the other claim's own sources also state
    plainly is no disagreement (both sides say it; "not unanimous" still disagrees)."""
    for value, other in ((va, b), (vb, a)):
        words = set(content_stems(value))
        said = {
            w for s in other.sentences if not _NEGATION.search(s.text) for w in content_stems(s.text)
        }
        if words and words <= said:
            return True
    return False


_NEGATION = re.compile(r"\b(?:not|no|never|denied|denies|deny)\b|n't\b", re.IGNORECASE)


def plausibly_same(a: ChainClaim, b: ChainClaim) -> bool:
    """Code's veto on a 'same' verdict: most content words of the shorter claim are in the
    other, and no figure or date of one contradicts the other. (Small models answer 'same'
    for nearly any pair about one event; merging would lose a fact.)"""
    sa, sb = set(content_stems(a.text)), set(content_stems(b.text))
    if not sa or not sb or len(sa & sb) < 0.5 * min(len(sa), len(sb)):
        return False
    return not any(figures_at_odds(x.claim, y.claim) for x in a.sentences for y in b.sentences)


def _root(parent: dict[int, int], k: int) -> int:
    while k in parent:
        k = parent[k]
    return k


# ---------------------------------------------------------------- step: write


def write_messages(claims: Sequence[ChainClaim], max_points: int) -> list[dict[str, str]]:
    rows = [{"id": f"C{k + 1}", "text": c.text, "cues": c.cues} for k, c in enumerate(claims)]
    return render("write", claims=rows, max_points=max_points)


def check_points(n_claims: int, max_points: int) -> Callable[[WriteAnswer], list[str]]:
    known = [f"C{k + 1}" for k in range(n_claims)]

    def check(answer: WriteAnswer) -> list[str]:
        problems = []
        if not answer.points:
            problems.append("points: write at least one point")
        problems += [
            f"points.{k}: {raw} does not exist; use only ids {_id_range(known)}"
            for k, p in enumerate(answer.points)
            for raw in p.claims
            if norm_id(raw, "C") not in known
        ]
        return problems

    return check


async def write_step(
    client: Any, claims: Sequence[ChainClaim], max_points: int, log_: ChainLog
) -> list[tuple[str, list[ChainClaim]]]:
    """(text, the claims it rests on) per point, in rank order.

    `claims` are the ones code chose for the briefing (best-ranked first). Every one of them
    ends up in some point: a claim the model left out (or wrote only in a point naming an
    unknown id) is stated as the claims step worded it."""
    claims = list(claims[:max_points])
    check = check_points(len(claims), max_points)
    answer, error = await ask(
        client, "write", write_messages(claims, max_points), write_answer(max_points), check, 60 + 90 * max_points
    )
    if answer is None or not answer.points:
        log_.notes.append(f"write step: {error or 'no points'}; the points are the extracted claims")
        return [(c.text, [c]) for c in claims]
    known = {f"C{k + 1}": c for k, c in enumerate(claims)}
    out = []
    for p in answer.points:
        norm = [norm_id(i, "C") for i in p.claims]
        bad = [raw for raw, n in zip(p.claims, norm, strict=True) if n not in known]
        if bad:
            log_.dropped.append(
                DroppedPoint(text=p.text, reason=f"write step: rests on claim ids that do not exist ({', '.join(bad)})")
            )
            continue
        out.append((clean_text(p.text), [known[n] for n in dict.fromkeys(norm)]))
    return _complete(out, claims, max_points)


def _complete(
    points: list[tuple[str, list[ChainClaim]]], claims: Sequence[ChainClaim], max_points: int
) -> list[tuple[str, list[ChainClaim]]]:
    """Drop points that repeat an earlier one word for word or rest on the very same claims (a
    small model at temperature 0 can loop on one point), state every claim no point used in
    its own words, and order the points by the claims' rank."""
    out: list[tuple[str, list[ChainClaim]]] = []
    seen: set[object] = set()
    for text, chosen in points:
        keys = {normalise(text), frozenset(id(c) for c in chosen)}
        if not keys & seen:
            out.append((text, chosen))
        seen |= keys
    if len(out) < len(points):
        log.info("write: %d repeated point(s) cut", len(points) - len(out))
    used = {id(c) for _, chosen in out for c in chosen}
    missing = [c for c in claims if id(c) not in used]
    if missing:
        log.info("write: %d claim(s) left out by the model, stated as extracted", len(missing))
    out += [(c.text, [c]) for c in missing]
    out.sort(key=lambda p: min(c.rank for c in p[1]))
    return out[:max_points]


# ---------------------------------------------------------------- step: rewrite


def rewrite_messages(text: str, problems: Sequence[str], quotes: Sequence[str]) -> list[dict[str, str]]:
    return render(
        "rewrite",
        point=text,
        problems="; ".join(problems) or "not supported by the evidence",
        evidence=[{"id": f"S{k + 1}", "text": q} for k, q in enumerate(quotes)],
    )


async def rewrite_step(
    client: Any, text: str, problems: Sequence[str], quotes: Sequence[str]
) -> tuple[str | None, LLMOutputError | None]:
    """The point rewritten from its cited quotes (None when no answer ever parsed)."""
    answer, error = await ask(client, "rewrite", rewrite_messages(text, problems, quotes), Rewritten, None, 160)
    return (clean_text(answer.text) if answer else None), error
