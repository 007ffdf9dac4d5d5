"""Component benchmarks (evals/newsquant_bench.py, nanco_bench.py, ecbplus_bench.py).

Metric functions on tiny hand-computed examples; the loaders on the real data; a regression
floor on the measured figures (recorded in evals/component_baseline.json; a figure may fall at
most TOLERANCE points below it); and the crash the ECB+ briefings found.

Data tests skip when ../shared/benchmarks (or $BRIEFING_BENCHMARKS) is absent. The ECB+
figures are re-measured on a fixed subset (the full runs take 20-35 s: see the scripts).
Refresh the record on purpose: `python -m evals.<bench> [cluster|brief] --write-baseline`.
"""

from __future__ import annotations

import pytest

from briefing.config import Settings
from evals import bench_data, component_baseline
from evals.bench_metrics import (
    adjusted_rand_index,
    balanced_accuracy,
    bcubed,
    quantity_scores,
    values_match,
)

TOLERANCE = 1.0  # points (F1 / BAcc in %, B-cubed in %); ARI in hundredths


# ---------------------------------------------------------------- metrics by hand


def test_balanced_accuracy_is_the_mean_of_the_two_recalls() -> None:
    # positives: 2 of 3 found; negatives: 1 of 2 rejected -> (2/3 + 1/2) / 2
    assert balanced_accuracy([1, 1, 1, 0, 0], [1, 1, 0, 1, 0]) == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert balanced_accuracy([1, 0], [1, 0]) == 1.0
    assert balanced_accuracy([1, 1, 0, 0], [1, 1, 1, 1]) == 0.5  # saying "same" always is chance


def test_adjusted_rand_index_by_hand() -> None:
    assert adjusted_rand_index([0, 0, 1, 1], ["a", "a", "b", "b"]) == 1.0  # labels' names do not matter
    # gold {0,1,2}{3,4,5}, pred {0,1}{2,3}{4,5}: index = 2, a = 6, b = 3, C(6,2) = 15,
    # expected = 6*3/15 = 1.2, max = 4.5 -> (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.8 / 3.3)
    # everything in one cluster against two classes: chance level
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 0, 0]) == pytest.approx(0.0)


def test_bcubed_by_hand() -> None:
    # gold {a,b,c}{d}, pred {a,b}{c,d}: precision per item 1,1,1/2,1/2 -> 0.75;
    # recall per item 2/3,2/3,1/3,1 -> 2/3
    p, r, f = bcubed(["x", "x", "x", "y"], [0, 0, 1, 1])
    assert (p, r) == (pytest.approx(0.75), pytest.approx(2 / 3))
    assert f == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))
    assert bcubed([0, 0, 1], [5, 5, 7]) == (1.0, 1.0, 1.0)


def test_values_match_like_cqe() -> None:
    assert values_match(12.0, 12.000001)
    assert not values_match(12.0, 12.1)
    assert values_match((3.0, 5.0), (3.0, 5.0))
    assert not values_match((3.0, 5.0), 3.0)  # a range never matches one of its ends


def test_value_and_unit_f1_by_hand() -> None:
    # sentence 1: gold 5% and 12 people; predicted 5 (percent) and 7 -> 1 value right, its unit right
    # sentence 2: gold $3; predicted $3 as a bare number -> value right, unit wrong
    sents = [([(5.0, "%"), (12.0, "people")], [(5.0, "%"), (7.0, "")]), ([(3.0, "$")], [(3.0, "")])]
    s = quantity_scores(sents, lambda g: g[0], lambda p: p[0], lambda g, p: g[1] == p[1])
    assert (s.value.correct, s.value.gold, s.value.predicted) == (2, 3, 3)
    assert s.value.f1 == pytest.approx(2 / 3)
    assert s.value_unit.correct == 1 and s.value_unit.f1 == pytest.approx(1 / 3)


def test_cqe_counting_credits_a_repeated_prediction_but_one_to_one_does_not() -> None:
    # gold 10 and 10 (told twice); one prediction 10: CQE counting credits both gold values
    sents = [([10.0, 10.0], [10.0])]
    cqe = quantity_scores(sents, float, float, lambda g, p: True)
    strict = quantity_scores(sents, float, float, lambda g, p: True, one_to_one=True)
    assert cqe.value.correct == 2 and strict.value.correct == 1


def test_detokenize_undoes_ecb_tokens() -> None:
    toks = "Lohan ’ s 90 - day stint , “ he said ” at 4 : 59 p . m . ( AP ) , $ 5 million".split()
    assert bench_data.detokenize(toks) == "Lohan’s 90-day stint, “he said” at 4:59 p.m. (AP), $5 million"


def test_gold_ranges_and_scientific_values_parse() -> None:
    assert bench_data.parse_gold_value("3-5") == (3.0, 5.0)
    assert bench_data.parse_gold_value("-2.5") == -2.5
    assert bench_data.parse_gold_value("1.99E-29") == pytest.approx(1.99e-29)


