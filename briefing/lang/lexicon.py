"""The lexicon of figures (briefing/data/lexicon.toml), loaded and validated once."""

from __future__ import annotations

from functools import lru_cache

from briefing import data


class Numbers(data.Table):
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, float]
    ordinals: dict[str, int]
    fractions: dict[str, float]
    and_fractions: dict[str, float]
    label_words: list[str]
    one_pronoun_before: list[str]
    not_plural: list[str]


class Qualifiers(data.Table):
    lower: list[str]
    upper: list[str]
    ceiling: list[str]
    rough: list[str]
    rough_width: float
    range_joiners: list[str]


class Dates(data.Table):
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]
    years: tuple[int, int]


class Times(data.Table):
    words: dict[str, int]
    zones: dict[str, tuple[int, int]]
    past: list[str]
    to: list[str]


class Units(data.Table):
    currency_symbols: dict[str, str]
    currency_codes: dict[str, str]
    currency_words: dict[str, str]
    percent: list[str]
    points: dict[str, float]
    durations: dict[str, float]
    measures: dict[str, tuple[str, float]]


class Frames(data.Table):
    roles: list[str]
    planned_aux: list[str]
    planned_lemmas: list[str]
    update_lemmas: list[str]
    update_words: list[str]
    rising: list[str]
    falling: list[str]
    now_words: list[str]
    irregular_plurals: dict[str, str]
    count_aliases: dict[str, str]
    verb_aliases: dict[str, str]
    thing_synonyms: dict[str, str]
    unit_nouns: list[str]
    period_words: dict[str, int]
    running_totals: list[str]
    source_verbs: list[str]
    change_nouns: list[str]
    reporting_verbs: list[str]
    time_nouns: list[str]
    place_prepositions: list[str]
    place_nouns: list[str]
    act_phrases: dict[str, str]
    coercive_verbs: list[str]
    scope_words: list[str]
    series_words: list[str]
    light_verbs: list[str]
    value_roles: list[str]
    duration_roles: list[str]
    until_ends: dict[str, str]


class Votes(data.Table):
    verbs: list[str]
    nouns: list[str]
    favour: list[str]
    against: list[str]
    dissent: list[str]


class Conflicts(data.Table):
    min_similarity_same_thing: float
    min_similarity_same_thing_other_verb: float
    min_similarity_same_verb: float
    min_similarity: float
    min_shared_words: int
    min_shared_words_event: int
    min_shared_words_other_thing: int
    max_parsed_sentences: int
    small_count: float
    max_figures_per_sentence: int
    max_ratio: float


class Lexicon(data.Table):
    numbers: Numbers
    qualifiers: Qualifiers
    dates: Dates
    times: Times
    units: Units
    frames: Frames
    votes: Votes
    conflicts: Conflicts


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The packaged lexicon, validated (a typo in the data file fails loudly, once)."""
    return data.table("lexicon.toml", Lexicon)
