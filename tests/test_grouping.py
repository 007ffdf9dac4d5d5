"""Claims told by several outlets in their own words corroborate each other; a sentence that
adds a figure of its own is another fact; a repeat is not a second point; a point cites only
spans that give its figures and names; exclusives stay single-source; the lead is the most
corroborated fact. (Invented stories.)"""

from collections import Counter

import pytest

from briefing.claims import Claim, extract_claims
from briefing.config import Settings
from briefing.evidence import RANKING, FigureBacking, Group, holds, repeats_point, select
from briefing.facts import same_fact, states
from briefing.lang.numbers import figures
from briefing.models import Article, Briefing, Passage, Point
from briefing.text import content_stems, entities
from briefing.pipeline import build_briefing, prepare
from briefing.similarity import SimilarityIndex

GAZETTE = """A fire at a furniture warehouse in Dunmore killed three people on Monday night, the county fire service said.
Crews from four stations fought the blaze for six hours before it was under control.
The warehouse, owned by Halvard Furnishings, had passed a safety inspection in March.
Two firefighters were treated in hospital for smoke inhalation."""

COURIER = """Firefighters recovered the bodies of three people from a burned-out warehouse in Dunmore on Tuesday.
The blaze took six hours to bring under control, a fire service spokesman said.
Police have opened a criminal investigation into the cause of the fire and are questioning a night guard.
Nearby homes were evacuated as a precaution."""

LEDGER = """Three people died when fire tore through a warehouse in Dunmore late on Monday.
Residents said they saw flames rising above the industrial estate shortly before midnight.
The mayor of Dunmore, Ilse Varga, said the town was in mourning."""

OTHER_STORY = """The Dunmore library will open on Sundays from next month after volunteers offered to staff it.
The library's reading group meets every Thursday and new members are welcome.
Opening hours on weekdays are unchanged."""


def article(id_: str, outlet: str, text: str) -> Article:
    return Article(id=id_, title=f"{outlet}: Dunmore news", outlet=outlet, text=text)


@pytest.fixture(scope="module")
def fire() -> Briefing:
    return build_briefing(
        [
            article("gazette", "Northfield Gazette", GAZETTE),
            article("courier", "Valley Courier", COURIER),
            article("ledger", "Riverside Ledger", LEDGER),
        ],
        engine="offline",
        settings=Settings(),
    )


def stating(b: Briefing, *words: str) -> Point:
    return next(p for p in b.points if all(w in p.text for w in words))


def cited_outlets(p: Point) -> set[str]:
    return {c.source_id for c in p.citations}


def test_paraphrases_from_other_outlets_corroborate_the_fact(fire: Briefing):
    deaths = next(p for p in fire.points if "three people" in p.text.lower())
    assert cited_outlets(deaths) == {"gazette", "courier", "ledger"}  # "killed three", "bodies of three", "died"
    assert "single_source" not in {f.kind for f in deaths.flags}


def test_two_different_facts_stay_apart(fire: Briefing):
    deaths = next(p for p in fire.points if "three people" in p.text.lower())
    investigation = stating(fire, "investigation")
    assert deaths is not investigation
    quotes = [c.quote for c in investigation.citations]
    assert not any("three people" in q for q in quotes)


def test_one_outlets_exclusive_stays_single_source(fire: Briefing):
    investigation = stating(fire, "investigation")
    assert cited_outlets(investigation) == {"courier"}
    assert "single_source" in {f.kind for f in investigation.flags}


def test_the_lead_is_the_most_corroborated_fact(fire: Briefing):
    lead = fire.points[0]
    assert "three people" in lead.text.lower()
    assert lead.origins == max(p.origins for p in fire.points) == 3


def test_an_article_about_something_else_is_never_cited():
    b = build_briefing(
        [
            article("gazette", "Northfield Gazette", GAZETTE),
            article("courier", "Valley Courier", COURIER),
            article("ledger", "Riverside Ledger", LEDGER),
            article("library", "Northfield Gazette", OTHER_STORY),
        ],
        engine="offline",
        settings=Settings(),
    )
    assert b.points
    assert all(c.source_id != "library" for p in b.points for c in p.citations)


# --- one fact or two: what the sentences carry, not only how close they read

def claim(text: str, origin: str = "a") -> Claim:
    return Claim(
        sentence=Passage(id=f"{origin}:0", article_id=origin, start=0, end=len(text), text=text),
        origin=origin, position=0.0, order=0, trim=0,
        stems=content_stems(text), figures=figures(text), names=entities(text),
    )


