"""The llm engine: a prompt chain over any OpenAI-compatible endpoint.

Why this shape: the bundled 1.5B model reads prompts at ~60-110 tok/s but writes at
~20-26 tok/s, and pasting whole articles into it produced cookie banners as bullets. So
code does everything code does well (cleaning, dedup, grouping, ranking, spans, flags,
conflicts on figures) and the model gets small, clean, numbered evidence and answers with
ids and short text only — never offsets, never copies.

    evidence    code   the shared evidence layer's ranked claim groups, top max_points + 4, each its
                       best sentence per origin; instruction-like sentences left out
    claims      model  one call per ~10 sentences (concurrent): claims + sentence ids;
                       unknown ids fed back, still unknown → the claim is dropped and counted
    consolidate code   duplicates merged; figure/date/name conflicts (find_conflicts)
                model  one call, only when similar claims from different origins remain:
                       same / different / conflict (a 'fact' conflict like unanimous vs 5-2)
    write       model  one call: points from numbered claims C1…, each naming claim ids;
                code   citations (exact spans) and flags from those ids
    verify      code   check_point on every point
                model  one rewrite per unsupported point, re-checked; still unsupported → dropped

Calls per briefing: ceil(evidence sentences / 10) + (0 or 1) + 1 + (one per unsupported
point); on examples/pow-exchange that is 2 + 1 + 1 + rewrites.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from briefing import evidence as ev
from briefing.checks import check_point
from briefing.conflicts import Disagreement
from briefing.engines.chain_steps import (
    ChainClaim,
    ChainLog,
    Sentence,
    claims_messages,
    claims_step,
    consolidate_messages,
    consolidate_step,
    candidate_pairs,
    gather,
    rewrite_messages,
    rewrite_step,
    write_messages,
    write_step,
)
from briefing.engines.endpoint import llm_target, run_sync, with_startup
from briefing.evidence import MAX_CITATIONS, Group
from briefing.models import Briefing, BriefingStats, Conflict, Corpus, DroppedPoint, Point, Source
from briefing.prompts import load_prompt
from briefing.stages import StageCallback, quiet
from briefing.text import normalise

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.engines.base import BuildOptions
    from briefing.llm import LLMClient

log = logging.getLogger(__name__)

ENGINE_VERSION = "0.1"
EXTRA_GROUPS = 2  # spare evidence groups beyond max_points, for claims merged or dropped on the way
SENTENCES_PER_CALL = 10  # claims step: sentences per call (whole groups, never split)
PROMPTS = ("claims", "consolidate", "write", "rewrite")



# ---------------------------------------------------------------- evidence (code)


@dataclass
class EvidenceGroup:
    group: Group
    sentences: list[Sentence]


@dataclass
class Evidence:
    """What code selected for the model: the shared evidence and its top groups, each
    group's best sentence per origin."""

    base: ev.Evidence
    groups: list[EvidenceGroup] = field(default_factory=list)

    @property
    def sources(self) -> list[Source]:
        return self.base.sources

    @property
    def conflicts(self) -> list[Disagreement]:
        return self.base.conflicts

    @property
    def excluded(self) -> int:
        return self.base.excluded  # instruction-like sentences left out

    @property
    def sentences(self) -> list[Sentence]:
        return [s for g in self.groups for s in g.sentences]


def select_evidence(corpus: Corpus, n_groups: int) -> Evidence:
    """The evidence layer's ranked claim groups, top `n_groups`, best sentence per origin."""
    base = ev.gather(corpus)
    evidence = Evidence(base)
    if not base.claims:
        return evidence
    position = {id(c): i for i, c in enumerate(base.claims)}
    for rank, g in enumerate(base.select(n_groups, drop_repeats=False)):
        support = base.support(g)
        evidence.groups.append(EvidenceGroup(g, [Sentence(c, position[id(c)], rank) for c in support]))
    return evidence


def claim_batches(evidence: Evidence, per_call: int = SENTENCES_PER_CALL) -> list[list[list[Sentence]]]:
    """Whole groups packed into calls of at most `per_call` sentences."""
    batches: list[list[list[Sentence]]] = []
    size = 0
    for g in evidence.groups:
        if batches and size + len(g.sentences) <= per_call:
            batches[-1].append(g.sentences)
            size += len(g.sentences)
        else:
            batches.append([g.sentences])
            size = len(g.sentences)
    return batches


