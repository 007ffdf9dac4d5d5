"""Quantity extraction on NewsQuant (590 news sentences, 904 gold quantities), beside CQE's table.

    .venv/bin/python -m evals.newsquant_bench [--data DIR] [--misses N] [--write-baseline]

Measures the figure extraction the claims and conflicts stages use (`briefing.claims.quantities`)
and, labelled separately, the support checker's (`briefing.checks.normalize.extract_quantities`).
Counting follows the CQE repository's `evaluation/evaluate_models.py` (see `bench_metrics`);
a strict one-to-one matching is printed beside it.

What counts as a prediction: the extractors' numbers. Dates, times and years are classified as
such by both extractors and left out (NewsQuant does not annotate dates); so are the checker's
ordinals and decades.

Units. Neither extractor normalises units as CQE does, so "value+unit" is judged by unit class:
a gold percentage needs the extractor's percent mark; a gold currency its currency (our claims
extractor knows $, € and £ only; the checker also currency words); any other gold unit (or none)
needs the absence of both. "value+unit (noun)" (claims extractor only) also needs, for those
other units, a word of the gold unit (stemmed) among the words the extractor keys the figure by
("14 people" → people): that is what conflicts compare.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.checks.normalize import Quantity as CheckQuantity
from briefing.checks.normalize import extract_quantities
from briefing.claims import Quantity as ClaimQuantity
from briefing.claims import quantities
from briefing.text import stem
from evals.bench_data import GoldQuantity, MissingData, QuantSentence, load_newsquant
from evals.bench_metrics import QuantityScores, quantity_scores, values_match

# Published NewsQuant figures (value F1, value+unit F1) from ../shared/benchmarks/newsquant/published_scores.csv.
PUBLISHED: dict[str, tuple[float, float]] = {
    "CQE": (91.9, 85.5),
    "quantulum3": (73.1, 47.1),
    "Recognizers-Text": (69.1, 34.2),
    "CogComp (ccg_nlp)": (57.3, 37.1),
    "GPT-3": (70.6, 59.1),
}

_CURRENCIES = {
    "dollar": "dollar", "euro": "euro", "pound sterling": "pound", "yen": "yen", "yuan": "yuan",
    "rupee": "rupee", "shekel": "shekel", "ringgit": "ringgit", "krone": "krone", "kuna": "kuna", "rand": "rand",
}
_CHECKER_CURRENCIES = {"usd": "dollar", "eur": "euro", "gbp": "pound", "jpy": "yen", "cny": "yuan", "inr": "rupee",
                       "ils": "shekel"}
_CLAIM_CURRENCIES = {"dollar", "euro", "pound"}


def gold_unit_class(g: GoldQuantity) -> str:
    """'percent', a currency name, or 'other' (a counted thing, a measure, or no unit)."""
    u = g.normalized_unit
    if u.startswith(("percentage", "%")) or g.unit.strip() in ("%", "percent", "per cent"):
        return "percent"
    for word, cls in _CURRENCIES.items():
        if word in u:
            return cls
    return "other"


def claim_unit_class(q: ClaimQuantity) -> str:
    if "percent" in q.keys:
        return "percent"
    return next((c for c in ("dollar", "euro", "pound") if c in q.keys), "other")


def checker_unit_class(q: CheckQuantity) -> str:
    if q.kind == "pct":
        return "percent"
    if q.kind == "money":
        return _CHECKER_CURRENCIES.get(q.currency or "", q.currency or "money")
    return "other"


def claim_unit_noun_ok(g: GoldQuantity, q: ClaimQuantity) -> bool:
    """Class match, and for 'other' units with a name, a word of it among the figure's keys."""
    cls = gold_unit_class(g)
    if cls != claim_unit_class(q):
        return False
    if cls != "other" or g.normalized_unit in ("-", ""):
        return True
    words = {stem(w.lower()) for w in (g.unit + " " + g.normalized_unit).replace("-", " ").split() if w.isalpha()}
    return bool(words & q.keys)


def claim_predictions(text: str) -> list[ClaimQuantity]:
    return [q for q in quantities(text) if q.kind == "number"]


def checker_predictions(text: str) -> list[CheckQuantity]:
    return [q for q in extract_quantities(text) if q.kind in ("num", "pct", "money")]


@dataclass(frozen=True)
class Row:
    name: str
    cqe: QuantityScores  # CQE counting, unit by class
    strict: QuantityScores  # one-to-one, unit by class
    noun: QuantityScores | None = None  # CQE counting, unit class + counted noun (claims only)


