"""Group a day's stored articles into stories: one story = one event across outlets.

Body text drives it, never headlines (same-event headlines often share little, and two
events can share a headline template):

1. **bodies** — each article's kept text (boilerplate dropped by `briefing.clean`), with
   the headline removed from its start.
2. **meaning** — sentence embeddings of the bodies (`briefing.lang.embed`), centred on the
   set's mean so that what all the day's articles share does not make them look alike.
3. **names** — the words an article writes capitalised mid-sentence (places, people,
   companies) and the years it names, compared by TF-IDF cosine. Two factory fires in two
   towns read alike; their names differ, so they stay two stories. Outlet mastheads and
   calendar words are no names.
4. **linking** — average-linkage agglomerative clustering on the blend (weights and the
   threshold in `briefing/data/stories.toml`), then each article moves to the story it is
   closest to on average.

Deterministic: the same articles in the same order always give the same clusters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from briefing import data
from briefing.clean import clean_articles
from briefing.lang import embed
from briefing.models import Article, CleanedArticle
from briefing.similarity import SimilarityIndex
from briefing.text import STOPWORDS

# Capitalised words that name nothing a story is about: calendar words and masthead words.
NOT_NAMES = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    news radio times daily post herald journal tribune gazette observer digest dispatch
    ledger courier press wire agency report reports update updated live breaking editor
    staff reporter reporters correspondent photo video watch read more share subscribe
    newsletter advertisement sponsored comments comment home world local region business
    opinion sport sports weather tv fm online edition the""".split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|\b(?:1[89]|20)\d\d\b")
_OPENERS = frozenset(".!?:;\"“”'‘’([—–-•*#|")


class Tuning(data.Table):
    """briefing/data/stories.toml: what each value trades off is said there."""

    embedding: float
    names: float
    threshold: float
    refine_passes: int
    min_articles_to_centre: int
    threshold_uncentred: float


@lru_cache(maxsize=1)
def tuning() -> Tuning:
    return data.table("stories.toml", Tuning)


@dataclass(frozen=True)
class Cluster:
    """Indexes (into the input list) of the articles telling one story, in input order."""

    members: tuple[int, ...]
    cohesion: float  # mean pairwise similarity of its articles (1.0 for a single article)


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


def names(text: str, outlet: str | None = None) -> list[str]:
    """Name words (lower-cased) written capitalised mid-sentence, and years, in order.

    The mid-sentence rule keeps "Firefighters" (capitalised only because a sentence starts
    with it) out; masthead words of the article's own outlet and calendar words are no
    names either.
    """
    masthead = {w.lower() for w in (outlet or "").split()}
    out: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if word[0].isdigit():
            out.append(word)
            continue
        if not word[0].isupper() or _starts_sentence(text, match.start()):
            continue
        w = word.lower().replace("’", "'").removesuffix("'s")
        if len(w) >= 3 and w not in STOPWORDS and w not in NOT_NAMES and w not in masthead:
            out.append(w)
    return out


def _starts_sentence(text: str, at: int) -> bool:
    j = at - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] in "\r\n" or text[j] in _OPENERS


def similarity(articles: Sequence[Article], bodies: Sequence[str]) -> tuple[np.ndarray, float]:
    """The articles' pairwise similarity (embedding and names blended) and the threshold
    that applies to it."""
    t = tuning()
    vectors = embed.embed(list(bodies))
    centred = len(bodies) >= t.min_articles_to_centre
    if centred:
        vectors = vectors - vectors.mean(axis=0)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
    named = SimilarityIndex([names(b, a.outlet) for a, b in zip(articles, bodies, strict=True)], floor=0.0)
    sims = t.embedding * (vectors @ vectors.T) + t.names * named.sims.toarray()
    return sims, (t.threshold if centred else t.threshold_uncentred)


def cluster_articles(
    articles: Sequence[Article],
    *,
    threshold: float | None = None,
    cleaned: Sequence[CleanedArticle] | None = None,
) -> list[Cluster]:
    """Clusters of the articles, biggest first (then by first member)."""
    if not articles:
        return []
    cleaned = list(cleaned) if cleaned is not None else clean_articles(articles)
    bodies = [body_text(a, c) for a, c in zip(articles, cleaned, strict=True)]
    sims, default = similarity(articles, bodies)
    labels = _refine(sims, _average_linkage(sims, default if threshold is None else threshold))
    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    clusters = [Cluster(tuple(m), _cohesion(sims, m)) for m in members.values()]
    clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
    return clusters


def _average_linkage(sims: np.ndarray, threshold: float) -> list[int]:
    if len(sims) == 1:
        return [0]
    distance = 1.0 - (sims + sims.T) / 2
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(np.maximum(distance, 0.0), checks=False), method="average")
    return [int(k) for k in fcluster(tree, 1.0 - threshold, criterion="distance")]


def _refine(sims: np.ndarray, labels: list[int]) -> list[int]:
    """Move each article (not alone in its story) to the story it is closest to on average."""
    labels = list(labels)
    for _ in range(tuning().refine_passes):
        moved = False
        for i in range(len(labels)):
            stories: dict[int, list[int]] = {}
            for j, label in enumerate(labels):
                if j != i:
                    stories.setdefault(label, []).append(j)
            if labels[i] not in stories:
                continue  # alone: it is its own story
            best = max(sorted(stories), key=lambda k: float(sims[i, stories[k]].mean()))
            if best != labels[i]:
                labels[i], moved = best, True
        if not moved:
            break
    return labels


def _cohesion(sims: np.ndarray, m: Sequence[int]) -> float:
    if len(m) < 2:
        return 1.0
    block = sims[np.ix_(m, m)]
    total = float(block.sum()) - float(block.diagonal().sum())
    return round(total / (len(m) * (len(m) - 1)), 4)