# ---------------------------------------------------------------- the crash the ECB+ briefings found


# ---------------------------------------------------------------- loaders on the real data


@pytest.fixture(scope="module")
def data_dir():
    root = bench_data.bench_dir()
    if not root.is_dir():
        pytest.skip(f"no benchmark data at {root} (set BRIEFING_BENCHMARKS)")
    return root


@pytest.fixture(scope="module")
def recorded():
    rec = component_baseline.load()
    if not rec:
        pytest.skip(f"no recorded figures at {component_baseline.PATH}")
    return rec


def test_newsquant_loads(data_dir) -> None:
    sents = bench_data.load_newsquant(data_dir)
    assert len(sents) == 590 and sum(len(s.quantities) for s in sents) == 904


def test_nanco_pairs_load_with_the_authors_split(data_dir) -> None:
    pairs = bench_data.load_nanco_pairs(data_dir)
    assert len(pairs) == 3267 and sum(p.label for p in pairs) == 807
    test = bench_data.load_nanco_pairs(data_dir, qids=bench_data.NANCO_TEST)
    assert {p.qid for p in test} == set(bench_data.NANCO_TEST)


def test_ecbplus_loads_43_topics_of_two_subtopics(data_dir) -> None:
    docs = bench_data.load_ecbplus(data_dir)
    assert len(docs) == 982
    assert len(bench_data.by_topic(docs)) == 43 and len(bench_data.by_subtopic(docs)) == 86
    plus = next(d.article for d in docs if d.article.id == "1_1ecbplus")
    assert plus.title == "Lindsay Lohan Leaves Betty Ford, Checks Into Malibu Rehab"
    assert plus.url and plus.url.startswith("http://www.accesshollywood.com/")
    assert plus.outlet == "accesshollywood.com"
    assert plus.text.startswith(plus.title + "\n")
    ecb = next(d.article for d in docs if d.article.id == "1_1ecb")
    assert ecb.url is None and ecb.title and ecb.text.startswith(ecb.title)


# ---------------------------------------------------------------- regression floors


def _not_below(now: dict[str, float], rec: dict[str, float], keys: list[str]) -> None:
    drops = {k: (now[k], rec[k]) for k in keys if now[k] < rec[k] - TOLERANCE}
    assert not drops, f"fell more than {TOLERANCE} below the record (now, recorded): {drops}"


def test_newsquant_f1_has_not_dropped(data_dir, recorded) -> None:
    from evals import newsquant_bench

    now = newsquant_bench.figures(newsquant_bench.run(bench_data.load_newsquant(data_dir)))
    _not_below(now, recorded["newsquant"], list(now))


def test_nanco_balanced_accuracy_has_not_dropped(data_dir, recorded) -> None:
    from evals import nanco_bench

    now = nanco_bench.figures(nanco_bench.run(bench_data.load_nanco_pairs(data_dir)))
    _not_below(now, recorded["nanco"], ["answer_bacc", "paragraph_bacc"])


def test_ecbplus_clustering_has_not_dropped_on_the_subset(data_dir, recorded) -> None:
    from evals import ecbplus_bench

    rec = recorded["ecbplus_cluster"]["regression"]
    rows = ecbplus_bench.run_clustering(bench_data.load_ecbplus(data_dir), rec["topic_ids"])
    s = ecbplus_bench.summarise_clusters(rows)
    now = {"ari_macro": 100 * s.ari_macro, "bcubed_f1_micro": 100 * s.bcubed_f1_micro}
    _not_below(now, {k: 100 * rec[k] for k in now}, list(now))
    assert s.exact >= rec["exact"]
    assert s.apart >= rec["apart"]  # topics whose two events stay apart


def test_ecbplus_briefings_neither_crash_nor_report_more_disagreements_on_the_subset(data_dir, recorded) -> None:
    from evals import ecbplus_bench

    rec = recorded["ecbplus_brief"]["regression"]
    rows = ecbplus_bench.run_briefings(bench_data.load_ecbplus(data_dir), rec["subtopic_ids"], settings=Settings())
    assert not [(r.subtopic, r.error) for r in rows if r.error]
    s = ecbplus_bench.summarise_briefings(rows)
    assert s.titles_ok >= rec["titles_ok"]
    # one event told by several outlets: reported disagreements are mostly false, so more of them
    # is a regression (re-record with --write-baseline when a new one is shown to be real)
    assert s.conflicts_total <= rec["conflicts_total"] and s.conflicts_max <= rec["conflicts_max"], (
        f"disagreements on the subset: {s.conflicts_total} (max {s.conflicts_max}) vs recorded {rec['conflicts_total']} (max {rec['conflicts_max']})"
    )
