"""Stories from a day's articles: clustering by body text with the actor veto, ranking, topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.digest.cluster import cluster_articles, names, similarity
from briefing.config import Settings
from briefing.digest.compose import Briefer, Dated, make_stories, pick_stories, topic_matches, wanted
from briefing.engines import BuildOptions
from briefing.ingest import read_paths
from briefing.models import Article

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "evals" / "cases"
NOW = datetime(2026, 11, 22, 7, tzinfo=UTC)
SETTINGS = Settings()

# Another factory fire, told in the wire copy's very words: TF-IDF alone would merge it.
DUNMORE = Article(
    id="dunmore",
    title="At least 9 killed in fire at Dunmore textile mill",
    outlet="Harbor Wire",
    text="""At least 9 killed in fire at Dunmore textile mill
DUNMORE, March 11 - A fire tore through a textile factory in the southern town of Dunmore before dawn on Tuesday, killing at least nine people and injuring 20 others, local authorities said.
The blaze broke out at about 3 a.m. in the dyeing hall of the Okafor Textiles mill on Quay Street, where around 60 workers were on the night shift, according to the Ashgrove regional fire service.
Some 90 firefighters were deployed, and the fire was brought under control shortly after 8 a.m., regional fire chief Tomas Reyes told reporters at the scene.
"The roof of the hall collapsed within the first hour, which made the search extremely difficult," Reyes said.
Of the injured, six were in serious condition at Dunmore Royal Infirmary, a hospital spokeswoman said. Several were being treated for smoke inhalation and burns.
Okafor Textiles said in a statement that it was cooperating fully with the authorities. Production at the Dunmore site has been suspended.
The cause of the fire was not immediately known. Ashgrove prosecutors said they had opened an investigation into possible negligence at Okafor Textiles.
""",
)


def case(name: str) -> list[Article]:
    return read_paths([str(CASES / name)]).articles


@pytest.fixture(scope="module")
def fire() -> list[Article]:
    return case("factory-fire")


@pytest.fixture(scope="module")
def merger() -> list[Article]:
    return case("merger-closing-date")


def test_each_event_is_one_story_across_outlets():
    names = ["factory-fire", "merger-closing-date", "election-court-ruling", "ferry-aground", "outbreak-injection"]
    articles, label = [], {}
    for name in names:
        for a in case(name):
            articles.append(a)
            label[a.id] = name
    clusters = cluster_articles(articles)
    found = sorted(sorted({label[articles[i].id] for i in c.members}) for c in clusters)
    assert found == [[n] for n in sorted(names)]
    assert sum(len(c.members) for c in clusters) == len(articles)


def test_two_similar_fires_in_different_towns_stay_apart(fire):
    articles = [*fire, DUNMORE]
    bodies = [a.text for a in articles]
    sims, threshold = similarity(articles, bodies)
    # The Dunmore copy is another fire told in the wire copy's words; its places and people
    # (Dunmore, Okafor, Reyes, Ashgrove) are others, so on average it is further from the
    # Lessington articles than the threshold, and they are closer to each other than that.
    lessington = [sims[i, j] for i in range(4) for j in range(4) if i != j]
    assert sims[4, :4].mean() < threshold < sum(lessington) / len(lessington)
    assert [c.members for c in cluster_articles(articles)] == [(0, 1, 2, 3), (4,)]


def test_bodies_not_headlines_decide(fire):
    same_headline = DUNMORE.model_copy(update={"title": fire[0].title, "text": fire[0].title + "\n" + DUNMORE.text.split("\n", 1)[1]})
    retitled = fire[1].model_copy(update={"id": "retitled", "title": "Tragedy in the north"})
    clusters = cluster_articles([fire[0], same_headline, retitled])
    assert [c.members for c in clusters] == [(0, 2), (1,)]


def test_names_are_mid_sentence_capitals_and_years_not_mastheads_or_sentence_starts():
    text = ("Radio Vardmark reports. Firefighters came. Firefighters left. The mayor of Lessington spoke "
            "to Radio Vardmark about the 2019 flood in Lessington on Monday.")
    assert names(text, "Radio Vardmark") == ["lessington", "2019", "lessington"]


# ---------------------------------------------------------------- ranking


def test_stories_rank_by_independent_origins_then_recency(fire, merger):
    lone = Article(id="lone", title="Ferry timetable changes", text=(
        "The Selmouth ferry will leave at 7 a.m. from Monday, the operator Islandlink said. "
        "Islandlink said the change follows a survey of Selmouth commuters."))
    window = [Dated(a, NOW - timedelta(hours=20)) for a in fire]
    window += [Dated(a, NOW - timedelta(hours=2)) for a in merger]
    window += [Dated(lone, NOW - timedelta(minutes=5))]

    stories = make_stories(window, now=NOW, settings=SETTINGS)

    assert [(s.headline, s.origins) for s in stories] == [
        (merger[0].title, 3),  # three origins, fresh
        (fire[0].title, 3),  # three origins (two wire copies count once), 20 hours old
        ("Ferry timetable changes", 1),  # newest, but one origin
    ]
    assert stories[0].latest == NOW - timedelta(hours=2)
    assert stories[0].score > stories[1].score > stories[2].score


# ---------------------------------------------------------------- topics


@pytest.fixture(scope="module")
def merger_story(merger):
    return make_stories([Dated(a, NOW) for a in merger], now=NOW, settings=SETTINGS)[0]


@pytest.mark.parametrize(
    ("topic", "matches"),
    [
        ("Tidewater", True),
        ("tidewater", True),
        ("container terminals", True),  # by stem: "terminal"
        ("Kessel Tidewater", True),  # every word
        ("Kessel volcano", False),
        ('"Tidewater Freight"', True),  # a phrase, as written
        ('"Freight Tidewater"', False),
        ("volcano", False),
        ("", False),
    ],
)
def test_topic_matching(merger_story, topic, matches):
    assert topic_matches(merger_story, topic) is matches


def test_no_topics_means_every_story_and_topics_are_alternatives(merger_story):
    assert wanted(merger_story, [])
    assert wanted(merger_story, ["volcano", "Portmane"])
    assert not wanted(merger_story, ["volcano", "earthquake"])


def test_pick_caps_and_builds_each_story_once(fire, merger):
    window = [Dated(a, NOW) for a in [*fire, *merger]]
    stories = make_stories(window, now=NOW, settings=SETTINGS)
    briefer = Briefer(BuildOptions(engine="offline", max_points=3), settings=SETTINGS)
    assert [p.story.id for p in pick_stories(stories, [], briefer, cap=1)] == [stories[0].id]
    both = pick_stories(stories, ["Lessington", "Portmane"], briefer)
    assert [p.story.id for p in both] == [s.id for s in stories]
    assert len(briefer.built) == 2 and all(len(p.briefing.points) <= 3 for p in both)
