"""When independent outlets disagree on a figure, and when they only seem to.

Each test builds evidence from a few invented articles by different outlets and reads the
disagreements and updates the conflict stage finds (briefing.conflicts.compare).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from briefing.config import Settings
from briefing.conflicts import plural
from briefing.evidence import gather, latest_stated
from briefing.models import Article
from briefing.pipeline import build_briefing, prepare

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# each outlet adds its own colour, so no two articles read as copies of one story
COLOUR = [
    "Residents gathered outside the town hall in the afternoon. Local shops stayed shut.",
    "A reporter at the scene saw volunteers handing out blankets and tea.",
    "Opposition politicians demanded an inquiry and a full account from the ministry.",
]


def story(*sentences: str, hours_apart: int = 0) -> list[Article]:
    """One article per sentence, each from its own outlet, published `hours_apart` apart."""
    return [
        Article(
            id=f"a{k}",
            outlet=f"Outlet {k}",
            title=f"Report {k}",
            published_at=MONDAY + timedelta(hours=k * hours_apart),
            text=f"{s} {COLOUR[k % len(COLOUR)]}",
        )
        for k, s in enumerate(sentences)
    ]


def disputed(*sentences: str, hours_apart: int = 0) -> list[list[str]]:
    evidence = gather(prepare(story(*sentences, hours_apart=hours_apart), Settings()))
    return [[v.value for v in d.conflict.values] for d in evidence.conflicts]


def updated(*sentences: str, hours_apart: int = 0) -> list[tuple[str, str]]:
    evidence = gather(prepare(story(*sentences, hours_apart=hours_apart), Settings()))
    return [(u.old_value, u.new_value) for u in evidence.updates]


def test_two_counts_of_the_same_evacuation_disagree() -> None:
    found = disputed(
        "More than 6,400 residents were evacuated from the valley after the dam failed.",
        "About 9,000 residents were evacuated from the valley after the dam failed.",
    )
    assert found == [["More than 6,400", "About 9,000"]]


def test_two_clock_times_of_one_event_disagree() -> None:
    found = disputed(
        "The dam gave way at about 3:40 a.m. on Sunday, flooding the lower valley.",
        "The dam gave way at 4:15 a.m. on Sunday, flooding the lower valley.",
    )
    assert found == [["about 3:40 a.m.", "4:15 a.m."]]


def test_the_same_value_in_other_words_is_no_disagreement() -> None:
    assert disputed(
        "The government set spending for the year at 84.3 billion crowns in its budget.",
        "The government set spending for the year at 84,300 million crowns in its budget.",
    ) == []


def test_different_roles_never_disagree() -> None:
    assert disputed(
        "The operator has held the port concession since 2009, the ministry said.",
        "The operator will replace every crane at the port by 2028, the ministry said.",
    ) == []


def test_a_plan_never_disputes_what_happened() -> None:
    assert disputed(
        "The carmaker cut 1,200 jobs at its plant in the north last year.",
        "The carmaker plans to cut 1,900 jobs at its plant in the north.",
    ) == []


def test_figures_for_different_years_never_disagree() -> None:
    assert disputed(
        "Spending in the 2026 budget rises to 84.3 billion crowns, the finance minister said.",
        "Spending in the 2025 budget came to 79.6 billion crowns, the finance minister said.",
    ) == []


def test_a_sentence_giving_both_values_disputes_neither() -> None:
    assert disputed(
        "The jury found him guilty on seven counts and cleared him on four counts.",
        "The jury found him guilty on seven counts and cleared him on four counts, the court said.",
    ) == []


def test_a_later_report_that_the_toll_rose_is_an_update() -> None:
    sentences = (
        "The storm killed at least 11 people along the coast, officials said.",
        "The death toll from the storm rose to 17 on the coast, officials said.",
    )
    assert updated(*sentences, hours_apart=20) == [("at least 11", "17")]
    assert disputed(*sentences, hours_apart=20) == []


def test_the_number_of_people_an_act_was_done_to_is_that_kind_of_count() -> None:
    sentences = (
        "Some 300 people have been evacuated from the town, officials said.",
        "Officials said the number of people evacuated from the town had increased to 1,200.",
    )
    assert updated(*sentences, hours_apart=30) == [("Some 300", "1,200")]


def test_an_update_may_grow_beyond_what_two_outlets_would_dispute() -> None:
    found = updated(
        "Officials said 4 people were killed in the quake.",
        "The death toll rose to 40, officials said, as rescuers reached the quake zone.",
        hours_apart=5,
    )
    assert found == [("4", "40")]


def test_a_briefing_states_the_latest_value_and_notes_the_earlier_one() -> None:
    articles = story(
        "The storm killed at least 11 people along the coast, officials said.",
        "The death toll from the storm rose to 17 on the coast, officials said.",
        hours_apart=20,
    )
    briefing = build_briefing(articles, settings=Settings())
    stating = [p for p in briefing.points if "17" in p.text]
    assert stating, [p.text for p in briefing.points]
    flag = next(f for f in stating[0].flags if f.kind == "updated")
    assert [v.value for v in flag.values] == ["at least 11", "17"]
    assert flag.values[0].citation.source_id == "a0"
    assert not briefing.conflicts


def test_a_rise_never_updates_a_higher_figure() -> None:
    found = updated(
        "At least 11 people were killed and more than 140 hurt when a magnitude 5.8 earthquake rocked the province early on Sunday.",
        "The death toll from Sunday's earthquake in the province rose to 17 on Monday, officials said.",
        hours_apart=20,
    )
    assert found == [("At least 11", "17")]  # not "more than 140" -> 17


def test_earlier_values_from_several_outlets_are_one_flag() -> None:
    articles = story(
        "The storm killed at least 11 people along the coast, officials said.",
        "At least 11 people died along the coast in the storm, officials said.",
        "The death toll from the storm rose to 17 on the coast, officials said.",
        hours_apart=20,
    )
    briefing = build_briefing(articles, settings=Settings())
    flags = [f for p in briefing.points for f in p.flags if f.kind == "updated"]
    assert len(flags) == 1, [f.reason for f in flags]
    assert [v.value for v in flags[0].values] == ["at least 11", "At least 11", "17"]
    assert "earlier reported as at least 11 (Outlet 0, Outlet 1)" in flags[0].reason


def test_a_point_giving_only_the_earlier_value_gives_way_to_the_latest() -> None:
    # whatever the ranking chose, a figure that changed is stated at its latest value
    articles = story(
        "The storm killed at least 11 people along the coast, officials said.",
        "The death toll from the storm rose to 17 on the coast, officials said.",
        hours_apart=20,
    )
    evidence = gather(prepare(articles, Settings()))
    (u,) = evidence.updates
    groups = evidence.grouped()
    old = next(g for g in groups if u.old in g.members and u.new not in g.members)
    chosen = latest_stated([old], groups, evidence.claims, evidence.updates)
    assert [evidence.claims[g.rep].text for g in chosen] == [evidence.claims[u.new].text]


# ---------------------------------------------------------------- one table per behaviour
# Each row: two outlets' sentences, and the values the conflict stage must report (in the
# order the articles come). The sentences are invented; the ways of telling a figure are
# the ones news copy uses.

DISAGREE = [
    pytest.param(  # a percentage told as a change three ways: "fewer", "a reduction of", "by"
        "Patients on the drug had 46 percent fewer migraine days than those given a placebo.",
        "The trial found a placebo-adjusted reduction of 38% in monthly migraine days.",
        ["46 percent", "38%"], id="percent-change-told-two-ways"),
    pytest.param(  # a level told by a change to it, and by a verb of telling; sales are revenue
        "Revenue fell 7 per cent to 4.2 billion crowns in the quarter.",
        "The company reported second-quarter sales of 4.6bn crowns on Wednesday.",
        ["4.2 billion crowns", "4.6bn crowns"], id="revenue-level-other-verbs"),
    pytest.param(  # one named person's age, whatever each sentence is about
        "Mirela Dost, 44, was charged with fraud at the district court.",
        "Prosecutors said Dost, 47, had moved the money through three shell companies.",
        ["44", "47"], id="age-by-surname"),
    pytest.param(  # a tally told as a score after its verb, and as votes for and against
        "The assembly passed the budget 112 to 98 on Tuesday after a long debate.",
        "The budget survived the assembly vote with 110 votes in favour and 100 against.",
        ["112 to 98", "110 votes in favour and 100 against"], id="vote-tally-told-two-ways"),
    pytest.param(  # "stays closed until" a date is "reopens on" it
        "The authority aims to reopen the bridge to traffic on 12 January.",
        "The bridge will stay closed to traffic until 30 March, the deputy mayor said.",
        ["12 January", "30 March"], id="closed-until-is-reopen-on"),
    pytest.param(  # weekdays are the dates they name in the article
        "The minister sent his resignation letter on Sunday, his office said.",
        "The minister sent the letter on Monday morning, aides said.",
        ["Sunday", "Monday"], id="weekdays-as-dates"),
    pytest.param(  # "shut" closes; "9 of its offices" counts offices
        "The company will close 14 offices across Europe as part of the cuts.",
        "The firm plans to shut 9 of its offices, a spokesperson said.",
        ["14", "9"], id="verb-alias-close-shut"),
    pytest.param(  # one noun compounded into the other ("fuel" / "fuel oil"); "spilled" leaked
        "About 120 tonnes of fuel spilled into the bay, the coastguard said.",
        "The ship leaked some 300 tonnes of fuel oil into the bay, officials said.",
        ["About 120 tonnes", "some 300 tonnes"], id="compound-noun"),
    pytest.param(  # an estimate "put at" meets "will cost"; a bill is a cost
        "Repairs will cost an estimated 38 million crowns, according to the transport agency.",
        "The transport agency put the repair bill at 45 million crowns.",
        ["an estimated 38 million crowns", "45 million crowns"], id="told-estimate-meets-plan"),
    pytest.param(  # the event of a date is what began, through the verb it completes
        "Fuel began leaking from the tanker on Tuesday night, the directorate said.",
        "The tanker started leaking fuel on Wednesday, according to the coastguard.",
        ["Tuesday", "Wednesday"], id="date-of-a-begun-event"),
    pytest.param(  # "shortly after 10 p.m." is about then; a blaze is a fire
        "The fire broke out at about 11:40 p.m. on Friday in the tunnel's southern section.",
        "The blaze started shortly after 10 p.m. on Friday, the fire brigade said.",
        ["about 11:40 p.m.", "10 p.m."], id="shortly-after-is-at"),
    pytest.param(  # who led: a relative clause names the leader too
        "The rescue was led by Petra Vasskog of the mountain rescue team.",
        "Jonas Berg, who led the rescue, said the hikers were in good health.",
        ["Petra Vasskog", "Jonas Berg"], id="role-in-a-relative-clause"),
    pytest.param(  # "reached 67%" gives a level, as "was 61 percent" does, not the size of a change
        "Turnout was 61 percent, the electoral commission said.",
        "Turnout reached 67%, according to the electoral commission.",
        ["61 percent", "67%"], id="a-level-reached"),
    pytest.param(  # those who fled or were displaced are evacuees; residents are people
        "More than 6,400 residents were evacuated from the valley on Tuesday, officials said.",
        "About 9,000 people fled their homes in the valley on Tuesday, officials said.",
        ["More than 6,400", "About 9,000"], id="evacuated-or-fled"),
    pytest.param(  # "forced to leave their homes": the act after "forced to", with its object
        "More than 6,400 residents were evacuated from the valley on Tuesday, officials said.",
        "About 9,000 people were forced to leave their homes in the valley on Tuesday, officials said.",
        ["More than 6,400", "About 9,000"], id="forced-to-leave-their-homes"),
    pytest.param(  # "scorched" is burned
        "The wildfire has burned 12,000 acres so far, fire officials said on Monday.",
        "Fire officials said on Monday that the wildfire has scorched 20,000 acres so far.",
        ["12,000 acres", "20,000 acres"], id="burned-or-scorched"),
    pytest.param(  # the sum is the fined company's, told actively or passively; the doer is no thing
        "The company was fined $14 million by regulators on Tuesday.",
        "Regulators fined the company $11 million on Tuesday.",
        ["$14 million", "$11 million"], id="fined-the-company"),
]


@pytest.mark.parametrize(("first", "second", "values"), DISAGREE)
def test_outlets_that_disagree(first: str, second: str, values: list[str]) -> None:
    assert disputed(first, second) == [values]


AGREE = [
    pytest.param(  # a responder share is not the size of the reduction
        "Patients on the drug had 46 percent fewer migraine days than those given a placebo.",
        "Some 57% of patients on the drug at least halved their migraine days.",
        id="share-is-not-a-change"),
    pytest.param(  # a forecast never disputes a result
        "Revenue fell to 4.2 billion crowns, missing the 4.9 billion crowns expected by analysts.",
        "Sales came in at 4.2bn crowns, short of the 4.9bn crowns that analysts had pencilled in.",
        id="forecast-and-result"),
    pytest.param(  # the whole train and the wagons that derailed count two things
        "The freight train had 64 wagons when it left the yard, the operator said.",
        "Twenty-two wagons derailed near the river crossing, the operator said.",
        id="level-and-subset"),
    pytest.param(  # "a 47-year-old man" and "the 39-year-old man" need not be one man
        "A 47-year-old man was arrested at the scene, police said.",
        "Police said a 39-year-old man was later arrested at the scene.",
        id="unnamed-ages"),
    pytest.param(  # when something was said is no fact in dispute
        "The council said on Monday that the leak had been contained.",
        "The council said on Tuesday that the leak had been contained.",
        id="dates-of-saying"),
    pytest.param(  # two events of one man on two days
        "Felix Ambrosek was arrested at the airport on Tuesday.",
        "Felix Ambrosek stood in the dock on Thursday as the judge read the charges.",
        id="two-events-of-one-person"),
    pytest.param(  # a later plan: the next Monday, not the last
        "Schools will be closed on Monday while engineers inspect the buildings.",
        "All schools in the province will be closed tomorrow, Monday, for inspections.",
        id="planned-weekday-forward"),
    pytest.param(  # "six of them" is a part of the 46, not another count of the injured
        "The crush injured 46 people, six of them seriously, police said.",
        "Police said 46 people were hurt in the crush outside the stadium.",
        id="part-of-a-count"),
    pytest.param(  # a rising pair after a voting verb is a range, not a tally
        "The assembly passed the bill after 2 to 3 hours of debate on Monday.",
        "The assembly passed the bill in a unanimous vote on Monday.",
        id="range-is-no-tally"),
    pytest.param(  # a score after "a pass" (a noun) is no vote
        "Ratliff intercepted a pass from Garrard and returned it for a touchdown, making it 31-24.",
        "The Colts intercepted a pass in the third quarter and never trailed again, winning 31-17.",
        id="score-is-no-tally"),
    pytest.param(  # a person's age is never a count of something else
        "Arcade Joseph Comeaux Jr., 49, is serving a life sentence for several charges.",
        "Arcade Joseph Comeaux Jr. is serving three life sentences for several charges.",
        id="age-is-no-count"),
    pytest.param(  # "a 41-yard pass" is one pass's length, not a number of passes
        "Manning threw two touchdown passes as the Colts beat the Jaguars on Thursday night.",
        "Manning threw a 41-yard touchdown pass as the Colts beat the Jaguars on Thursday night.",
        id="measure-of-one-thing"),
    pytest.param(  # two players' yards: the relative clause names its doer
        "Manning threw for 364 yards as the Colts beat the Jaguars on Thursday night.",
        "Garrard, who threw for 329 yards, could not stop the Colts beating the Jaguars on Thursday night.",
        id="two-doers"),
    pytest.param(  # "X said it had …": the teller is the doer, so two navies' captures are two counts
        "The Indian Navy said on Saturday it had captured 23 pirates in the Gulf of Aden, officials said.",
        "The British Royal Navy had captured 18 pirates in the Gulf of Aden, officials said.",
        id="teller-is-the-doer"),
    pytest.param(  # one of a series is not the series' other member
        "The first quake, of magnitude 7.6, struck the coast at 4:43 a.m. local time, officials said.",
        "The quake struck the coast at 7:48 a.m. local time, officials said.",
        id="first-of-a-series"),
    pytest.param(  # the dead of one district are not those of another
        "Ten people were killed when houses collapsed in Bener Meriah district, officials said.",
        "Twelve people were killed when houses collapsed in Central Aceh district, officials said.",
        id="two-places"),
    pytest.param(  # phone numbers are no quantities
        "Anyone with information should call police on 0845 125 2222, detectives said.",
        "Anyone with information should call police on 0845 125 222, detectives said.",
        id="phone-numbers"),
    pytest.param(  # a week's total and one clash's: outlets' counts of one thing are never 35 times apart
        "At least 70 people have been hurt in the protests over the past eight days, police said.",
        "Police said the protests had left at least two people hurt in the capital.",
        id="values-too-far-apart"),
    pytest.param(
        "Firefighters said as many as 20 people had been inside the bank when it burned.",
        "Police said as many as 20,000 people had been inside the square when it burned.",
        id="orders-of-magnitude-apart"),
    pytest.param(  # a ceiling fits any value below it, in any unit
        "The camp is less than 25 kilometres from the border, aid workers said.",
        "The camp is about ten miles from the border, aid workers said.",
        id="under-a-ceiling"),
    pytest.param(  # the other sentence's own count of the bombs dropped is four; two is a part of it
        "Five bombs were dropped on the camp on Thursday, of which four exploded, witnesses said.",
        "Four bombs were dropped on the camp on Thursday; two of the bombs were dropped near the airstrip.",
        id="a-part-beside-its-whole"),
    pytest.param(  # one surname, two given names: two people
        "The body of Katherine Gomes, 61, was found in the house on Tuesday, police said.",
        "Gary Gomes, 35, was arrested at the house on Tuesday, police said.",
        id="two-people-one-surname"),
    pytest.param(  # "the daughter" is the story's one daughter, Kathryn Jenkin, not John Jenkin
        "The victims were named as Alice McMeekin, 58, and her 20-year-old daughter Kathryn Jenkin, police said.",
        "John Jenkin, 23, was charged with the murder of Alice McMeekin and Kathryn Jenkin, police said.",
        id="a-role-resolved-to-its-full-name"),
    pytest.param(  # "one" picks one of several: one shot dead is not a count of all shot
        "The gunman shot dead one person and wounded two others at the office on Monday, police said.",
        "The gunman shot three people at the office on Monday, police said.",
        id="one-of-several"),
    pytest.param(  # the sum in brackets is the first converted into another dollar
        "Damage to the church was estimated at $US1 million ($1.52 million), authorities said.",
        "Damage to the church was estimated at $1 million, authorities said on Saturday.",
        id="a-conversion-into-another-dollar"),
    pytest.param(  # one instant in two time zones
        "The explosion at the plant happened at 3 p.m. ET on Monday, officials said.",
        "The explosion at the plant happened at 20:00 GMT on Monday, officials said.",
        id="time-zones"),
    pytest.param(  # a count across three states is a wider count than one state's
        "The storm killed 12 people in Florida, officials said on Monday.",
        "The storm killed 20 people across three states, officials said on Monday.",
        id="one-place-and-a-count-of-places"),
    pytest.param(  # a scope ("worldwide") is no one place
        "The company will cut 500 jobs in Germany, it said on Monday.",
        "The company will cut 1,200 jobs worldwide, it said on Monday.",
        id="a-place-and-a-scope"),
    pytest.param(  # two months' figures
        "Unemployment rose to 4.1% in May, the agency said.",
        "Unemployment was 3.9% in April, the agency said.",
        id="two-months"),
    pytest.param(  # a count by one day and a later day's
        "The fire destroyed 40 homes on Monday, officials said.",
        "The fire had destroyed 65 homes by Wednesday, officials said.",
        id="two-days"),
    pytest.param(  # one day's arrests and all since the protests began
        "Police arrested 12 people on Saturday, a spokesman said.",
        "Police have arrested 30 people since the protests began, a spokesman said.",
        id="a-day-and-a-running-count"),
    pytest.param(  # two quarters' figures
        "Sales rose 12% in the first quarter, the company said.",
        "Sales rose 8% in the second quarter, the company said.",
        id="two-quarters"),
    pytest.param(  # one of a series each: the first round, the second
        "The prime minister won 52% of the vote in the first round, officials said.",
        "The prime minister won 58% of the vote in the second round, officials said.",
        id="two-rounds"),
    pytest.param(  # "a further 150" adds to a count; it is no other count of it
        "About 300 soldiers were deployed to the north on Monday, the army said.",
        "A further 150 soldiers were deployed to the north on Monday, the army said.",
        id="an-increment"),
    pytest.param(  # two holders' shares of one whole
        "Women make up 32% of the workforce, the report found.",
        "Men make up 68% of the workforce, the report found.",
        id="two-shares-of-one-whole"),
]


@pytest.mark.parametrize(("first", "second"), AGREE)
def test_outlets_that_only_seem_to_disagree(first: str, second: str) -> None:
    assert disputed(first, second) == []


def test_a_point_telling_of_a_dissent_carries_the_disputed_vote() -> None:
    """ "The two dissenting judges" states the split side of 'unanimous' vs 'five-to-two'."""
    evidence = gather(prepare(story(
        "In a unanimous ruling, the court's seven judges ordered a recount of the district.",
        "The court ordered the recount of the district in a five-to-two decision. "
        "The two dissenting judges wrote that the commission had been careless.",
    ), Settings()))
    (vote,) = [d for d in evidence.conflicts if d.tallies]
    dissent = next(c for c in evidence.claims if "dissenting" in c.text)
    unrelated = next(c for c in evidence.claims if "blankets" in c.text)
    assert vote.concerns(dissent) and not vote.concerns(unrelated)


LATER_BUT_NO_UPDATE = [
    pytest.param(  # "now" places a figure in a running story: a later, lower one is no update
        "Health officials said cases had been confirmed at 31 schools in the district.",
        "Cases have now been confirmed at 23 schools across the district, the health department said.",
        ["31", "23"], id="later-lower-now"),
    pytest.param(  # two outlets' counts of the injured, hours apart, not a count that grew
        "The crush injured 46 people outside the stadium, police said.",
        "At least 80 people were hurt in the crush outside the stadium, according to the fire service.",
        ["46", "At least 80"], id="later-higher-no-change-word"),
]


@pytest.mark.parametrize(("earlier", "later", "values"), LATER_BUT_NO_UPDATE)
def test_a_later_figure_that_says_no_change_disputes(earlier: str, later: str, values: list[str]) -> None:
    assert disputed(earlier, later, hours_apart=6) == [values]
    assert updated(earlier, later, hours_apart=6) == []


def test_a_disagreement_names_what_it_is_about_in_plain_words() -> None:
    def subjects(*sentences: str) -> list[str]:
        evidence = gather(prepare(story(*sentences), Settings()))
        return [d.conflict.subject for d in evidence.conflicts]

    assert subjects(
        "More than 6,400 residents were evacuated from the valley after the dam failed.",
        "About 9,000 residents were evacuated from the valley after the dam failed.",
    ) == ["number of evacuees"]  # "evacuated" counts evacuees (the lexicon's aliases)
    assert [plural(w) for w in ("death", "injury", "person", "bus", "palestinians")] == [
        "deaths", "injuries", "people", "buses", "palestinians"]  # a plural lemma stays as it is
    assert subjects(
        "Felix Ambrosek, 38, was arrested at the airport on Tuesday.",
        "Felix Ambrosek, 41, was arrested at the airport on Tuesday.",
    ) == ["Ambrosek's age"]
