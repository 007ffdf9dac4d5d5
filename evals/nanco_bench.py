"""Same-thing matching on NAnCo's test questions (balanced accuracy), beside the published models.

    .venv/bin/python -m evals.nanco_bench [--data DIR] [--write-baseline]

NAnCo pairs two answers to one question, each drawn from a different outlet's paragraph; label 1
when annotators put them in the same cluster (they say the same thing). Our decision that two
sentences say the same thing is the offline engine's (`briefing.evidence.same_fact`): their
similarity, sentence embeddings centred on the set blended with TF-IDF (`SemanticIndex`, weight
and thresholds in ranking.toml [grouping]), reaches `similarity`, or `similarity_with_facts`
when the two share a figure or two names (`similarity_adding` when one adds a telling figure
the other lacks; never when each adds its own: `briefing/facts.py`), and it is cited as backing
the point only when their figures are not at odds (`figures_at_odds`). That decision is applied to every pair, with the
index built on the question's answers (as the engine builds it on a story's sentences), on two
inputs: the answer spans (what STS-BERT compared) and the source paragraphs (what MNLI
compared, and what our engine sees: whole sentences).

Protocol (the authors' NAnCo notebook): balanced accuracy per test question (Q4, Q7, Q8, Q9),
averaged. Our decision uses the engine's own thresholds: nothing is tuned. For reference only,
the cosine is also scored the authors' way (per validation question the threshold maximising
BAcc, their mean applied to test), which is what the published models were given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from briefing.claims import Claim
from briefing.conflicts import figures_at_odds
from briefing.evidence import RANKING, same_fact
from briefing.lang import embed, numbers
from briefing.models import Passage
from briefing.similarity import SemanticIndex, SimilarityIndex
from briefing.text import content_stems, entities
from evals.bench_data import NANCO_TEST, NANCO_VALIDATION, AnswerPair, MissingData, load_nanco_pairs
from evals.bench_metrics import balanced_accuracy

PUBLISHED: dict[str, float] = {
    "STS-BERT (stsb-bert-base)": 73.3,
    "STS-MPNet": 73.0,
    "MNLI (roberta-large, entailment)": 58.0,
    "VitaminC": 58.8,
    "QuIP": 74.1,
    "trained consolidation (discord_qg/mocha)": 81.3,
}


def as_claim(text: str, origin: str) -> Claim:
    """A bare claim with the features the grouping rule reads (stems, figures, names)."""
    return Claim(
        sentence=Passage(id=f"{origin}:0-{len(text)}", article_id=origin, start=0, end=len(text), text=text),
        origin=origin,
        position=0.0,
        order=0,
        trim=0,
        stems=content_stems(text),
        figures=numbers.figures(text),
        names=entities(text),
    )


def same_thing(a: Claim, b: Claim, cosine: float) -> bool:
    """The offline engine's decision: b joins a's group and may be cited as backing it."""
    return same_fact(cosine, a, b) and not figures_at_odds(a, b)


@dataclass(frozen=True)
class Scored:
    pair: AnswerPair
    cosine: float
    decision: int


def score_pairs(pairs: Sequence[AnswerPair], field: str) -> list[Scored]:
    """Similarity and decision for each pair; the index built per question on its distinct texts."""
    texts: dict[str, dict[str, int]] = {}
    for p in pairs:
        q = texts.setdefault(p.qid, {})
        for t in (getattr(p, f"{field}1"), getattr(p, f"{field}2")):
            q.setdefault(t, len(q))
    weight = RANKING.grouping.embedding_weight
    indexes = {
        qid: SemanticIndex(
            embed.embed(list(q)), SimilarityIndex([content_stems(t) for t in q], floor=0.0), weight=weight, floor=-1.0
        )
        for qid, q in texts.items()
    }
    out = []
    for p in pairs:
        ta, tb = getattr(p, f"{field}1"), getattr(p, f"{field}2")
        i, j = texts[p.qid][ta], texts[p.qid][tb]
        cos = 1.0 if ta == tb else indexes[p.qid].sim(i, j)
        a, b = as_claim(ta, "a"), as_claim(tb, "b")
        out.append(Scored(p, cos, int(ta == tb or same_thing(a, b, cos))))
    return out


def per_question(scored: Sequence[Scored], predict: Callable[[Scored], int], qids: Sequence[str]) -> dict[str, float]:
    """BAcc (%) per question and their mean ('mean'), as the notebook averages them."""
    res = {}
    for q in qids:
        mine = [s for s in scored if s.pair.qid == q]
        res[q] = 100 * balanced_accuracy([s.pair.label for s in mine], [predict(s) for s in mine])
    res["mean"] = sum(res[q] for q in qids) / len(qids)
    return res


def best_threshold(scored: Sequence[Scored]) -> float:
    """The notebook's search: t in 0.00..4.99 by 0.01, predict 1 iff score > t, keep the first best."""
    labels = [s.pair.label for s in scored]
    best_t, best = 0.0, 0.0
    for k in range(500):
        t = k / 100
        b = balanced_accuracy(labels, [int(s.cosine > t) for s in scored])
        if b > best:
            best_t, best = t, b
    return best_t


