"""Stories for the digest: rank clusters, brief them, and pick each subscriber's share.

    stories = make_stories(window, now=now, settings=settings)   # clustered and ranked
    briefer = Briefer(BuildOptions(engine="offline", max_points=4), settings=settings)
    picked = pick_stories(stories, subscriber.topics, briefer, cap=5)

Ranking: a story told by more *independent origins* (the pipeline's dedup: syndicated
and re-reported copies count once) ranks higher; recency breaks ties and discounts age
(a story's weight halves over 24 hours since its newest article). A briefing is built
only for stories somebody is actually sent, once per run whatever the subscriber count.

Topics: a subscriber's topics are alternatives ("ports, fire" = either); within a topic
every word must occur in the story (titles or bodies, compared by stem), and a
"quoted phrase" must occur as written (case-insensitive). No topics = every story.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from briefing.clean import clean_articles
from briefing.config import Settings
from briefing.digest.cluster import cluster_articles
from briefing.engines.base import BuildOptions
from briefing.errors import BriefingError, ConfigError
from briefing.models import Article, Briefing
from briefing.pipeline import build_briefing, prepare
from briefing.text import content_stems, normalise

log = logging.getLogger(__name__)

HALF_LIFE_HOURS = 24.0
MAX_STORIES = 5
MAX_POINTS = 4

_PHRASE = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")


@dataclass(frozen=True)
class Dated:
    """An article and when it entered the store (what the window and recency go by)."""

    article: Article
    ingested_at: datetime


@dataclass
class Story:
    """One event told by one or more articles, ranked for the digest."""

    id: str
    articles: list[Article]
    latest: datetime
    origins: int
    score: float
    stems: frozenset[str] = field(repr=False)
    text: str = field(repr=False)  # normalised titles and bodies, for quoted phrases

    @property
    def headline(self) -> str:
        return next((a.title for a in self.articles if a.title.strip()), self.articles[0].id if self.articles else "")


def story_id(articles: Sequence[Article]) -> str:
    """Stable id of a story: a hash of its article ids."""
    return "st_" + hashlib.sha256("\n".join(sorted(a.id for a in articles)).encode()).hexdigest()[:12]


def make_stories(
    window: Sequence[Dated],
    *,
    now: datetime,
    settings: Settings,
    threshold: float | None = None,
) -> list[Story]:
    """Cluster the window's articles into stories, best first."""
    articles = [d.article for d in window if d.article.text.strip()]
    if not articles:
        return []
    when = {d.article.id: d.ingested_at for d in window}
    cleaned = clean_articles(articles)
    kwargs = {"threshold": threshold} if threshold is not None else {}
    stories: list[Story] = []
    for cluster in cluster_articles(articles, cleaned=cleaned, **kwargs):
        members = [articles[i] for i in cluster.members]
        latest = max(when[a.id] for a in members)
        origins = 1 if len(members) == 1 else _origins(members, settings)
        age = max(0.0, (now - latest).total_seconds() / 3600)
        text = "\n".join(f"{a.title}\n{a.text}" for a in members)
        stories.append(
            Story(
                id=story_id(members),
                articles=members,
                latest=latest,
                origins=origins,
                score=round(origins * 0.5 ** (age / HALF_LIFE_HOURS), 6),
                stems=frozenset(content_stems(text)),
                text=normalise(text),
            )
        )
    stories.sort(key=lambda s: (-s.score, -s.origins, -s.latest.timestamp(), s.id))
    return stories


def _origins(articles: Sequence[Article], settings: Settings) -> int:
    try:
        return max(1, prepare(articles, settings).stats.origins)
    except BriefingError:
        return len(articles)


def topic_matches(story: Story, topic: str) -> bool:
    """Every word of the topic (by stem) and every quoted phrase of it occurs in the story."""
    phrases = [normalise(p) for p in _PHRASE.findall(topic) if p.strip()]
    if any(p not in story.text for p in phrases):
        return False
    rest = _PHRASE.sub(" ", topic)
    stems = content_stems(rest) or [w.lower() for w in re.findall(r"\w+", rest)]
    return bool(stems or phrases) and all(s in story.stems for s in stems)


def wanted(story: Story, topics: Sequence[str]) -> bool:
    """No topics: every story; else any topic matching."""
    return not topics or any(topic_matches(story, t) for t in topics)


class Briefer:
    """Builds each story's briefing once per run, with the configured engine."""

    def __init__(self, options: BuildOptions, *, settings: Settings):
        self.options = options
        self.settings = settings
        self.built: dict[str, Briefing | None] = {}
        self.problems: dict[str, str] = {}

    def __call__(self, story: Story) -> Briefing | None:
        """The story's briefing, or None (reason in `problems`) when it cannot be built."""
        if story.id not in self.built:
            try:
                self.built[story.id] = build_briefing(story.articles, self.options, settings=self.settings)
            except ConfigError:
                raise  # a wrong engine name fails every story: stop the run
            except BriefingError as exc:
                log.warning("story %s (%s) skipped: %s", story.id, story.headline, exc)
                self.problems[story.id] = str(exc)
                self.built[story.id] = None
        return self.built[story.id]


@dataclass(frozen=True)
class Picked:
    story: Story
    briefing: Briefing


def candidates(stories: Sequence[Story], topics: Sequence[str], seen: Collection[str] = frozenset()) -> Iterator[Story]:
    """The stories a reader may be sent, best first: wanted by their topics, and not made
    only of articles in `seen` (sent to them in an earlier digest); one with any new
    article is sent again."""
    for story in stories:
        if wanted(story, topics) and not all(a.id in seen for a in story.articles):
            yield story


def pick_stories(
    stories: Sequence[Story],
    topics: Sequence[str],
    briefer: Briefer,
    *,
    cap: int = MAX_STORIES,
    seen: Collection[str] = frozenset(),
) -> list[Picked]:
    """The best `cap` `candidates` whose briefing has points, best first."""
    picked: list[Picked] = []
    for story in candidates(stories, topics, seen):
        if len(picked) >= cap:
            break
        briefing = briefer(story)
        if briefing is not None and briefing.points:
            picked.append(Picked(story, briefing))
    return picked


def summary(picked: Sequence[Picked]) -> list[dict[str, object]]:
    """What a delivery sent, for the log: story ids, titles and article ids."""
    return [
        {"story": p.story.id, "title": p.briefing.title or p.story.headline, "articles": [a.id for a in p.story.articles]}
        for p in picked
    ]
