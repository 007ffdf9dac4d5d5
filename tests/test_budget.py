"""Bounded work (issue 17, F2): small adversarial inputs cost bounded time and memory.

The inputs are bench/adversarial.py's, scaled where a test would otherwise take long;
timing targets live in that bench, these tests check the bounds by construction.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.adversarial import shared_words
from briefing import budget
from briefing.claims import extract_claims
from briefing.config import Settings
from briefing.conflicts import (
    MAX_CONFLICTS,
    MAX_PAIRS,
    MAX_PARTNERS,
    MAX_VALUES,
    _bounded,
    _candidate_pairs,
    find_conflicts,
)
from briefing.evidence import cite as _cite
from briefing.errors import BuildBudgetExceeded
from briefing.ingest import read_paths
from briefing.models import Article, Passage
from briefing.pipeline import Spans, build_briefing, prepare
from briefing.similarity import MAX_NEIGHBOURS, SimilarityIndex
from briefing.truncate import cap_sentences, fair_shares

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p for p in (ROOT / "evals" / "cases").iterdir() if p.is_dir())


def articles(raw: list[dict]) -> list[Article]:
    return [Article(**a) for a in raw]


def test_shared_word_figures_are_read_up_to_the_sentence_cap_and_say_so() -> None:
    settings = Settings(max_sentences=300)
    corpus = prepare(articles(shared_words(40, 2_000)), settings)
    assert len(corpus.sentences) == 300
    by_article = {s.article_id for s in corpus.sentences}
    assert len(by_article) == 40  # every article keeps its lead, none is dropped whole
    result = build_briefing(articles(shared_words(40, 2_000)), settings=settings)
    assert any("BRIEFING_MAX_SENTENCES" in note for note in result.stats.truncated)
    assert 0 < len(result.conflicts) <= MAX_CONFLICTS  # once 20,000 for 20 such articles
    assert all(len(c.values) <= MAX_VALUES for c in result.conflicts)  # one per thing disputed, values capped
    assert result.points


def test_conflict_search_compares_a_bounded_number_of_pairs() -> None:
    corpus = prepare(articles(shared_words(20, 2_000)), Settings())
    claims = [c for c in extract_claims(corpus) if c.candidate]
    index = SimilarityIndex([c.stems for c in claims], k=MAX_NEIGHBOURS)
    pairs = _candidate_pairs(claims, index)
    bounded = _bounded(pairs, index)
    assert len(pairs) > len(bounded)  # this input offers far more than the search takes
    assert len(bounded) <= min(MAX_PAIRS, MAX_PARTNERS * len(claims))
    found = find_conflicts(claims, index, _cite)
    assert 0 < len(found) <= MAX_CONFLICTS  # one per thing disputed ("passengers"), not per pair
    assert all(len(d.conflict.values) <= MAX_VALUES for d in found)


def test_similarity_of_one_sentence_repeated_keeps_k_neighbours_not_n_squared() -> None:
    n = 3_000  # the F2 input had 70,000: a dense product asked for 50 GiB
    index = SimilarityIndex([["council", "worker", "hurt", "bridg"]] * n, k=MAX_NEIGHBOURS)
    assert index.sims.nnz <= n * 2 * (MAX_NEIGHBOURS + 1)
    assert len(index.neighbours(0)) >= MAX_NEIGHBOURS
    assert index.sim(0, 1) == index.sim(1, 0)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_nearest_neighbours_are_the_full_matrix_on_real_stories(case: Path) -> None:
    corpus = prepare(read_paths([case]).articles, Settings())
    docs = [c.stems for c in extract_claims(corpus) if c.candidate]
    capped, full = SimilarityIndex(docs, k=MAX_NEIGHBOURS), SimilarityIndex(docs)
    assert (capped.sims != full.sims).nnz == 0


def test_repeated_sentence_input_builds_in_well_under_a_gib() -> None:
    """100 articles x 49,000 characters of one sentence: once `Unable to allocate 50.2 GiB`."""
    script = textwrap.dedent(
        """
        import resource, sys
        from bench.adversarial import repeated_sentence
        from briefing.config import Settings
        from briefing.models import Article
        from briefing.pipeline import build_briefing
        settings = Settings()
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = build_briefing([Article(**a) for a in repeated_sentence(100, 49_000)], settings=settings)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
        print(len(result.points), grown, *result.stats.truncated, sep="\\n")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    points, grown_kib, *notes = done.stdout.splitlines()
    assert int(points) >= 1
    assert int(grown_kib) < 1024 * 1024  # the build itself grew the process by under 1 GiB
    assert any("BRIEFING_MAX_CORPUS_CHARS" in note for note in notes)


def test_a_build_past_its_budget_stops_with_a_reason() -> None:
    with pytest.raises(BuildBudgetExceeded, match="BRIEFING_BUILD_SECONDS") as caught:
        build_briefing(articles(shared_words(5, 500)), settings=Settings(build_seconds=1e-9))
    assert caught.value.seconds == 1e-9


def test_no_budget_outside_a_build_and_zero_means_none() -> None:
    budget.check("anything")  # no build, no budget
    with budget.within(0):
        budget.check("anything")


def test_fair_shares_let_short_items_keep_all() -> None:
    assert fair_shares([10, 500, 1000], 610) == [10, 300, 300]
    assert fair_shares([10, 20], 100) == [10, 20]
    assert sum(fair_shares([7, 7, 7], 10)) <= 10


def test_capped_sentences_keep_each_articles_first_in_reading_order() -> None:
    text = " ".join(f"Sentence {i} is here." for i in range(20))
    art = {name: Article(id=name, text=text) for name in "ab"}
    sentences = [Passage.of(art[a], 0, 5 + i) for a in "ab" for i in range(10)]
    kept, notes = cap_sentences(sentences, per_article=6, total=8)
    assert kept == sentences[:4] + sentences[10:14]
    assert len(notes) == 2


def test_repeat_overlap_by_bisection_matches_the_plain_sum() -> None:
    """The sentences stage finds a sentence's overlap with repeated spans by bisection (it
    once summed over every span for every sentence: 9 s for one 490,000-character article)."""
    rng = random.Random(3)
    for _ in range(300):
        raw = [(b, b + rng.randint(1, 60)) for b in (rng.randint(0, 500) for _ in range(rng.randint(0, 12)))]
        start, end = sorted(rng.sample(range(600), 2))
        plain = sum(max(0, min(end, e) - max(start, b)) for b, e in raw)
        assert Spans(raw).overlap(start, end) == plain


@pytest.mark.parametrize("fmt, label", [("md", "Not all read:"), ("text", "NOT ALL READ:"), ("html", "Not all read:")])
def test_every_rendering_says_what_was_left_unread(fmt: str, label: str) -> None:
    from briefing.render import render

    result = build_briefing(articles(shared_words(10, 2_000)), settings=Settings(max_sentences=50))
    rendered = render(result, fmt)
    assert label in rendered and "BRIEFING_MAX_SENTENCES" in rendered.replace("\\", "")  # md escapes _