@dataclass(frozen=True)
class Result:
    field: str
    decision: dict[str, float]  # our fixed decision, BAcc per test question + mean
    tuned: dict[str, float]  # cosine at the validation-chosen threshold (reference)
    threshold: float
    n_test: int
    pos_test: int


def _above(s: Scored, thr: float) -> int:
    return int(s.cosine > thr)


def run(pairs: Sequence[AnswerPair]) -> list[Result]:
    out = []
    for field in ("answer", "paragraph"):
        scored = score_pairs(pairs, field)
        val = [[s for s in scored if s.pair.qid == q] for q in NANCO_VALIDATION]
        thr = sum(best_threshold(v) for v in val) / len(val)
        test = [s for s in scored if s.pair.qid in NANCO_TEST]
        out.append(
            Result(
                field,
                per_question(test, lambda s: s.decision, NANCO_TEST),
                per_question(test, partial(_above, thr=thr), NANCO_TEST),
                thr,
                len(test),
                sum(s.pair.label for s in test),
            )
        )
    return out


def table(results: Sequence[Result]) -> str:
    qs = " | ".join(NANCO_TEST)
    lines = [f"| system (input) | test BAcc (mean of questions) | {qs} |", "|---|---|" + "---|" * len(NANCO_TEST)]
    for r in results:
        per = " | ".join(f"{r.decision[q]:.1f}" for q in NANCO_TEST)
        lines.append(f"| **ours**: offline same-claim decision ({r.field}s) | **{r.decision['mean']:.1f}** | {per} |")
    for r in results:
        per = " | ".join(f"{r.tuned[q]:.1f}" for q in NANCO_TEST)
        lines.append(
            f"| reference: our similarity, threshold {r.threshold:.3f} from validation ({r.field}s) | "
            f"{r.tuned['mean']:.1f} | {per} |"
        )
    for name, v in PUBLISHED.items():
        lines.append(f"| published: {name} | {v:.1f} |" + " |" * len(NANCO_TEST))
    return "\n".join(lines)


def figures(results: Sequence[Result]) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in results:
        out[f"{r.field}_bacc"] = round(r.decision["mean"], 2)
        out[f"{r.field}_bacc_tuned_reference"] = round(r.tuned["mean"], 2)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=None, help="the shared benchmarks directory (default ../shared/benchmarks)")
    ap.add_argument("--write-baseline", action="store_true", help="record the figures in component_baseline.json")
    args = ap.parse_args(argv)
    try:
        pairs = load_nanco_pairs(args.data)
    except MissingData as e:
        print(f"nanco bench skipped: {e}")
        return 0
    results = run(pairs)
    r = results[0]
    print(f"NAnCo: {len(pairs)} answer pairs; test questions {', '.join(NANCO_TEST)}: {r.n_test} pairs, "
          f"{r.pos_test} same")
    print()
    print(table(results))
    if args.write_baseline:
        from evals.component_baseline import record

        print(f"\nwrote {record('nanco', figures(results))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
