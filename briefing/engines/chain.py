"""The llm engine: the offline briefing, with a model on the few steps a small model does
reliably, each checked by code and each falling back to the code result.

Why this shape: on unseen stories a chain that let the bundled 1.5B model extract claims
and write every point was worse than no model (facts lost, fragments, one fact told twice,
corroborated facts flagged single-source) and took minutes. So selection, corroboration,
citations, flags and conflicts stay with code (the same functions the offline engine calls),
and the model only answers short questions whose answers code can verify:

    evidence    code   offline.gather: claims, groups, conflicts (find_conflicts)
    adjudicate  model  one call: a label per pair code proposes (its conflicts, and
                       sentences whose figures are at odds that it did not report);
                code   applies the labels conservatively (engines/adjudicate.py)
    compose     code   offline.compose: the extractive points, flagged from the conflicts
    merge       model  one short call per corroborated long point: one concise sentence;
                code   kept only if complete, shorter, every figure, name and attribution
                       kept, and the checker's verdict no worse; else the verbatim sentence
    headline    model  one call: headline and lead from the top points;
                code   checked against their citations; else the extractive title, no lead

The model writes labels and short sentences, never offsets, ids of sources or copied text.
Prompts put the fixed instructions first and the variable part last, so the server's
prompt cache reuses the shared prefix across the merge calls.

Calls per briefing: (0 or 1) + (corroborated points of `merge.min_words`+ words, at most
`merge.max_points`) + 1.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from briefing import evidence as ev
from briefing.checks import check_point
from briefing.engines import adjudicate, offline
from briefing.engines.chain_steps import (
    ChainLog,
    Front,
    MergeJob,
    ask,
    gather,
    headline_messages,
    headline_step,
    merge_jobs,
    merge_messages,
    merge_step,
)
from briefing.engines.endpoint import llm_target, run_sync, with_startup
from briefing.engines.chain_rules import RULES, ChainRules
from briefing.models import Briefing, BriefingStats, Corpus, Point, Source
from briefing.prompts import load_prompt, render
from briefing.stages import StageCallback, quiet

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.engines.base import BuildOptions
    from briefing.llm import LLMClient

log = logging.getLogger(__name__)

ENGINE_VERSION = "0.2"
PROMPTS = ("adjudicate", "merge", "headline")


@contextmanager
def _timed(timings: dict[str, float], step: str, on_stage: StageCallback) -> Iterator[None]:
    on_stage(step)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = round(time.perf_counter() - start, 4)


def adjudicate_messages(evidence: ev.Evidence, pairs: list[adjudicate.Pair]) -> list[dict[str, str]]:
    return render("adjudicate", pairs=adjudicate.pair_rows(evidence, pairs))


async def adjudicate_step(
    client: LLMClient, evidence: ev.Evidence, log_: ChainLog, rules: ChainRules = RULES
) -> adjudicate.Outcome | None:
    """Label the pairs code proposes and apply the labels to `evidence.conflicts`."""
    pairs = adjudicate.propose(evidence, rules.pairs)
    if not pairs:
        return None
    answer, error = await ask(
        client,
        "adjudicate",
        adjudicate_messages(evidence, pairs),
        adjudicate.AdjudicateAnswer,
        adjudicate.check_answer(len(pairs)),
        20 + 16 * len(pairs),
    )
    if error is not None:
        log_.notes.append(f"adjudicate step: {error}; code's conflicts stand where the model gave no label")
    outcome = adjudicate.apply(evidence, pairs, adjudicate.labels_of(answer, len(pairs)), rules.pairs)
    for d in outcome.removed:
        log.info("adjudicate: removed %s %s", d.conflict.subject, [v.value for v in d.conflict.values])
    for d in outcome.added:
        log.info("adjudicate: added %s %s", d.conflict.subject, [v.value for v in d.conflict.values])
    return outcome


def _lead(evidence: ev.Evidence, composed: offline.Composed, text: str, sources: dict[str, Source], n: int) -> Point:
    """The lead as a point: citing the claims of the first `n` points it sums up, flagged by code from them."""
    cited = list({id(c): c for claims in composed.cited[:n] for c in claims}.values())
    members = {i for m in composed.members[:n] for i in m}
    point = evidence.point(text, cited, members)
    return point.model_copy(update={"support": check_point(point, sources)})


def _jobs(composed: offline.Composed, rules: ChainRules) -> list[MergeJob]:
    return merge_jobs(composed.points, [[c.text for c in cited] for cited in composed.cited], rules.merge)


async def run_chain(
    corpus: Corpus, max_points: int, client: LLMClient, *, on_stage: StageCallback = quiet, rules: ChainRules = RULES
) -> Briefing:
    """The whole chain against one LLMClient (which must belong to the running loop); `rules`
    are briefing/data/chain.toml's unless given."""
    log_ = ChainLog()
    timings: dict[str, float] = {}
    with _timed(timings, "evidence", on_stage):
        evidence = offline.gather(corpus)
    if evidence.excluded:
        log.warning("left out %d sentence(s) that read as instructions to a model", evidence.excluded)
    with _timed(timings, "adjudicate", on_stage):
        await adjudicate_step(client, evidence, log_, rules)
    with _timed(timings, "compose", on_stage):
        composed = offline.compose(evidence, max_points)
        sources = {s.id: s for s in evidence.sources}
        points = [p.model_copy(update={"support": check_point(p, sources)}) for p in composed.points]
        composed.points = points
    with _timed(timings, "merge", on_stage):
        jobs = _jobs(composed, rules)
        done = 0

        async def one(job: MergeJob) -> tuple[int, Point]:
            nonlocal done
            merged = await merge_step(client, job, sources, log_)
            done += 1
            on_stage(f"merge {done}/{len(jobs)}")
            return job.index, merged

        for k, merged in await gather([one(j) for j in jobs]):
            points[k] = merged
    with _timed(timings, "headline", on_stage):
        title = ev.title(evidence.sources, [p.text for p in composed.points])
        front = await headline_step(client, points, title, sources, log_, rules.headline) if points else Front(title)
        lead = _lead(evidence, composed, front.lead, sources, rules.headline.lead_points) if front.lead else None
    usage = {step: dict(u) for step, u in client.usage.items()}
    if usage:
        usage["total"] = {k: sum(u.get(k, 0) for u in client.usage.values()) for k in next(iter(usage.values()))}
    return Briefing(
        title=front.title,
        lead=lead,
        sources=evidence.sources,
        points=points,
        conflicts=[d.conflict for d in evidence.conflicts],
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
        ).model_copy(update={"truncated": [*corpus.stats.truncated, *composed.notes]}),
    )


def run_with(
    make_client: Callable[[], LLMClient],
    corpus: Corpus,
    max_points: int,
    on_stage: StageCallback = quiet,
    rules: ChainRules = RULES,
) -> Briefing:
    """The chain, synchronously, with a client made on (and closed with) its own loop."""

    async def go() -> Briefing:
        async with make_client() as client:
            return await run_chain(corpus, max_points, client, on_stage=on_stage, rules=rules)

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


def planned_requests(corpus: Corpus, max_points: int, rules: ChainRules = RULES) -> list[tuple[str, list[dict[str, str]]]]:
    """The messages the chain would send, without a model: exact for adjudicate and merge
    (code decides both before any answer), and for headline when no merge changes the top points."""
    evidence = offline.gather(corpus)
    out: list[tuple[str, list[dict[str, str]]]] = []
    pairs = adjudicate.propose(evidence, rules.pairs)
    if pairs:
        out.append(("adjudicate", adjudicate_messages(evidence, pairs)))
    composed = offline.compose(evidence, max_points)
    out += [("merge", merge_messages(job)) for job in _jobs(composed, rules)]
    if composed.points:
        out.append(("headline", headline_messages(composed.points, rules.headline)))
    return out