def one_fact(a: str, b: str, similarity: float) -> bool:
    g = RANKING.grouping
    return same_fact(similarity, claim(a), claim(b), similarity=g.similarity,
                     with_facts=g.similarity_with_facts, adding=g.similarity_adding)


CLOSED = "The Halvard Bridge was closed to all traffic on Monday after inspectors found a crack in a girder."


@pytest.mark.parametrize(
    ("other", "similarity", "same"),
    [
        # a paraphrase with no figure of its own: one fact at the grouping threshold
        ("Engineers shut the Halvard Bridge on Monday when a crack turned up in one of its girders.", 0.3, True),
        # the same topic, but two figures the first does not tell: another fact, however close it reads
        ("The Halvard Bridge will stay closed until 30 March and repairs will cost about €52 million.", 0.4, False),
        # ...unless it is a near-copy with one detail added
        ("The Halvard Bridge was closed to all traffic at 6 p.m. on Monday after inspectors found a crack in a girder.", 0.8, True),
    ],
)
def test_a_sentence_adding_a_figure_of_its_own_is_another_fact(other: str, similarity: float, same: bool):
    assert one_fact(CLOSED, other, similarity) is same


def test_two_sentences_each_adding_their_own_figure_are_two_facts_however_close():
    vehicles = "About 38,000 vehicles cross the bridge every day."
    tram = "Tram line 4 crosses the bridge every day."
    assert not one_fact(vehicles, tram, 0.95)


@pytest.mark.parametrize(
    ("span", "cited"),
    [
        ("Tram line 4 was turned back at Quay Street, Brennholt City Transport said.", True),
        # the same words, but not the point's street: a reader could not check the point in it
        ("Tram line 4 was turned back at the river, the transport company said.", False),
        # the point's place names, none of its figures: another fact about the same place
        ("Police set up barriers at Quay Street and diverted traffic.", False),
    ],
)
def test_a_point_cites_only_spans_that_give_its_figures_and_names(span: str, cited: bool):
    point = claim("Tram line 4 is being turned back at Quay Street.")
    s = RANKING.select
    assert states(claim(span, "b"), point, facts=s.cite_facts, words=s.cite_words) is cited


BRIDGE_STAR = """The Halvard Bridge in Brennholt was closed to all traffic on Monday after inspectors found a crack in a main girder.
About 38,000 vehicles cross the bridge every day, the roads authority said.
Tram line 4 is being turned back at Quay Street, with replacement buses running via the Lindgate Bridge.
The authority said it would inspect all 14 bridges of the same design in the province.
Repairs will cost about 40 million euros and the bridge should reopen on 12 January, roads authority director Katrin Voss said."""

BRIDGE_COURIER = """Inspectors found a crack in a main girder of the Halvard Bridge, which was shut to traffic on Monday.
The bridge will stay closed until 30 March and repairs will cost about 52 million euros, deputy mayor Tomas Reiter said.
Brennholt City Transport said tram line 4 was being turned back at Quay Street and that buses were running instead.
About 38,000 vehicles use the crossing every day."""

BRIDGE_VBC = """Engineers are examining a crack in a main girder of the Halvard Bridge in Brennholt, closed since Monday.
A free ferry will carry pedestrians across the Ossel from Wednesday, the city said.
About 38,000 vehicles a day normally use the crossing over the River Ossel."""


@pytest.fixture(scope="module")
def bridge() -> Briefing:
    return build_briefing(
        [article("star", "Evening Star", BRIDGE_STAR), article("courier", "Brennholt Courier", BRIDGE_COURIER),
         article("vbc", "VBC News", BRIDGE_VBC)],
        engine="offline", settings=Settings(),
    )


def test_a_repeat_is_not_a_second_point(bridge: Briefing):
    assert sum("tram line 4" in p.text.lower() for p in bridge.points) == 1
    assert sum("38,000" in p.text for p in bridge.points) == 1


def test_the_closure_point_does_not_swallow_the_cost_and_the_reopening_date(bridge: Briefing):
    closed = next(p for p in bridge.points if "crack" in p.text)
    assert not any("million" in c.quote for c in closed.citations)
    # each outlet's cost and date stay a point of their own, so both values are told
    assert "30 March" in stating(bridge, "52 million").text
    assert "12 January" in stating(bridge, "40 million").text


def test_a_count_told_by_three_outlets_cites_all_three(bridge: Briefing):
    vehicles = stating(bridge, "38,000")
    assert cited_outlets(vehicles) == {"star", "courier", "vbc"}
    assert "single_source" not in {f.kind for f in vehicles.flags}



