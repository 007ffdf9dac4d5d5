"""Claims told by several outlets in their own words corroborate each other; exclusives stay
single-source; the lead is the most corroborated fact. (Invented stories.)"""

import pytest

from briefing.config import Settings
from briefing.models import Article, Briefing, Point
from briefing.pipeline import build_briefing

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
