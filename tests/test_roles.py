"""Who holds a role, read from the parse, and disagreements about it between outlets."""

from __future__ import annotations

import pytest

from briefing.config import Settings
from briefing.lang.roles import role_names, same_holder, specific
from briefing.models import Article, Conflict
from briefing.pipeline import build_briefing


@pytest.mark.parametrize(
    ("sentence", "role", "holder"),
    [
        ("Judge Anneli Brask of the Orlen District Court jailed the smuggler for four years.", "judge", "Anneli Brask"),
        ("The smuggler was jailed by Anneli Brask, the presiding judge, on Monday.", "judge", "Anneli Brask"),
        ("Presiding judge Anneli Brask read the verdict aloud.", "judge", "Anneli Brask"),
        ("The court's spokeswoman, Mira Tallek, said the hearing was closed.", "court spokesperson", "Mira Tallek"),
        ("The search was led by Jonas Ferreby of the coastguard.", "lead search", "Jonas Ferreby"),
        (
            "The bones are very old, said Tove Lindqvist, a geologist at Halvard University.",
            "affiliation of lindqvist",
            "Halvard University",
        ),
        ("Former mayor Karel Dunn attended the hearing.", "former mayor", "Karel Dunn"),
    ],
)
def test_role_is_read_from_the_parse(sentence: str, role: str, holder: str) -> None:
    assert role_names(sentence).get(role) == holder


def test_one_person_in_two_forms_is_one_holder() -> None:
    assert same_holder("Petra Q. Smith", "Smith")
    assert same_holder("the Halvard Museum of Natural History", "Halvard Museum")
    assert not same_holder("Anneli Brask", "Viktor Holm")


# each outlet tells the rest of the story in its own words (one text would make them one origin)
REST = {
    "Orlen Post": "The trial ended on Monday in Orlen. He took bribes from two shipping firms for six years.",
    "Coast Radio": "Monday's verdict closes a case that shook the port: six years of payments from shippers.",
    "Harbour Weekly": "Two shipping companies paid him for berths, the court heard, from 2018 until his arrest.",
}


def article(id: str, outlet: str, *sentences: str) -> Article:
    return Article(id=id, outlet=outlet, title=f"Harbour master jailed ({outlet})", text="\n\n".join([*sentences, REST[outlet]]))


def name_conflicts(*articles: Article) -> list[Conflict]:
    return [c for c in build_briefing(list(articles), engine="offline", settings=Settings()).conflicts if c.kind == "name"]


def test_two_outlets_naming_different_judges_disagree_once() -> None:
    conflicts = name_conflicts(
        article("a", "Orlen Post", "Judge Anneli Brask sentenced the former harbour master to four years in prison."),
        article("b", "Coast Radio", "Judge Viktor Holm handed the former harbour master a four-year prison sentence."),
        article("c", "Harbour Weekly", "Presiding judge Anneli Brask said the bribes had corrupted the port."),
    )
    assert len(conflicts) == 1
    assert conflicts[0].subject == "judge"
    assert {v.value for v in conflicts[0].values} == {"Anneli Brask", "Viktor Holm"}
    assert {v.citation.source_id for v in conflicts[0].values} in ({"a", "b"}, {"b", "c"})


BRASK_JUDGE = "Judge Anneli Brask sentenced the former harbour master to four years in prison."


@pytest.mark.parametrize(
    "coast_radio",
    [
        pytest.param(
            ["Judge Brask handed the former harbour master a four-year prison sentence."],
            id="the-same-judge-in-two-forms",
        ),
        pytest.param(
            ["Prosecutor Tomas Ekdahl asked for five years.", "The sentence was handed down by Brask after a recess."],
            id="two-people-in-two-roles",
        ),
        pytest.param(
            [
                "Judge Viktor Holm handed the former harbour master a four-year prison sentence.",
                "His lawyer, Anneli Brask, said he would appeal.",
            ],
            id="a-name-both-outlets-use-is-no-rival-judge",
        ),
    ],
)
def test_no_disagreement_about_who(coast_radio: list[str]) -> None:
    assert not name_conflicts(article("a", "Orlen Post", BRASK_JUDGE), article("b", "Coast Radio", *coast_radio))


def test_a_researchers_affiliation_given_two_ways_is_a_disagreement() -> None:
    conflicts = name_conflicts(
        article("a", "Orlen Post", "The bribes were traced by Tove Lindqvist, an economist at Halvard University, who studied the port's accounts."),
        article("b", "Coast Radio", "Tove Lindqvist, an economist at the Skarby Institute of Trade, traced the bribes through the port's accounts."),
    )
    assert [(c.subject, {v.value for v in c.values}) for c in conflicts] == [
        ("Lindqvist's affiliation", {"Halvard University", "Skarby Institute of Trade"})
    ]


def test_two_outlets_quoting_two_different_experts_is_no_disagreement() -> None:
    """A bare role ("researcher") may have several holders in one story; only a holder that
    two origins agree on makes a third origin's other name a disagreement."""
    assert not name_conflicts(
        article("a", "Orlen Post", "Researcher Ola Brenn said the port's books had been doctored for years."),
        article("b", "Coast Radio", "Researcher Ivo Stam said the payments were hidden as berth fees."),
    )


@pytest.mark.parametrize(
    ("role", "one_holder"),
    [
        ("court spokesperson", True),  # an office of a named body
        ("lead rescue", True),  # "the rescue was led by …"
        ("affiliation of lindqvist", True),
        ("judge", False),  # a bare noun: a story may have several
        ("former mayor", False),
        ("", False),
    ],
)
def test_which_roles_one_holder_fills(role: str, one_holder: bool) -> None:
    assert specific(role) is one_holder