def claims_of(*texts: str) -> dict[str, Claim]:
    """Each text as one outlet's article, read into claims (by text)."""
    corpus = prepare([article(str(k), f"Outlet {k}", t) for k, t in enumerate(texts)], Settings())
    return {c.text: c for c in extract_claims(corpus)}


@pytest.mark.parametrize(("long_", "short", "other"), [
    pytest.param(
        "The Kelmar harbour authority closed the north pier on Friday after divers found cracked pilings.",
        "The north pier was closed on Friday.",
        "The south pier was closed on Saturday.",  # another pier, another day
        id="words-and-figures"),
    pytest.param(  # the teller is not the fact; what the teller said is
        "Organisers cancelled Sunday's race 45 minutes before the start because of extreme heat.",
        "The announcer said the race was cancelled.",
        "The announcer said the runners were angry.",  # what was said is another fact
        id="what-was-said"),
])
def test_a_sentence_holding_a_shorter_ones_words_and_figures_tells_its_fact(long_: str, short: str, other: str):
    claims = claims_of(long_, short, other)
    assert holds(claims[long_], claims[short])
    assert not holds(claims[short], claims[long_])  # the longer one adds to it
    assert not holds(claims[long_], claims[other])


RACE = [
    ("lpa", "Lysander Press", "Organisers of the Belmarsh city marathon cancelled the race on Sunday 45 minutes before the start "
     "because of extreme heat, leaving thousands of runners at the start line.\n"
     "The announcer said the race was cancelled.\nRunners will be offered a refund or a free place next year."),
    ("obs", "The Observer", "The announcer said the race had been cancelled.\n"
     "Organisers said every runner would be offered a refund or a free place next year.\n"
     "Temperatures reached 36 degrees by noon."),
    ("fm", "Belmarsh FM", "A race announcer said the marathon was cancelled.\n"
     "All runners will be offered a refund or a free place in next year's race, organisers said.\n"
     "The city's heat warning stays in place until Tuesday."),
]


def test_a_point_holding_a_better_backed_one_takes_its_place_and_keeps_its_witnesses():
    """The short "the announcer said the race was cancelled", told by three outlets, is held by
    the lead that says who cancelled it and why: one point, citing all three."""
    b = build_briefing([article(i, o, t) for i, o, t in RACE], engine="offline", settings=Settings())
    told = [p for p in b.points if "cancel" in p.text]
    assert len(told) == 1 and "extreme heat" in told[0].text
    assert cited_outlets(told[0]) == {"lpa", "obs", "fm"}
    assert "single_source" not in {f.kind for f in told[0].flags}


# --- the lead: a fact every outlet gives, each in a sentence of its own details

QUAKE = [
    ("The quake struck at 4:12 a.m. at a depth of 10 km, the survey said.", "wire"),
    ("Sunday's quake struck at 4:12 a.m. and was felt 200 km away.", "courier"),
    ("The quake struck at 4:12 a.m., waking 3,000 residents of the old town.", "radio"),
    ("The quake struck at 4:12 a.m. and toppled the 2025 bell tower.", "daily"),
    ("The bakery on Mill Lane opens at 4:12 a.m. every day.", "blog"),  # the time, another topic
]


def test_the_origins_giving_a_points_figure_on_its_topic_back_it_though_no_sentence_states_all_of_it():
    """No two quake sentences can cite each other (each adds its own figure), yet four outlets
    give the time it struck: that fact has four origins behind it, and may lead. A sentence
    with the same time about something else is no backing, nor is a year shared by chance."""
    claims = [claim(text, origin) for text, origin in QUAKE]
    backing = FigureBacking(claims, SimilarityIndex([c.stems for c in claims], floor=0.0))  # every cosine kept
    assert [backing(i) for i in range(4)] == [{"wire", "courier", "radio", "daily"}] * 4
    assert backing(4) == {"blog"}
    budget = [claim("The 2025 budget passed.", "a"), claim("The 2025 budget is law.", "b")]
    assert FigureBacking(budget, SimilarityIndex([c.stems for c in budget], floor=0.0))(0) == set()