def run(data: Sequence[QuantSentence]) -> list[Row]:
    """Score both extractors on the given sentences."""
    claims = [(s.quantities, claim_predictions(s.text)) for s in data]
    checker = [(s.quantities, checker_predictions(s.text)) for s in data]

    def gv(g: GoldQuantity) -> float | tuple[float, float]:
        return g.value

    def cv(q: ClaimQuantity) -> float:
        return float(q.value)

    def kv(q: CheckQuantity) -> float:
        return float(q.value)  # type: ignore[arg-type]  # num/pct/money carry floats

    def c_cls(g: GoldQuantity, q: ClaimQuantity) -> bool:
        return gold_unit_class(g) == claim_unit_class(q)

    def k_cls(g: GoldQuantity, q: CheckQuantity) -> bool:
        return gold_unit_class(g) == checker_unit_class(q)

    return [
        Row(
            "briefing.claims.quantities (claims, conflicts)",
            quantity_scores(claims, gv, cv, c_cls),
            quantity_scores(claims, gv, cv, c_cls, one_to_one=True),
            quantity_scores(claims, gv, cv, claim_unit_noun_ok),
        ),
        Row(
            "briefing.checks.normalize.extract_quantities (checker)",
            quantity_scores(checker, gv, kv, k_cls),
            quantity_scores(checker, gv, kv, k_cls, one_to_one=True),
        ),
    ]


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| extractor | value P / R / F1 | value+unit (class) F1 | value+unit (noun) F1 | one-to-one value F1 / +unit F1 |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        v = r.cqe.value
        noun = f"{100 * r.noun.value_unit.f1:.1f}" if r.noun else "–"
        lines.append(
            f"| **ours**: {r.name} | {100 * v.precision:.1f} / {100 * v.recall:.1f} / {100 * v.f1:.1f} | "
            f"{100 * r.cqe.value_unit.f1:.1f} | {noun} | "
            f"{100 * r.strict.value.f1:.1f} / {100 * r.strict.value_unit.f1:.1f} |"
        )
    for name, (vf, uf) in PUBLISHED.items():
        lines.append(f"| published: {name} | – / – / {vf:.1f} | {uf:.1f} (normalised unit) | – | – |")
    return "\n".join(lines)


def misses(data: Sequence[QuantSentence], n: int) -> list[str]:
    """The first n sentences where the claims extractor misses a gold value or adds one."""
    out = []
    for s in data:
        preds = claim_predictions(s.text)
        missed = [g.value for g in s.quantities if not any(values_match(g.value, float(q.value)) for q in preds)]
        extra = [q.text for q in preds if not any(values_match(g.value, float(q.value)) for g in s.quantities)]
        if missed or extra:
            out.append(f"- {s.text[:140]}\n    missed {missed}  extra {extra}")
        if len(out) >= n:
            break
    return out


def figures(rows: Sequence[Row]) -> dict[str, float]:
    """The figures the regression test guards (F1 in %, CQE counting)."""
    claims, checker = rows
    assert claims.noun is not None
    return {
        "claims_value_f1": round(100 * claims.cqe.value.f1, 2),
        "claims_value_unit_f1": round(100 * claims.cqe.value_unit.f1, 2),
        "claims_value_unit_noun_f1": round(100 * claims.noun.value_unit.f1, 2),
        "checker_value_f1": round(100 * checker.cqe.value.f1, 2),
        "checker_value_unit_f1": round(100 * checker.cqe.value_unit.f1, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=None, help="the shared benchmarks directory (default ../shared/benchmarks)")
    ap.add_argument("--misses", type=int, default=0, help="print the first N sentences with a miss or an extra")
    ap.add_argument("--write-baseline", action="store_true", help="record the figures in component_baseline.json")
    args = ap.parse_args(argv)
    try:
        data = load_newsquant(args.data)
    except MissingData as e:
        print(f"newsquant bench skipped: {e}")
        return 0
    rows = run(data)
    print(f"NewsQuant: {len(data)} sentences, {sum(len(s.quantities) for s in data)} gold quantities")
    print()
    print(table(rows))
    if args.misses:
        print("\nclaims extractor, sentences with a miss or an extra:")
        print("\n".join(misses(data, args.misses)))
    if args.write_baseline:
        from evals.component_baseline import record

        print(f"\nwrote {record('newsquant', figures(rows))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