def _citing_sentences(claims: Sequence[ChainClaim]) -> list[Sentence]:
    """At most MAX_CITATIONS sentences (more only if the point rests on more claims): one for
    every claim first, so each part of the point is backed; then one per origin not yet
    cited; then the rest, best-ranked first."""
    every = sorted({id(s): s for c in claims for s in c.sentences}.values(), key=lambda s: s.group)
    cited: list[Sentence] = []
    for c in claims:
        if not any(s in cited for s in c.sentences):
            cited.append(min(c.sentences, key=lambda s: s.group))
    origins = {s.claim.origin for s in cited}
    for s in every:
        if s.claim.origin not in origins:
            cited.append(s)
            origins.add(s.claim.origin)
    cited += [s for s in every if s not in cited]
    return sorted(cited[: max(MAX_CITATIONS, len(claims))], key=lambda s: (s.group, s.index))


def make_point(evidence: Evidence, text: str, claims: Sequence[ChainClaim], fact: Sequence[Conflict]) -> Point:
    """Citations (exact spans) and flags for a written point: all code, from the ids."""
    cited = _citing_sentences(claims)
    members = {i for s in cited for i in evidence.groups[s.group].group.members}
    return evidence.base.point(text, [s.claim for s in cited], members, fact)


Draft = tuple[Point, list[ChainClaim]]  # a written point and the claims it rests on


def _dedupe(drafts: Sequence[Draft], log_: ChainLog, *, quiet_repeats: bool = False) -> list[Draft]:
    """The same text, or the very same citations, twice is one point."""
    out: list[Draft] = []
    seen: set[object] = set()
    for p, claims in drafts:
        keys = {normalise(p.text), tuple(sorted((c.source_id, c.start, c.end) for c in p.citations))}
        if keys & seen:
            if not quiet_repeats:
                log_.dropped.append(DroppedPoint(text=p.text, reason="repeats an earlier point"))
            continue
        seen |= keys
        out.append((p, claims))
    return out


def _verbatim(evidence: Evidence, claims: Sequence[ChainClaim]) -> Point:
    """The point's first claim stated by its best source sentence, word for word."""
    claim = claims[0]
    best = min(claim.sentences, key=lambda s: s.group)
    return make_point(evidence, best.text, [ChainClaim(best.text, claim.sentences, claim.rank)], [])


async def _verify(
    client: Any, drafts: list[Draft], evidence: Evidence, log_: ChainLog, on_stage: StageCallback
) -> list[Point]:
    """Check every point; rewrite each unsupported one once from its quotes and check again.

    A point still unsupported is dropped (recorded in `dropped` with the checker's reasons);
    its place goes to its first claim's source sentence, verbatim, when that passes the checker,
    so a model that cannot fix a sentence does not cost the reader the fact."""
    sources = {s.id: s for s in evidence.sources}
    checked = [(p.model_copy(update={"support": check_point(p, sources)}), claims) for p, claims in drafts]
    failing = [k for k, (p, _) in enumerate(checked) if p.support and p.support.label == "unsupported"]
    gone: set[int] = set()  # failing drafts with no supported rewrite or fallback
    done = 0

    async def rewrite(k: int) -> tuple[int, str | None, Exception | None]:
        nonlocal done
        p = checked[k][0]
        reasons = p.support.reasons if p.support else []
        text, error = await rewrite_step(client, p.text, reasons, [c.quote for c in p.citations])
        done += 1
        on_stage(f"rewrite {done}/{len(failing)}")
        return k, text, error

    for k, text, error in await gather([rewrite(k) for k in failing]):
        before, claims = checked[k]
        why = "; ".join(before.support.reasons) if before.support else "unsupported"
        if text is not None:
            again = before.model_copy(update={"text": text})
            verdict = check_point(again, sources)
            if verdict.label != "unsupported":
                checked[k] = (again.model_copy(update={"support": verdict}), claims)
                continue
            reason = f"unsupported by its cited spans ({why}); rewritten once, still unsupported ({'; '.join(verdict.reasons)})"
        else:
            reason = f"unsupported by its cited spans ({why}); the rewrite failed: {error}"
        fallback = _verbatim(evidence, claims)
        fallback = fallback.model_copy(update={"support": check_point(fallback, sources)})
        keeps = fallback.support is not None and fallback.support.label != "unsupported"
        log_.dropped.append(DroppedPoint(text=before.text, reason=reason + ("; stated its source sentence instead" if keeps else "")))
        if keeps:
            checked[k] = (fallback, claims)
        else:
            gone.add(k)
    kept = [d for k, d in enumerate(checked) if k not in gone]
    return [p for p, _ in _dedupe(kept, log_, quiet_repeats=True)]


# ---------------------------------------------------------------- the chain


@contextmanager
def _timed(timings: dict[str, float], step: str, on_stage: StageCallback) -> Iterator[None]:
    on_stage(step)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = round(time.perf_counter() - start, 4)