def test_a_fact_four_outlets_give_in_their_own_sentences_leads_over_one_three_repeat():
    """The lead is drawn from the best-backed facts: the quake's time (four origins, each in a
    sentence of its own, so in four groups of one) outranks a statement three outlets copy."""
    said = "The mayor said schools would stay closed on Monday."
    claims = [claim(t, o) for t, o in QUAKE[:4]] + [claim(said, o) for o in ("wire", "courier", "radio")]
    index = SimilarityIndex([c.stems for c in claims], floor=0.0)
    backing = FigureBacking(claims, index)
    quake = [Group(seed=i, members=[i], rep=i, origins={claims[i].origin}, backed=backing(i), score=2.0)
             for i in range(4)]
    voices = frozenset({"wire", "courier", "radio"})
    mayor = Group(seed=4, members=[4, 5, 6], rep=4, origins=set(voices), backed=voices, score=4.0)
    lead = select([mayor, *quake], claims, index, 1, Counter(c.origin for c in claims))[0]
    assert lead in quake


SIGNATURE = [
    ("wire", "Metro Wire", "Parliament approved the water bill on Thursday by a wide margin.\n"
     "President Anna Kovel now has 15 days to sign the bill into law.\n"
     "The bill caps household water prices for three years."),
    ("post", "Harbour Post", "The water bill cleared parliament late on Thursday.\n"
     "The bill now goes to President Anna Kovel, who has 15 days to sign it or send it back.\n"
     "Water companies said they would study the text."),
    ("fm", "City FM", "Lawmakers passed the water bill on Thursday evening.\n"
     "The bill now lands on the desk of President Anna Kovel, who has 15 days to sign it into law.\n"
     "Consumer groups welcomed the vote."),
    ("ins", "Utility Insight", "The water price bill passed its final vote in parliament on Thursday.\n"
     "The bill still needs the signature of President Anna Kovel before it can take effect.\n"
     "Analysts expect bills to fall by about 4 percent next year."),
]


def test_a_point_gives_the_figure_its_outlets_agree_on_not_the_vaguer_sentence_more_can_back():
    """Three outlets give the president 15 days to sign; the fourth says only that the bill
    needs her signature. Every outlet's sentence backs the vaguer one, but the point states
    the fact with its figure, cited to the three that give it."""
    b = build_briefing([article(i, o, t) for i, o, t in SIGNATURE], engine="offline", settings=Settings())
    signing = stating(b, "Anna Kovel")
    assert "15 days" in signing.text
    assert cited_outlets(signing) == {"wire", "post", "fm"}


WAGES = [
    ("wire", "Metro Wire", "Parliament approved the 2026 budget on Thursday after a two-day debate.\n"
     "Among its main measures, the budget raises public sector salaries by 4 percent from January and "
     "increases excise duties on tobacco.\n"
     "The opposition voted against the plan as a bloc."),
    ("post", "Harbour Post", "The budget cleared parliament late on Thursday.\n"
     "Teachers, nurses and other state employees will see their pay rise by 4 percent from January.\n"
     "Union leaders said the increase barely kept pace with prices."),
    ("fm", "City FM", "Lawmakers passed next year's budget on Thursday evening.\n"
     "Smokers will pay more, as duties on cigarettes go up.\n"
     "The finance minister said the plan would protect households."),
]


def test_a_point_whose_figure_another_outlet_gives_in_its_own_words_is_not_one_origins_word():
    """The wire's sentence tells two measures, so the Post's "pay rise by 4 percent from
    January" cannot be cited for it; but the Post gives its figure, so the point is not flagged
    single-source. The union leaders' view, which no one else gives, still is."""
    b = build_briefing([article(i, o, t) for i, o, t in WAGES], engine="offline", settings=Settings())
    wages = stating(b, "4 percent")
    assert cited_outlets(wages) == {"wire"}
    assert "single_source" not in {f.kind for f in wages.flags}
    assert "single_source" in {f.kind for f in stating(b, "Union leaders").flags}


def test_a_sentence_giving_only_a_chosen_points_figure_on_its_topic_repeats_it():
    """"That was three days after candidates sat the paper on 13 June" tells nothing the point
    about the resit does not: not shown beside it. One adding a figure of its own is news."""
    chosen = "Some 9,000 students will resit the paper on 2 July; it was first sat on 13 June."
    texts = [chosen, "That was three days after candidates sat the paper on 13 June.",
             "Candidates sat the paper on 13 June, and 4,000 of them have since complained."]
    claims = [claim(t, o) for t, o in zip(texts, ("wire", "post", "fm"), strict=True)]
    index = SimilarityIndex([c.stems for c in claims], floor=0.0)
    assert index.sim(1, 0) < RANKING.select.repeat_similarity  # not a near-copy
    assert repeats_point(1, 0, claims, index)
    assert not repeats_point(2, 0, claims, index)
