"""Group a day's stored articles into stories: one story = one event across outlets.

Body text drives it, never headlines (same-event headlines often share little, and two
events can share a headline template):

1. **bodies** — each article's kept text (boilerplate dropped by `briefing.clean`), with
   the headline removed from its start.
2. **similarity** — TF-IDF cosine of the bodies' content stems (`SimilarityIndex`); a pair
   at or above `threshold` is a candidate link.
3. **actor veto** — the names an article keeps returning to (capitalised words seen at
   least twice: places, people, companies) must overlap. Two factory fires in two towns
   read alike to TF-IDF; they share no actor, so they stay two stories. Outlet mastheads
   ("Radio", "Times") are not actors.
4. **linking** — candidate pairs, strongest first, join their clusters (union-find) unless
   the two clusters' mean similarity falls below `threshold / 2`, which stops a chain of
   weak links from merging unrelated stories.

Deterministic: the same articles in the same order always give the same clusters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.clean import clean_articles
from briefing.models import Article, CleanedArticle
from briefing.similarity import SimilarityIndex
from briefing.text import STOPWORDS, content_stems

THRESHOLD = 0.16
MIN_ACTOR_MENTIONS = 2

# Capitalised words that name no actor of a story: calendar words and masthead words.
NOT_ACTORS = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    news radio times daily post herald journal tribune gazette observer digest dispatch
    ledger courier press wire agency report reports update updated live breaking editor
    staff reporter reporters correspondent photo video watch read more share subscribe
    newsletter advertisement sponsored comments comment home world local region business
    opinion sport sports weather tv fm online edition the""".split()
)


_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]")
_OPENERS = frozenset(".!?:;\"“”'‘’([—–-•*#|")


@dataclass(frozen=True)
class Cluster:
    """Indexes (into the input list) of the articles telling one story, in input order."""

    members: tuple[int, ...]
    cohesion: float  # mean pairwise cosine of its bodies (1.0 for a single article)


def body_text(article: Article, cleaned: CleanedArticle | None = None) -> str:
    """The article's kept text without its headline line: what clustering compares."""
    if cleaned is not None and cleaned.kept:
        text = "\n".join(article.text[r.start : r.end] for r in cleaned.kept)
    else:
        text = article.text
    title = " ".join(article.title.split())
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    if title and " ".join(first.split()) == title:
        return rest
    return text


def actors(text: str, outlet: str | None = None) -> frozenset[str]:
    """Name words (lower-cased) written capitalised at least twice, once mid-sentence.

    The mid-sentence rule keeps "Firefighters" (capitalised only because a sentence
    starts with it) out; masthead words of the article's own outlet and calendar words
    are no actors either.
    """
    masthead = {w.lower() for w in (outlet or "").split()}
    counts: Counter[str] = Counter()
    named: set[str] = set()
    for match in _WORD.finditer(text):
        word = match.group()
        if not word[0].isupper():
            continue
        w = word.lower().replace("’", "'").removesuffix("'s")
        if len(w) < 3 or w in STOPWORDS or w in NOT_ACTORS or w in masthead:
            continue
        counts[w] += 1
        if not _starts_sentence(text, match.start()):
            named.add(w)
    return frozenset(w for w in named if counts[w] >= MIN_ACTOR_MENTIONS)


def _starts_sentence(text: str, at: int) -> bool:
    j = at - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] in "\r\n" or text[j] in _OPENERS


def same_actors(a: frozenset[str], b: frozenset[str]) -> bool:
    """The veto's test: an article with no recurring names vetoes nothing."""
    return not a or not b or bool(a & b)


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_articles(
    articles: Sequence[Article],
    *,
    threshold: float = THRESHOLD,
    cleaned: Sequence[CleanedArticle] | None = None,
) -> list[Cluster]:
    """Clusters of the articles, biggest first (then by first member)."""
    if not articles:
        return []
    cleaned = list(cleaned) if cleaned is not None else clean_articles(articles)
    bodies = [body_text(a, c) for a, c in zip(articles, cleaned, strict=True)]
    index = SimilarityIndex([content_stems(b) for b in bodies], floor=threshold / 2)
    names = [actors(b, a.outlet) for a, b in zip(articles, bodies, strict=True)]

    pairs: list[tuple[float, int, int]] = []
    for i in range(len(articles)):
        for j, sim in index.neighbours(i).items():
            if j > i and sim >= threshold and same_actors(names[i], names[j]):
                pairs.append((sim, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))

    groups = _Union(len(articles))
    members: dict[int, list[int]] = {i: [i] for i in range(len(articles))}
    for _, i, j in pairs:
        ri, rj = groups.find(i), groups.find(j)
        if ri == rj or _mean_sim(index, members[ri], members[rj]) < threshold / 2:
            continue
        groups.join(ri, rj)
        root = groups.find(ri)
        members[root] = sorted(members.pop(ri) + members.pop(rj))

    clusters = [Cluster(tuple(m), _cohesion(index, m)) for m in members.values()]
    clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
    return clusters


def _mean_sim(index: SimilarityIndex, a: Sequence[int], b: Sequence[int]) -> float:
    block = index.sims[list(a)][:, list(b)]
    return float(block.sum()) / (len(a) * len(b))


def _cohesion(index: SimilarityIndex, m: Sequence[int]) -> float:
    if len(m) < 2:
        return 1.0
    block = index.sims[list(m)][:, list(m)]
    total = float(block.sum()) - float(block.diagonal().sum())
    return round(total / (len(m) * (len(m) - 1)), 4)
