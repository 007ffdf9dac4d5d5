"""Metric functions for the component benchmarks, written out so each is checkable by hand.

- `quantity_scores`: NewsQuant's value / value+unit precision, recall and F1, counted the way
  the CQE repository's `evaluation/evaluate_models.py` counts them (and, beside it, a strict
  one-to-one matching);
- `balanced_accuracy`: the mean of the recalls of the two classes (NAnCo);
- `adjusted_rand_index` and `bcubed`: clustering against gold classes (ECB+ stories).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Value = float | tuple[float, float]
P = TypeVar("P")
G = TypeVar("G")


def values_match(gold: Value, pred: Value) -> bool:
    """numpy.isclose(rtol=1e-5, atol=1e-8) on the value, or on both ends of a range; a range
    never matches a single number (the CQE rule)."""
    if isinstance(gold, tuple) != isinstance(pred, tuple):
        return False
    if isinstance(gold, tuple) and isinstance(pred, tuple):
        return all(_isclose(g, p) for g, p in zip(gold, pred, strict=True))
    assert not isinstance(gold, tuple) and not isinstance(pred, tuple)
    return _isclose(gold, pred)


def _isclose(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-8 + 1e-5 * abs(b)


@dataclass(frozen=True)
class PRF:
    correct: int
    gold: int
    predicted: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class QuantityScores:
    value: PRF
    value_unit: PRF


def quantity_scores(
    sentences: Sequence[tuple[Sequence[G], Sequence[P]]],
    gold_value: Callable[[G], Value],
    pred_value: Callable[[P], Value],
    unit_ok: Callable[[G, P], bool],
    *,
    one_to_one: bool = False,
) -> QuantityScores:
    """Value and value+unit P/R/F1 over (gold quantities, predicted quantities) per sentence.

    CQE counting (default): for each gold quantity, every prediction with a matching value adds
    one correct value while fewer than the sentence's gold count have been credited, and one
    correct value+unit whenever the unit also matches (that count is not capped).
    `one_to_one`: each gold and each prediction is used at most once (greedy, in order, value
    and unit both needed for a value+unit match) — never higher than CQE counting.
    """
    n_gold = n_pred = ok_value = ok_unit = 0
    for golds, preds in sentences:
        n_gold += len(golds)
        n_pred += len(preds)
        if one_to_one:
            ok_value += _greedy(golds, preds, lambda g, p: values_match(gold_value(g), pred_value(p)))
            ok_unit += _greedy(
                golds, preds, lambda g, p: values_match(gold_value(g), pred_value(p)) and unit_ok(g, p)
            )
            continue
        budget = len(golds)
        for g in golds:
            for p in preds:
                if values_match(gold_value(g), pred_value(p)):
                    if budget > 0:
                        ok_value += 1
                        budget -= 1
                    if unit_ok(g, p):
                        ok_unit += 1
    return QuantityScores(PRF(ok_value, n_gold, n_pred), PRF(ok_unit, n_gold, n_pred))


def _greedy(golds: Sequence[G], preds: Sequence[P], match: Callable[[G, P], bool]) -> int:
    used: set[int] = set()
    n = 0
    for g in golds:
        for k, p in enumerate(preds):
            if k not in used and match(g, p):
                used.add(k)
                n += 1
                break
    return n


def balanced_accuracy(labels: Sequence[int], preds: Sequence[int]) -> float:
    """Mean of the recall on positives and the recall on negatives (sklearn's definition);
    with one class absent, that class's recall is left out."""
    pos = [p for y, p in zip(labels, preds, strict=True) if y == 1]
    neg = [p for y, p in zip(labels, preds, strict=True) if y == 0]
    recalls = []
    if pos:
        recalls.append(sum(pos) / len(pos))
    if neg:
        recalls.append(sum(1 - p for p in neg) / len(neg))
    return sum(recalls) / len(recalls) if recalls else float("nan")


def _comb2(n: int) -> float:
    return n * (n - 1) / 2


def adjusted_rand_index(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Hubert & Arabie's ARI: 1 for identical partitions, about 0 for chance; 1.0 when both
    partitions are trivial in the same way (all singletons or one cluster)."""
    n = len(gold)
    if n != len(pred):
        raise ValueError("gold and pred differ in length")
    if n < 2:
        return 1.0
    cells = Counter(zip(gold, pred, strict=True))
    index = sum(_comb2(c) for c in cells.values())
    a = sum(_comb2(c) for c in Counter(gold).values())
    b = sum(_comb2(c) for c in Counter(pred).values())
    expected = a * b / _comb2(n)
    maximum = (a + b) / 2
    if math.isclose(maximum, expected):
        return 1.0
    return (index - expected) / (maximum - expected)


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed (Bagga & Baldwin) precision, recall, F1: per item, the share of its predicted
    cluster that is in its gold class (precision) and of its gold class that is in its
    predicted cluster (recall), averaged over items."""
    n = len(gold)
    if n != len(pred):
        raise ValueError("gold and pred differ in length")
    if n == 0:
        return 1.0, 1.0, 1.0
    cells = Counter(zip(gold, pred, strict=True))
    g_size, p_size = Counter(gold), Counter(pred)
    precision = sum(cells[(g, p)] / p_size[p] for g, p in zip(gold, pred, strict=True)) / n
    recall = sum(cells[(g, p)] / g_size[g] for g, p in zip(gold, pred, strict=True)) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
