"""Quantity extraction on NewsQuant (590 news sentences, 904 gold quantities), beside CQE's table.

    .venv/bin/python -m evals.newsquant_bench [--data DIR] [--misses N] [--write-baseline]

Measures the language layer's figures (`briefing.lang.numbers.figures`, which the quantity
frames of claims and conflicts are built on) and, labelled separately, the same figures as
the support checker classes them (`briefing.checks.normalize.extract_quantities`).
Counting follows the CQE repository's `evaluation/evaluate_models.py` (see `bench_metrics`);
a strict one-to-one matching is printed beside it.

What counts as a prediction: counts, sums, percentages, measures, durations and points, with
the number as written ("ten years" -> 10; a range as its two ends). Dates, clock times,
weekdays, years, ordinals and decades are left out (NewsQuant does not annotate dates).

Units are judged by class: a gold percentage needs a percentage, a gold currency its
currency, any other gold unit (or none) neither. "value+unit (noun)" also needs, for those
other units, a word of the gold unit among the frame's unit words: its measure unit as
written, or the thing it counts from the parse ("14 people" -> people), which is what
conflicts compare.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.checks.normalize import check_kind, extract_quantities
from briefing.lang.frames import Frame, read
from briefing.lang.numbers import Figure
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
_CODES = {"usd": "dollar", "eur": "euro", "gbp": "pound", "jpy": "yen", "cny": "yuan", "inr": "rupee",
          "ils": "shekel", "crown": "krone", "myr": "ringgit",
          # NewsQuant's normalised units name other dollars "... dollar" too (class "dollar")
          "aud": "dollar", "cad": "dollar", "hkd": "dollar", "sgd": "dollar", "nzd": "dollar", "twd": "dollar"}
# a conversion ("($590 million)" after "2.2 billion shekels") is a sum of money as written;
# conflicts never compare it, but it is a figure the sentence states
PREDICTED = frozenset({"count", "money", "conversion", "percent", "points", "measure", "duration"})


def gold_unit_class(g: GoldQuantity) -> str:
    """'percent', a currency name, or 'other' (a counted thing, a measure, or no unit)."""
    u = g.normalized_unit
    if u.startswith(("percentage", "%")) or g.unit.strip() in ("%", "percent", "per cent"):
        return "percent"
    for word, cls in _CURRENCIES.items():
        if word in u:
            return cls
    return "other"


def unit_class(f: Figure) -> str:
    if f.kind == "percent":
        return "percent"
    if f.kind in ("money", "conversion"):
        return _CODES.get(f.unit, f.unit)
    return "other"


def checker_unit_class(f: Figure) -> str:
    kind = check_kind(f)
    if kind == "pct":
        return "percent"
    if kind == "money":
        return _CODES.get(f.unit, f.unit)
    return "other"


def unit_noun_ok(g: GoldQuantity, fr: Frame) -> bool:
    """Class match, and for 'other' units with a name, a word of it among the frame's unit words."""
    cls = gold_unit_class(g)
    if cls != unit_class(fr.figure):
        return False
    if cls != "other" or g.normalized_unit in ("-", ""):
        return True
    words = {stem(w.lower()) for w in (g.unit + " " + g.normalized_unit).replace("-", " ").split() if w.isalpha()}
    mine = {stem(w.lower()) for w in fr.figure.text.replace("-", " ").split() if w.isalpha()}
    if fr.thing:
        mine.add(stem(fr.thing))
    return bool(words & mine)


def value(f: Figure) -> float | tuple[float, float]:
    """The number as written: "ten years" -> 10, "5 to 8 percent" -> (5, 8)."""
    scale = f.number / f.value if f.value else 1.0
    if f.is_range:
        return (f.lo * scale, f.value * scale)
    return f.number


def predictions(data: Sequence[QuantSentence]) -> list[list[Frame]]:
    frames = read([(s.text, None) for s in data])
    return [[fr for fr in fs if fr.kind in PREDICTED] for fs in frames]


def checker_predictions(text: str) -> list[Figure]:
    return [f for f in extract_quantities(text) if f.kind in PREDICTED]


@dataclass(frozen=True)
class Row:
    name: str
    cqe: QuantityScores  # CQE counting, unit by class
    strict: QuantityScores  # one-to-one, unit by class
    noun: QuantityScores | None = None  # CQE counting, unit class + counted noun (claims only)


def run(data: Sequence[QuantSentence]) -> list[Row]:
    """Score the figures, as frames and as the checker reads them, on the given sentences."""
    frames = list(zip([s.quantities for s in data], predictions(data), strict=True))
    checker = [(s.quantities, checker_predictions(s.text)) for s in data]

    def gv(g: GoldQuantity) -> float | tuple[float, float]:
        return g.value

    def fv(fr: Frame) -> float | tuple[float, float]:
        return value(fr.figure)

    def kv(f: Figure) -> float | tuple[float, float]:
        return value(f)

    def f_cls(g: GoldQuantity, fr: Frame) -> bool:
        return gold_unit_class(g) == unit_class(fr.figure)

    def k_cls(g: GoldQuantity, f: Figure) -> bool:
        return gold_unit_class(g) == checker_unit_class(f)

    return [
        Row(
            "briefing.lang.frames (claims, conflicts)",
            quantity_scores(frames, gv, fv, f_cls),
            quantity_scores(frames, gv, fv, f_cls, one_to_one=True),
            quantity_scores(frames, gv, fv, unit_noun_ok),
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
    """The first n sentences where the frames miss a gold value or add one."""
    out = []
    for s, preds in zip(data, predictions(data), strict=True):
        missed = [g.value for g in s.quantities if not any(values_match(g.value, value(p.figure)) for p in preds)]
        extra = [p.text for p in preds if not any(values_match(g.value, value(p.figure)) for g in s.quantities)]
        if missed or extra:
            out.append(f"- {s.text[:140]}\n    missed {missed}  extra {extra}")
        if len(out) >= n:
            break
    return out


def figures(rows: Sequence[Row]) -> dict[str, float]:
    """The figures the regression test guards (F1 in %, CQE counting); "claims" is the frames' row."""
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
        print("\nframes, sentences with a miss or an extra:")
        print("\n".join(misses(data, args.misses)))
    if args.write_baseline:
        from evals.component_baseline import record

        print(f"\nwrote {record('newsquant', figures(rows))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
