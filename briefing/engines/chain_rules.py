"""The llm engine's thresholds, from briefing/data/chain.toml (validated once, every key required)."""

from __future__ import annotations

from briefing import data


class PairRules(data.Table):
    min_similarity: float
    max_proposed: int
    strong_similarity: float
    max_weak: int


class MergeRules(data.Table):
    min_words: int
    min_words_single: int
    min_saving: float
    max_points: int


class HeadlineRules(data.Table):
    max_words: int
    min_words: int
    lead_points: int
    max_lead_sentences: int
    story_words: int


class ChainRules(data.Table):
    """What each threshold trades off is said in the data file."""

    pairs: PairRules
    merge: MergeRules
    headline: HeadlineRules


RULES = data.table("chain.toml", ChainRules)
