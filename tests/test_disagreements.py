"""When independent outlets disagree on a figure, and when they only seem to.

Each test builds evidence from a few invented articles by different outlets and reads the
disagreements and updates the conflict stage finds (briefing.conflicts.compare).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from briefing.config import Settings
from briefing.evidence import gather
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
