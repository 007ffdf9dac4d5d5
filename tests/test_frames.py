"""Quantity frames: every figure of a sentence, normalised, with what it is about.

Figures come off the surface (briefing.lang.numbers: kind, value, interval, unit); the slots
around them come from spaCy's parse (briefing.lang.frames: the thing counted, the verb, the
role preposition, planned or happened, negation, who says it, the year it is dated by).
The sentences are invented.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefing.lang.frames import frames
from briefing.lang.numbers import figures

WEDNESDAY_4_MARCH = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def only(text: str):
    found = figures(text)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- values and intervals


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [
        ("The crew of twelve was rescued.", "count", 12, ""),
        ("Forty-one thousand voters signed.", "count", 41_000, ""),
        ("It sold 84,300 million shares.", "count", 84.3e9, ""),
        ("It sold 84.3 billion shares.", "count", 84.3e9, ""),
        ("The fine was $4.6bn in all.", "money", 4.6e9, "usd"),
        ("They asked for three million euros at once.", "money", 3e6, "eur"),
        ("Turnover was 4.2 billion crowns last quarter.", "money", 4.2e9, "crown"),
        ("Support fell to 12 per cent overnight.", "percent", 12, "%"),
        ("The bank cut rates by a quarter of a percentage point.", "points", 25, "bp"),
        ("The bank cut rates by 25 basis points.", "points", 25, "bp"),
        ("A 5.8-magnitude tremor hit the coast.", "measure", 5.8, "magnitude"),
        ("The bone is 120 centimetres long.", "measure", 1.2, "m"),
    ],
)
def test_a_figure_is_read_in_digits_or_words_and_normalised(text: str, kind: str, value: float, unit: str) -> None:
    f = only(text)
    assert (f.kind, f.unit) == (kind, unit)
    assert f.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("He was jailed for six and a half years for fraud.", 6.5 * 31_557_600),
        ("He was jailed for six years and six months for fraud.", 6.5 * 31_557_600),
        ("The exam lasts an hour and a half in all.", 5_400),
        ("It was a 90-minute exam for all pupils.", 5_400),
        ("The nine-day outage ended at last.", 9 * 86_400),
    ],
)
def test_durations_in_any_words_come_to_the_same_seconds(text: str, seconds: float) -> None:
    f = only(text)
    assert f.kind == "duration" and f.value == pytest.approx(seconds)


def test_qualifiers_widen_a_figure_into_an_interval() -> None:
    about, more, upto, least = figures(
        "About 9,000 fled, more than 6,400 were moved, up to 300 are missing and at least 12 died.")
    assert (about.lo, about.hi) == pytest.approx((8_550, 9_450))  # "about": 5% either side
    assert more.lo == 6_400 and more.hi > 6_400  # "more than": open above, within reach
    assert upto.hi == 300 and upto.lo < 300
    assert (least.lo, least.hi) == (12, 12)  # a bound on a count that is not round is the count
    assert not about.overlaps(more)  # "about 9,000" and "more than 6,400" cannot both hold


def test_a_ceiling_says_nothing_of_how_far_below() -> None:
    """ "Less than 25 kilometres" is any distance up to 25 km, so "about ten miles" fits it;
    "up to 300" (a figure reached) stays near its value."""
    (less,), (miles,) = figures("The camp is less than 25 kilometres away."), figures("It is about ten miles away.")
    assert (less.lo, less.hi) == (0.0, 25_000.0) and less.overlaps(miles)
    (fewer,) = figures("Fewer than 40 people came.")
    assert (fewer.lo, fewer.hi) == (0.0, 40.0)


def test_a_range_is_one_figure_and_a_falling_pair_is_a_tally() -> None:
    (rng,) = figures("Between 5 and 8 people were hurt.")
    assert rng.is_range and (rng.lo, rng.hi) == pytest.approx((5, 8.5))
    tally = figures("The bill passed 112 to 98 on Monday.")
    assert [f.kind for f in tally if f.kind != "weekday"] == ["score", "score"]


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("They want to get from $10 to $15 billion within a decade.", 10e9, 15e9),
        ("Between 1 and 2 thousand people marched.", 1_000, 2_000),
        ("Four to five thousand people marched.", 4_000, 5_000),
        ("Five to six people were hurt.", 5, 6),
    ],
)
def test_a_range_shares_the_scale_written_after_its_second_number(text: str, lo: float, hi: float) -> None:
    (rng,) = figures(text)
    assert rng.is_range and (rng.lo, rng.value) == (lo, hi)


def test_a_range_may_start_with_a_number_that_looks_like_a_year() -> None:
    (rng,) = figures("Adults need about 2000 - 2500 calories a day.")
    assert rng.is_range and (rng.lo, rng.value) == (2000, 2500)
    # "to" after a year starts the figure, not a range: sales rose in 2018 to 3.9 million
    assert [f.kind for f in figures("Sales rose in 2018 to 3.9 million.")] == ["year", "count"]


def test_a_decimal_may_start_with_its_point() -> None:
    assert [(f.kind, f.value) for f in figures("The rate fell to .001 per cent.")] == [("percent", 0.001)]


def test_five_to_six_is_a_clock_time_only_when_it_counts_nothing() -> None:
    assert [f.kind for f in figures("The bus left at ten to six this morning.")] == ["time"]
    assert [f.kind for f in figures("Ten to twelve children were hurt.")] == ["count"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Total offense after the break was -5 yards.", -5),
        ("Total offense after the break was minus-5 yards.", -5),
        ("The gas is cooled to minus 260 degrees.", -260),
        ("In Europe the Stoxx 50 was -1.3% at noon.", -1.3),
    ],
)
def test_a_minus_sign_or_word_makes_a_figure_negative(text: str, value: float) -> None:
    assert [f.value for f in figures(text) if f.kind not in ("label", "time")] == [value]


def test_a_hyphen_between_two_numbers_is_no_minus_sign() -> None:
    assert [(f.lo, f.value) for f in figures("Adults need 2000 - 2500 calories a day.")] == [(2000, 2500)]
    assert [f.value for f in figures("They won 5-2 at home.")] == [5, 2]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("It has 35m of its speakers in homes.", "count", 35e6),
        ("Airlines burn 12.3m tonnes of fuel a year.", "measure", 12.3e9),
        ("Combined sales reached 4.3M last year.", "count", 4.3e6),
        ("He won the 100m sprint.", "measure", 100),
        ("The 37m skeleton was rebuilt.", "measure", 37),
    ],
)
def test_m_after_a_number_is_million_before_of_a_weight_or_in_capitals_else_metres(
    text: str, kind: str, value: float
) -> None:
    f = only(text)
    assert (f.kind, f.value) == (kind, pytest.approx(value))


def test_one_is_a_count_unless_it_stands_for_a_noun_or_a_name() -> None:
    assert [(f.kind, f.value) for f in figures("He admitted one count of fraud.")] == [("count", 1)]
    assert [f.kind for f in figures("One day later the road reopened.")] == ["duration"]
    for text in ("He used the same one for years.", "It was a good one, right?", "He spoke to BBC One at length.",
                 "No one was hurt.", "Each one they lose costs money."):
        assert figures(text) == (), text


def test_the_same_value_in_other_words_overlaps() -> None:
    (a,), (b,) = figures("It cost 84.3 billion dollars."), figures("It cost 84,300 million dollars.")
    assert a.overlaps(b)
    (c,), (d,) = figures("About a quarter of the money was found."), figures("Roughly 25 percent was found.")
    assert c.overlaps(d)


def test_a_number_inside_a_name_is_no_figure() -> None:
    found = figures("Shares in the S&P 500 rose 2% as the Model 3 sold out.")
    assert [(f.kind, f.text) for f in found] == [("label", "500"), ("percent", "2%"), ("label", "3")]
    assert [f.kind for f in figures("The new iPhone 14 sold out.")] == ["label"]
    assert [f.kind for f in figures("A category 4 storm is expected.")] == ["label"]


def test_a_measure_keeps_its_scale_in_the_number_as_written() -> None:
    f = only("The field produced about 1 million barrels of oil.")
    assert (f.kind, f.number, f.unit) == ("measure", 1e6, "bbl")


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("Revenue reached HK$3.7 billion last year.", "hkd", 3.7e9),
        ("Revenue reached HK $3.7 billion last year.", "hkd", 3.7e9),
        ("The debt was about $US113 trillion.", "usd", 113e12),
        ("The price was quoted at USD10m.", "usd", 10e6),
        ("The deal is worth EUR 50 million.", "eur", 50e6),
        ("The plan costs RM79 a month.", "myr", 79),
        ("She laundered almost S$1mil for them.", "sgd", 1e6),
    ],
)
def test_a_currency_is_read_from_its_sign_or_code(text: str, unit: str, value: float) -> None:
    f = only(text)
    assert (f.kind, f.unit, f.value) == ("money", unit, pytest.approx(value))


def test_a_sum_in_brackets_in_another_dollar_is_a_conversion() -> None:
    found = figures("Damage was put at $US1 million ($A1.52 million) by the insurer.")
    assert [(f.kind, f.unit) for f in found] == [("money", "usd"), ("conversion", "aud")]


def test_a_hyphenated_fraction_is_a_share() -> None:
    f = only("Nearly two-thirds of the sales were on disc.")
    assert (f.kind, f.number) == ("percent", pytest.approx(2 / 3))


@pytest.mark.parametrize("text", ["Call 0845 125 2222 with any information.", "Call 555-123-4567 now.",
                                  "The first 9-1-1 call came at dawn."])
def test_a_phone_number_or_code_is_no_quantity(text: str) -> None:
    assert {f.kind for f in figures(text)} == {"label"}


def test_a_place_word_makes_an_address_only_as_a_name() -> None:
    assert [f.kind for f in figures("An 88-72 road loss was the last straw.")] == ["score", "score"]
    assert [f.kind for f in figures("Police closed the 12000 block of Main Street.")] == ["label"]
    assert [f.kind for f in figures("The patch is for users of version 5 and up.")] == ["label"]


# ---------------------------------------------------------------- dates and clock times


@pytest.mark.parametrize("text", ["It opened on June 3 in the rain.", "It opened on 3 June in the rain.",
                                  "It opened on the 3rd of June in the rain."])
def test_a_date_is_month_and_day_however_written(text: str) -> None:
    f = only(text)
    assert (f.kind, f.value) == ("date", 603)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("The alarm rang at 3:10 a.m. sharp.", 190),
        ("The alarm rang at 3.10am sharp.", 190),
        ("The alarm rang at ten past three sharp.", 190),
        ("The alarm rang at half past two sharp.", 150),
        ("The alarm rang at noon sharp.", 720),
    ],
)
def test_clock_times_are_minutes_after_midnight(text: str, minutes: int) -> None:
    f = only(text)
    assert f.kind == "time" and f.value % 720 == minutes % 720


def test_a_clock_time_in_a_time_zone_is_compared_in_utc() -> None:
    et, gmt, later = (only(t) for t in ("It began at 3 p.m. ET.", "It began at 20:00 GMT.", "It began at 21:00 GMT."))
    assert et.zone == (-300, -240) and gmt.zone == (0, 0)
    assert et.overlaps(gmt) and not et.overlaps(later)
    local = only("It began at 8 p.m. local time.")
    assert local.zone is None and local.overlaps(et)  # a local time and a zoned one cannot be told apart


def test_weekdays_and_yesterday_are_dated_from_publication() -> None:
    (monday,) = frames("Officials were told on Monday.", WEDNESDAY_4_MARCH)
    assert (monday.kind, monday.value, monday.figure.year) == ("date", 302, 2026)
    (wednesday,) = frames("The board met on Wednesday.", WEDNESDAY_4_MARCH)
    assert wednesday.value == 304  # the day of publication itself
    (yesterday,) = frames("The board met yesterday.", WEDNESDAY_4_MARCH)
    assert yesterday.value == 303


# ---------------------------------------------------------------- the slots


def test_the_thing_counted_comes_from_the_parse() -> None:
    (f,) = frames("Police arrested 14 protesters near the square.")
    assert (f.thing, f.predicate) == ("protester", "arrest")
    part, whole = frames("Three of the nine tankers leaked.")
    assert (part.thing, part.value) == ("tanker", 3) and whole.role == "whole"
    (ransom,) = frames("The note demanded a ransom of €2.5 million.")
    assert ransom.thing == "ransom"
    (deal,) = frames("The club offered him a deal worth $184 million.")
    assert deal.thing == "deal"  # what is worth the sum, not whom it was offered to


def test_killed_people_count_deaths() -> None:
    (killed,) = frames("The storm killed 11 people on the coast.")
    (toll,) = frames("The death toll rose to 17 overnight.")
    assert killed.thing == toll.thing == "death"
    assert toll.changed and not killed.changed


def test_an_age_belongs_to_its_person() -> None:
    (f,) = frames("Mirela Dost, 44, was charged with fraud.")
    assert f.thing == "age of dost"


def test_the_role_preposition_sets_since_apart_from_by() -> None:
    (since,) = frames("The firm has run the port since 2009.")
    (by,) = frames("The cranes will be replaced by 2028.")
    assert (since.role, by.role) == ("since", "by")


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("The council cut 300 jobs last spring.", "happened"),
        ("The council will cut 300 jobs.", "planned"),
        ("The council plans to cut 300 jobs.", "planned"),
        ("The council is expected to cut 300 jobs.", "planned"),
    ],
)
def test_modality_tells_a_plan_from_a_fact(text: str, modality: str) -> None:
    f = next(f for f in frames(text) if f.kind == "count")
    assert f.modality == modality


def test_negation_and_attribution() -> None:
    (f,) = frames("The mill did not shed 300 jobs, according to the union.")
    assert f.negated and f.attribution == "the union"
    (g,) = frames("Rescuers said 40 houses collapsed.")
    assert g.attribution == "Rescuers" and not g.negated


def test_a_figure_is_dated_by_the_year_beside_it() -> None:
    spend = next(f for f in frames("The 2026 budget sets spending at 84.3 billion crowns.") if f.kind == "money")
    assert spend.period == 2026
    last = next(f for f in frames("Last year 32 million people watched.", WEDNESDAY_4_MARCH) if f.kind == "count")
    assert last.period == 2025


# ---------------------------------------------------------------- slots that decide a conflict


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("Felix Ambrosek, 38, was arrested at the airport.", "age of ambrosek"),  # by surname
        ("The 41-year-old founder of the firm said nothing.", "age of the founder"),  # one the story may name
        ("A 47-year-old man was arrested.", "age of a man"),  # whose, we cannot tell
        ("The suspect, 46, was arrested at his home.", "age of the suspect"),  # a number set off after a role
    ],
)
def test_an_age_is_a_surname_a_definite_role_or_nobody(text: str, thing: str) -> None:
    (f,) = frames(text)
    assert f.thing == thing


@pytest.mark.parametrize(
    "text",
    [
        "Patients had 46 percent fewer migraine days.",
        "The trial found a reduction of 38% in migraine days.",
        "The pill cut migraine days by 46 percent.",
        "Revenue fell 7 per cent in the quarter.",
    ],
)
def test_a_percentage_told_as_a_change_has_the_role_by(text: str) -> None:
    (f,) = frames(text)
    assert f.role == "by"


def test_a_share_is_never_a_change() -> None:
    (f,) = frames("Some 57% of patients at least halved their migraine days.")
    assert f.role == "share"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Revenue was 4.2 billion crowns in the quarter.", True),  # a light verb
        ("The company reported sales of 4.6bn crowns.", True),  # a verb of telling
        ("Revenue fell to 4.2 billion crowns.", True),  # a change to a level
        ("Twenty-two wagons derailed near the crossing.", False),  # those that did, not a level
    ],
)
def test_a_figure_states_its_things_level_or_counts_those_that_did(text: str, level: bool) -> None:
    f = next(f for f in frames(text) if f.kind in ("money", "count"))
    assert f.level is level


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("The bridge will stay closed until 30 March.", "on"),  # stays closed until = reopens on
        ("The company has sold shares of 40 million crowns.", None),  # "of" only brings the value in
        ("The systems were offline for six days.", None),  # a duration's "for"
        ("The firm has run the port since 2009.", "since"),  # a year's "since" stays
    ],
)
def test_prepositions_that_only_bring_in_a_value_are_no_role(text: str, role: str | None) -> None:
    f = next(f for f in frames(text) if f.kind != "weekday")
    assert f.role == role


def test_a_state_kept_until_a_date_is_ended_then() -> None:
    (f,) = frames("The bridge will stay closed to traffic until 30 March.")
    assert (f.predicate, f.role, f.thing) == ("reopen", "on", "bridge")


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Revenue missed the 4.9 billion crowns expected by analysts.", "planned"),
        ("Sales fell short of the 4.9bn crowns that analysts had forecast.", "planned"),
        ("Revenue came to 4.2 billion crowns.", "happened"),
    ],
)
def test_a_figure_a_clause_calls_a_forecast_is_planned(text: str, modality: str) -> None:
    f = next(f for f in frames(text) if f.kind == "money")
    assert f.modality == modality


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("The fire destroyed 40 homes on Monday.", ("date", 302)),
        ("Unemployment rose to 4.1% in May.", ("month", 5)),
        ("Sales rose 8% in the second quarter.", ("quarter", 2)),
        ("Profit fell 5% in Q3.", ("quarter", 3)),
        ("Police have arrested 30 people since the protests began.", ("since", 0)),
        ("The fire destroyed 40 homes, officials said on Monday.", None),  # Monday dates the saying
        ("Some 400 pupils must resit after the board admitted on Wednesday that it leaked.", None),
    ],
)
def test_a_figure_is_dated_by_its_own_clause(text: str, when: tuple[str, int] | None) -> None:
    assert frames(text, WEDNESDAY_4_MARCH)[0].when == when


def test_a_count_of_places_or_a_scope_is_where_a_figure_was_counted() -> None:
    assert frames("The storm killed 20 people across three states.")[0].place == "three state"
    assert frames("The company will cut 1,200 jobs worldwide.")[0].place == "worldwide"


def test_a_planned_weekday_is_the_next_one_and_a_past_one_the_last() -> None:
    sunday = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    (planned,) = frames("Schools will be closed on Monday.", sunday)
    (past,) = frames("Schools were closed on Monday.", sunday)
    assert (planned.value, past.value) == (302, 223)


@pytest.mark.parametrize(
    ("text", "nouns"),
    [
        ("Fuel began leaking from the tanker on Tuesday.", {"fuel"}),  # a completed verb's subject; no place
        ("The blaze started in the extrusion hall at 2:40 a.m.", {"blaze"}),  # never a place or a.m.
        ("Felix Ambrosek was arrested on Tuesday.", set()),  # a person is no event
        ("The council discovered the leak on 14 June.", {"leak", "council"}),
    ],
)
def test_a_dates_event_nouns(text: str, nouns: set[str]) -> None:
    f = next(f for f in frames(text, WEDNESDAY_4_MARCH) if f.kind in ("date", "time"))
    assert set(f.nouns) == nouns