async def run_chain(
    corpus: Corpus, max_points: int, client: LLMClient, *, on_stage: StageCallback = quiet
) -> Briefing:
    """The whole chain against one LLMClient (which must belong to the running loop)."""
    log_ = ChainLog()
    timings: dict[str, float] = {}
    with _timed(timings, "evidence", on_stage):
        evidence = select_evidence(corpus, max_points + EXTRA_GROUPS)
    if evidence.excluded:
        log.warning("left out %d sentence(s) that read as instructions to a model", evidence.excluded)
    points: list[Point] = []
    if evidence.groups:
        with _timed(timings, "claims", on_stage):
            batches = claim_batches(evidence)
            done = 0

            async def one(batch: list[list[Sentence]]) -> list[ChainClaim]:
                nonlocal done
                out = await claims_step(client, batch, log_)
                done += 1
                on_stage(f"claims {done}/{len(batches)}")
                return out

            claims = [c for part in await gather([one(b) for b in batches]) for c in part]
        with _timed(timings, "consolidate", on_stage):
            pairs = [d.pair for d in evidence.conflicts]
            claims = sorted(await consolidate_step(client, claims, pairs, log_), key=lambda c: c.rank)
        with _timed(timings, "write", on_stage):
            written = await write_step(client, claims, max_points, log_) if claims else []
            drafted: list[Draft] = []
            for text, chosen in written:
                fact = [f.conflict for f in log_.fact_conflicts if any(c is x for c in chosen for x in f.claims)]
                drafted.append((make_point(evidence, text, chosen, fact), chosen))
            drafted = _dedupe(drafted, log_)
        with _timed(timings, "verify", on_stage):
            points = await _verify(client, drafted, evidence, log_, on_stage)
    usage = {step: dict(u) for step, u in client.usage.items()}
    if usage:
        usage["total"] = {k: sum(u.get(k, 0) for u in client.usage.values()) for k in next(iter(usage.values()))}
    return Briefing(
        title=ev.title(evidence.sources, [p.text for p in points]),
        sources=evidence.sources,
        points=points,
        conflicts=[d.conflict for d in evidence.conflicts] + [f.conflict for f in log_.fact_conflicts],
        dropped=log_.dropped,
        stats=BriefingStats.of(
            corpus.stats,
            points=len(points),
            engine="llm",
            engine_version=f"{ENGINE_VERSION} ({client.model})",
            timings=timings,
            degraded="; ".join(log_.notes) or None,
            usage=usage,
            cost_usd=client.cost_usd,
            prompts={name: load_prompt(name).ref for name in PROMPTS},
        ),
    )


def run_with(
    make_client: Callable[[], LLMClient], corpus: Corpus, max_points: int, on_stage: StageCallback = quiet
) -> Briefing:
    """The chain, synchronously, with a client made on (and closed with) its own loop."""

    async def go() -> Briefing:
        async with make_client() as client:
            return await run_chain(corpus, max_points, client, on_stage=on_stage)

    return run_sync(go)


def build(corpus: Corpus, max_points: int, settings: Settings, on_stage: StageCallback = quiet) -> Briefing:
    """The `llm` engine: the configured endpoint, else the bundled local model; else LLMUnavailable.

    Errors are not hidden: an endpoint that stays down raises LLMUnavailable, other model
    failures LLMError (the CLI prints them and exits 1)."""
    target = llm_target(settings, on_stage)
    return with_startup(run_with(target.make_client, corpus, max_points, on_stage), target)


def build_engine(corpus: Corpus, options: BuildOptions, *, settings: Settings, on_stage: StageCallback = quiet) -> Briefing:
    """The registry's entry (engines/__init__.py)."""
    return build(corpus, options.points(settings), settings, on_stage)


# ---------------------------------------------------------------- dry run (bench/tokens.py)


def planned_requests(corpus: Corpus, max_points: int, rewrites: int = 2) -> list[tuple[str, list[dict[str, str]]]]:
    """The messages the chain would send, without a model.

    claims: exact. consolidate and write depend on the model's claims; they are estimated
    with each group's best sentence standing in for its claim (longer than the short claims
    the model writes, so the estimate errs high). rewrite: `rewrites` calls on the first points.
    """
    evidence = select_evidence(corpus, max_points + EXTRA_GROUPS)
    out: list[tuple[str, list[dict[str, str]]]] = []
    for batch in claim_batches(evidence):
        out.append(("claims", claims_messages(batch)[0]))
    claims = [ChainClaim(g.sentences[0].text, list(g.sentences), g.sentences[0].group) for g in evidence.groups]
    pairs = candidate_pairs(claims, [d.pair for d in evidence.conflicts])
    if pairs:
        out.append(("consolidate", consolidate_messages(claims, pairs)))
    if claims:
        out.append(("write", write_messages(claims[:max_points], max_points)))
    for c in claims[:rewrites]:
        out.append(("rewrite", rewrite_messages(c.text, ["cited text does not mention …"], [s.text for s in c.sentences])))
    return out
