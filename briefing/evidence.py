"""The evidence layer both engines share: claims, groups, ranking, selection, and a point
with its citations and flags.

Sentences are candidate claims; an article far in meaning from the rest of the set (another
story from the same outlet's page) gives none. Claims that say the same thing are grouped
by sentence embeddings blended with TF-IDF (`SemanticIndex`; seeded so groups do not
chain), so outlets paraphrasing one fact corroborate it. Groups are ranked by how many
independent origins back them (confirmation: those stating the fact, and those giving one
of its figures on its topic in a sentence of their own, `FigureBacking`), how central they
are to what the articles say (each article weighing the same: three outlets re-telling one
story is a sign of news value, though not of confirmation) and how early they appear, then
picked greedily while skipping near-repeats and favouring origins not yet heard; the lead is
the most corroborated group. Whether two claims are one fact, and whether a span states a point, is
read off what they carry (`briefing.facts`): a claim adding a telling figure is a paraphrase
only when near-identical, and a span is cited only when it gives the point's figures, names
and a share of its words. A point cites every independent origin that states its fact (one
span each, up to a cap) and carries the flags its evidence earns.

Engines differ only in how they word and adjudicate: the offline engine states each
group's representative sentence verbatim; the llm engine has a model word the points.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from briefing import budget, data
from briefing.claims import Claim, extract_claims
from briefing.conflicts import Disagreement, Update, compare, figures_at_odds, repeats_figure
from briefing.facts import stated_share, states, telling, told_share, word_share
from briefing.facts import same_fact as _same_fact
from briefing.flags import anonymous_articles, point_flags, update_flag
from briefing.headlines import briefing_title, guess_title, headline
from briefing.lang import embed
from briefing.lang import frames as frames_mod
from briefing.lang.numbers import Figure, figures
from briefing.models import Citation, Conflict, Corpus, Flag, Point, Source
from briefing.origins import outlet_name
from briefing.similarity import SemanticIndex, SimilarityIndex
from briefing.text import content_stems


class Grouping(data.Table):
    embedding_weight: float
    similarity: float
    similarity_with_facts: float
    similarity_adding: float
    seed_lead_weight: float


class Topic(data.Table):
    min_articles: int
    min_similarity: float


class Score(data.Table):
    origins: float
    articles: float
    articles_cap: int
    centrality: float
    lead: float
    facts: float
    salience: float
    weak_start: float
    min_score: float
    latest: float
    stale: float


class Select(data.Table):
    redundancy_penalty: float
    told_penalty: float
    new_origin_bonus: float
    same_origin_penalty: float
    max_citations: int
    cite_similarity: float
    cite_facts: float
    cite_words: float
    cite_facts_partial: float
    partial_citations: int
    repeat_similarity: float
    repeat_words: float
    repeat_words_reported: float
    lead_origin_slack: int


class Representative(data.Table):
    quantity: float
    quantity_cap: int
    name: float
    name_cap: int
    weak_start: float
    readable: float
    readable_min_words: int
    readable_max_words: int
    backing: float
    missing_figure: float


class Ranking(data.Table):
    """briefing/data/ranking.toml: what each weight trades off is said there."""

    grouping: Grouping
    topic: Topic
    score: Score
    select: Select
    representative: Representative


RANKING = data.table("ranking.toml", Ranking)
MAX_CITATIONS = RANKING.select.max_citations
CITE_SIMILARITY = RANKING.select.cite_similarity
CITE_FACTS = RANKING.select.cite_facts
CITE_WORDS = RANKING.select.cite_words


@dataclass
class Group:
    seed: int
    members: list[int] = field(default_factory=list)
    score: float = 0.0
    rep: int = 0
    origins: set[str] = field(default_factory=set)  # the representative's and its witnesses' (see `witnesses`)
    backed: frozenset[str] = frozenset()  # those and the origins giving its figures (`FigureBacking`)
    # chosen groups whose fact this one tells with more (`select`): their witnesses back it too
    absorbed: list[Group] = field(default_factory=list)

    @property
    def told(self) -> list[int]:
        """Its members and those of the groups it absorbed: the claims its point tells."""
        return [*self.members, *(i for h in self.absorbed for i in h.told)]


@dataclass
class Evidence:
    """The corpus as claims, with everything needed to rank, cite and flag them."""

    sources: list[Source]
    source_labels: dict[str, str]
    origin_labels: dict[str, str]
    origin_sizes: Counter[str]
    claims: list[Claim] = field(default_factory=list)
    index: SimilarityIndex | None = None  # lexical: figures and conflicts
    semantic: SemanticIndex | None = None  # meaning: grouping, selection, citing
    centrality: np.ndarray | None = None
    off_topic: list[str] = field(default_factory=list)  # articles that give no claims
    conflicts: list[Disagreement] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    anonymous: dict[str, str] = field(default_factory=dict)
    backing: FigureBacking | None = None  # who gives a claim's figures on its topic
    excluded: int = 0  # instruction-like sentences left out (never candidates)

    def grouped(self) -> list[Group]:
        """Every claim group, scored (empty when there are no claims)."""
        if self.semantic is None or self.centrality is None:
            return []
        return group_claims(self.claims, self.semantic, self.centrality, self.updates, self.backing)

    def select(self, k: int, *, drop_repeats: bool = True) -> list[Group]:
        """The top `k` groups, picked greedily (see `select`)."""
        if self.semantic is None:
            return []
        groups = self.grouped()
        chosen = select(groups, self.claims, self.semantic, k, self.origin_sizes, drop_repeats=drop_repeats)
        return latest_stated(chosen, groups, self.claims, self.updates)

    def support(self, g: Group) -> list[Claim]:
        """One citing claim per origin for a group (see `support`)."""
        assert self.semantic is not None
        return support(g, self.claims, self.semantic)

    def point(self, text: str, cited: Sequence[Claim], members: Sequence[int] | set[int], extra: Sequence[Conflict] = ()) -> Point:
        """A point saying `text`, citing `cited` (exact spans), flagged from its evidence: the
        conflicts concerning any claim in `members`, then `extra` ones the engine found."""
        assert self.index is not None  # there are claims, so there is an index
        index = self.index
        mine = [
            d.conflict for d in self.conflicts if any(concerns(d, i, self.claims, index) for i in members)
        ] + list(extra)
        disputing = {self.origin_of.get(v.citation.source_id, v.citation.source_id) for c in mine for v in c.values}
        backers = self.backing(self.index_of[id(cited[0])]) if cited and self.backing else frozenset()
        flags = point_flags(list(cited), self.origin_labels, self.source_labels, mine, self.anonymous, self.origin_sizes,
                            disputing, backers)
        return Point(
            text=text,
            citations=[cite(c) for c in cited],
            origins=len({c.origin for c in cited}),
            flags=flags + self.update_flags(text),
        )

    @cached_property
    def index_of(self) -> dict[int, int]:
        """A claim's index in `claims`, by object identity (points are given claims)."""
        return {id(c): i for i, c in enumerate(self.claims)}

    @cached_property
    def origin_of(self) -> dict[str, str]:
        """Source id -> its independent origin."""
        return {s.id: s.origin for s in self.sources}

    def update_flags(self, text: str) -> list[Flag]:
        """A point whose text states a figure's latest value notes the earlier ones, with their
        citations: one flag per figure that changed."""
        stated = figures(text)
        changed: dict[tuple[str, float], list[Update]] = {}
        for u in self.updates:
            if any(f.same_value(u.new_figure) for f in stated):
                changed.setdefault((u.subject, round(u.new_figure.value, 6)), []).append(u)
        return [
            update_flag(us[0].subject, [(self.claims[u.old], u.old_value) for u in us], self.claims[us[0].new],
                        us[0].new_value, self.source_labels, cite)
            for us in changed.values()
        ]


def gather(corpus: Corpus, *, neighbours: int | None = None) -> Evidence:
    """Claims, their similarity index (`neighbours` per claim, every pair when None),
    centrality, conflicts and anonymous-source articles for a prepared corpus."""
    every = extract_claims(corpus)
    claims = [c for c in every if c.candidate]  # instruction-like sentences are never candidates
    vectors = embed.embed([c.text for c in claims]) if claims else np.zeros((0, 1), dtype=np.float32)
    off_topic = off_topic_articles([c.sentence.article_id for c in claims], vectors)
    if off_topic:
        keep = [i for i, c in enumerate(claims) if c.sentence.article_id not in off_topic]
        claims, vectors = [claims[i] for i in keep], vectors[keep]
    sources = corpus_sources(corpus)
    labels = source_labels(sources)
    evidence = Evidence(
        sources=sources,
        source_labels=labels,
        origin_labels=origin_labels(corpus, labels),
        origin_sizes=Counter(corpus.dedup.origins.get(a.id, a.id) for a in corpus.articles),
        claims=claims,
        off_topic=sorted(off_topic),
        excluded=sum(c.instruction for c in every),
    )
    if not claims:
        return evidence
    index = SimilarityIndex([c.stems for c in claims], k=neighbours)
    g = RANKING.grouping
    evidence.index = index
    evidence.semantic = SemanticIndex(
        vectors, index, weight=g.embedding_weight, floor=g.similarity_with_facts, k=neighbours
    )
    evidence.centrality = evidence.semantic.centrality([c.sentence.article_id for c in claims])
    evidence.backing = FigureBacking(claims, evidence.semantic)
    found = compare(claims, index, cite)
    evidence.conflicts, evidence.updates = found.conflicts, found.updates
    evidence.anonymous = anonymous_articles(claims)
    return evidence


def off_topic_articles(article_ids: Sequence[str], vectors: np.ndarray) -> set[str]:
    """Articles whose claims, on average, are far in meaning from the other articles' (each
    article weighing the same): another story, such as a page from the same outlet about
    something else. Needs a few articles to say what the story is."""
    t = RANKING.topic
    names = sorted(set(article_ids))
    if len(names) < t.min_articles:
        return set()
    rows = {a: [i for i, x in enumerate(article_ids) if x == a] for a in names}
    means = np.stack([vectors[rows[a]].mean(axis=0) for a in names])
    out = set()
    for k, a in enumerate(names):
        centroid = np.delete(means, k, axis=0).mean(axis=0)
        cos = float(means[k] @ centroid) / (float(np.linalg.norm(means[k]) * np.linalg.norm(centroid)) or 1.0)
        if cos < t.min_similarity:
            out.add(a)
    return out


def cite(claim: Claim) -> Citation:
    s = claim.sentence
    return Citation(source_id=s.article_id, start=claim.start, end=s.end, quote=claim.text)


def group_claims(
    claims: list[Claim], index: SimilarityIndex, centrality: np.ndarray, updates: Sequence[Update] = (),
    backing: FigureBacking | None = None,
) -> list[Group]:
    """Seeded grouping: each claim joins the most similar existing seed, or seeds a group.
    A group is backed by the origins that state its representative, and those that give one
    of its figures on its topic (`backing`). A group stating a figure's latest value ranks
    higher, one stating only a value since updated lower, and a group holding both is stated
    by a claim with the latest value."""
    w = RANKING.score
    latest = {u.new for u in updates}
    stale = {u.old for u in updates} - latest
    lead = np.array([1.0 / (1.0 + c.order / 3.0) for c in claims])  # inverted pyramid
    salience = _name_salience(claims)
    order = np.argsort(-(centrality + RANKING.grouping.seed_lead_weight * lead), kind="stable")
    groups: list[Group] = []
    seed_of: dict[int, int] = {}  # seed claim index -> group index
    for n, i in enumerate(map(int, order)):
        if n % 1024 == 0:
            budget.check("grouping")
        best, best_sim = None, 0.0
        for j, sim in index.neighbours(i).items():
            seeded = seed_of.get(j)
            if seeded is None or sim <= best_sim:
                continue
            if same_fact(sim, claims[i], claims[j]):
                best, best_sim = seeded, sim
        if best is None:
            seed_of[i] = len(groups)
            groups.append(Group(seed=i, members=[i]))
        else:
            groups[best].members.append(i)
    for g in groups:
        g.rep = _representative(g.members, claims, centrality, index, latest, stale)
        # confirmation is of the fact the point states: the origins that give it, or part of it
        g.origins = origins = {claims[g.rep].origin, *witnesses(
            g.rep, _candidates(g, index), claims, index, facts=RANKING.select.cite_facts_partial)}
        g.backed = frozenset(origins).union(backing(g.rep) if backing is not None else ())
        articles = {claims[i].sentence.article_id for i in g.members if i == g.rep or _retells(i, g.rep, claims, index)}
        info = any(telling(claims[i]) or len(claims[i].names) >= 2 for i in g.members)
        salient = max(salience[i] for i in g.members)
        g.score = (
            w.origins * len(g.backed)
            + w.articles * min(w.articles_cap, len(articles) - 1)
            + w.centrality * float(max(centrality[i] for i in g.members))
            + w.lead * float(max(lead[i] for i in g.members))
            + w.facts * info
            + w.salience * salient
            - (w.weak_start if claims[g.rep].weak_start else 0.0)
            + (w.latest if g.rep in latest else 0.0)
            - (w.stale if g.rep in stale else 0.0)
        )
    return groups


def _representative(
    members: list[int], claims: list[Claim], centrality: np.ndarray, index: SimilarityIndex,
    latest: set[int], stale: set[int],
) -> int:
    """The member that states a group: readable and central (`_rep_quality`), preferring the
    latest value of an updated figure, one that other origins state too (`backing`), and one
    giving the figures its group's origins agree on (`missing_figure`).
    Backing is counted for the best few members by quality, each text once (syndicated
    copies repeat sentences), so a large group costs no more than a small one."""
    w, r = RANKING.score, RANKING.representative

    def quality(i: int) -> float:
        return (_rep_quality(claims[i], centrality[i])
                + (w.latest if i in latest else 0.0) - (w.stale if i in stale else 0.0))

    if len(members) == 1:
        return members[0]
    agreed = _agreed_figures([claims[i] for i in members])

    def missing(i: int) -> int:
        return len(agreed - {_figure_key(f) for f in claims[i].figures})

    ranked = sorted(members, key=quality, reverse=True)
    firsts = list({claims[i].text: i for i in reversed(ranked)}.values())[::-1][:_REP_CANDIDATES]
    return max(firsts, key=lambda i: quality(i) + r.backing * len(witnesses(i, members, claims, index))
               - r.missing_figure * missing(i))


def _agreed_figures(members: Sequence[Claim]) -> set[FigureKey]:
    """The telling figures at least two of a group's origins give: the fact's own figures,
    which a member leaving them out ("still needs the president's signature" beside three
    outlets' "has 15 days to sign") states only in part."""
    origins: dict[FigureKey, set[str]] = {}
    for c in members:
        for k in fact_figures(c):
            origins.setdefault(k, set()).add(c.origin)
    return {k for k, o in origins.items() if len(o) >= 2}


# members whose backing is counted when choosing a group's representative
_REP_CANDIDATES = 8


def witnesses(
    i: int, candidates: Sequence[int], claims: list[Claim], index: SimilarityIndex, facts: float = 0.0
) -> dict[str, tuple[float, int]]:
    """Per other origin, its closest claim among `candidates` that could be cited for claim
    i: close to it (`cite_similarity`), using `cite_words` of its words and giving at least
    `facts` (default `cite_facts`) of its telling figures and names."""
    c = claims[i]
    facts = facts or CITE_FACTS
    best: dict[str, tuple[float, int]] = {}
    for j in candidates:
        other = claims[j]
        if other.origin == c.origin:
            continue
        sim = index.sim(i, j)
        if sim < CITE_SIMILARITY or sim <= best.get(other.origin, (-1.0, -1))[0]:
            continue
        if states(other, c, facts=facts, words=CITE_WORDS):
            best[other.origin] = (sim, j)
    return best


def _retells(i: int, rep: int, claims: list[Claim], index: SimilarityIndex) -> bool:
    """Claim i could be cited for claim `rep` (another article of its origin re-telling it)."""
    return index.sim(rep, i) >= CITE_SIMILARITY and states(claims[i], claims[rep], facts=CITE_FACTS, words=CITE_WORDS)


def _candidates(g: Group, index: SimilarityIndex) -> list[int]:
    """Who may be cited for a group's point: its members, and the claims as close to the
    representative (seeded grouping may have put a paraphrase in a neighbouring group)."""
    return list(dict.fromkeys([*g.members, *(j for j, sim in index.neighbours(g.rep).items() if sim >= CITE_SIMILARITY)]))


def _name_salience(claims: list[Claim]) -> list[float]:
    """How much a claim is about the names many articles mention (Zorin, Azovstal), as a
    share of articles; names in nearly every article (the story's setting) say little."""
    articles = {c.sentence.article_id for c in claims}
    seen: dict[str, set[str]] = {}
    for c in claims:
        for name in c.names:
            seen.setdefault(name, set()).add(c.sentence.article_id)
    n = max(1, len(articles))
    share = {name: len(ids) / n for name, ids in seen.items() if 1 < len(ids) < max(2, 0.8 * n)}
    return [min(1.0, sum(share.get(name, 0.0) for name in c.names)) for c in claims]


def concerns(d: Disagreement, i: int, claims: list[Claim], index: SimilarityIndex) -> bool:
    """Claim i states a disputed value: about the same thing, or the same figure in a
    sentence close to one of the disagreeing ones ("toll has risen to 14")."""
    if d.concerns(claims[i]):
        return True
    return d.states_value(claims[i]) and max(index.sim(i, d.pair[0]), index.sim(i, d.pair[1])) >= 0.25


def same_fact(sim: float, a: Claim, b: Claim) -> bool:
    """Two claims at similarity `sim` state one fact (`briefing.facts.same_fact`, with the
    thresholds of ranking.toml [grouping])."""
    g = RANKING.grouping
    return _same_fact(sim, a, b, similarity=g.similarity, with_facts=g.similarity_with_facts, adding=g.similarity_adding)


def _rep_quality(claim: Claim, centrality: float) -> float:
    """Prefer central, self-contained, fact-bearing sentences of readable length."""
    r = RANKING.representative
    n = len(claim.text.split())
    facts = r.quantity * min(r.quantity_cap, len(telling(claim))) + r.name * min(r.name_cap, len(claim.names))
    readable = r.readable if r.readable_min_words <= n <= r.readable_max_words else 0.0
    return centrality + facts - (r.weak_start if claim.weak_start else 0.0) + readable


def select(
    groups: list[Group],
    claims: list[Claim],
    index: SimilarityIndex,
    k: int,
    origin_sizes: Counter[str],
    *,
    drop_repeats: bool = True,
) -> list[Group]:
    """Greedy pick by score, penalising near-repeats and favouring unheard origins; an
    origin's later points count for less, unless many articles carry that origin. The lead
    comes from the groups backed by the most independent origins (`Group.backed`, within
    `lead_origin_slack`): the most corroborated fact, the most central among them. With
    `drop_repeats`, a group that only repeats a chosen one (the same count of the same
    thing, or a sentence the chosen one holds: `holds`) is never picked, and one that holds a
    chosen one takes its place, keeping its witnesses (`Group.absorbed`); the chain keeps
    them as evidence, since a model rewriting the first may leave the figure out."""
    w = RANKING.select
    chosen: list[Group] = []
    taken: Counter[str] = Counter()
    remaining = [g for g in groups if g.score > RANKING.score.min_score]
    most = max((len(g.backed) for g in remaining), default=0)
    while remaining and len(chosen) < k:
        def value(g: Group) -> float:
            redundancy = max((index.sim(g.rep, c.rep) for c in chosen), default=0.0)
            fresh = w.new_origin_bonus if g.origins - set(taken) else 0.0
            repeat = min(w.same_origin_penalty * taken[o] / max(1, origin_sizes[o]) for o in g.origins)
            known = w.told_penalty * told_share(claims[g.rep], [claims[c.rep] for c in chosen])
            return g.score - w.redundancy_penalty * redundancy - known + fresh - repeat

        pool = remaining if chosen else [g for g in remaining if len(g.backed) >= most - w.lead_origin_slack]
        best = max(pool, key=value)
        held = [k for k, c in enumerate(chosen) if drop_repeats and holds(claims[best.rep], claims[c.rep])]
        if held:
            # it tells a chosen point's fact and more: it takes that place, and the witnesses of
            # the point it holds still back it ("The announcer said the race was cancelled")
            best.absorbed.extend(chosen[k] for k in held)
            best.origins = best.origins.union(*(chosen[k].origins for k in held))
            chosen[held[0]] = best
            for k in reversed(held[1:]):
                del chosen[k]
        else:
            chosen.append(best)
        remaining = [
            g
            for g in remaining
            if g is not best
            and not (drop_repeats and (repeats_point(g.rep, best.rep, claims, index) or holds(claims[best.rep], claims[g.rep])))
        ]
        taken.update(best.origins)
    return chosen


_NAMING = frozenset({"year", "decade", "label"})
FigureKey = tuple[str, float, str]


def _figure_key(f: Figure) -> FigureKey:
    return f.kind, round(f.value, 6), f.unit


def fact_figures(c: Claim) -> frozenset[FigureKey]:
    """A claim's telling figures as comparable keys, less those that date or name (`_NAMING`)."""
    return frozenset(_figure_key(f) for f in telling(c) if f.kind not in _NAMING)


class FigureBacking:
    """The independent origins that give any of claim i's telling figures in a claim on its
    topic (a neighbour at the bar for claims sharing a figure, [grouping]
    similarity_with_facts): "struck at 4:12 a.m." told in four outlets' differently detailed
    sentences is a fact four origins back, though no sentence of theirs states all another
    does, so none can be cited for it. Years, decades and labels date or name rather than
    tell ("the 2026 budget" is in every sentence). Computed per claim when first asked."""

    def __init__(self, claims: list[Claim], index: SimilarityIndex) -> None:
        self.claims, self.index = claims, index
        self._keys: dict[int, frozenset[FigureKey]] = {}
        self._origins: dict[int, frozenset[str]] = {}

    def keys(self, i: int) -> frozenset[FigureKey]:
        if i not in self._keys:
            self._keys[i] = fact_figures(self.claims[i])
        return self._keys[i]

    def __call__(self, i: int) -> frozenset[str]:
        if i not in self._origins:
            bar, mine = RANKING.grouping.similarity_with_facts, self.keys(i)
            self._origins[i] = frozenset({self.claims[i].origin} if mine else ()).union(
                self.claims[j].origin for j, sim in self.index.neighbours(i).items() if sim >= bar and mine & self.keys(j)
            )
        return self._origins[i]


def latest_stated(chosen: list[Group], groups: list[Group], claims: list[Claim], updates: Sequence[Update]) -> list[Group]:
    """A figure that changed is stated at its latest value: a chosen point giving only the
    earlier value (and no chosen point giving the later) gives its place to the group of the
    claim that reported the change (which then notes the earlier value, `update_flags`)."""
    def gives(g: Group, f: Figure) -> bool:
        return any(f.same_value(x) for x in claims[g.rep].figures)

    out = list(chosen)
    for u in updates:
        if any(gives(g, u.new_figure) for g in out):
            continue
        at = next((k for k, g in enumerate(out) if gives(g, u.old_figure)), None)
        newer = next((g for g in groups if u.new in g.members and gives(g, u.new_figure)), None)
        if at is not None and newer is not None and newer not in out:
            out[at] = newer
    return out


def holds(a: Claim, b: Claim) -> bool:
    """a tells b's fact: it uses `repeat_words` of b's content words (b has three or more) and
    gives all b's telling figures and names, so b beside a would tell a reader nothing new.
    When b only tells what someone said, its words are those of what was said: "The
    announcer said the race was cancelled" is held by "Organisers cancelled the race…"."""
    if len(b.stems) < 3 or stated_share(a, b) < 1.0 - 1e-9:
        return False
    share, enough = word_share(a, b), RANKING.select.repeat_words - 1e-9
    if share >= enough:
        return True
    if share < RANKING.select.repeat_words_reported:
        return False
    said = frames_mod.reported(b.text)  # parsed only for the few near misses
    stems = set(content_stems(said)) if said else set()
    return len(stems) >= 2 and len(stems.intersection(a.stems)) / len(stems) >= enough


def repeats(a: Claim, b: Claim) -> bool:
    """Both give one count of one thing ("38,000 vehicles" told in two groups' words)."""
    return repeats_figure(a, b)


def repeats_point(i: int, j: int, claims: list[Claim], index: SimilarityIndex) -> bool:
    """Claim i only repeats claim j: one count of one thing (`repeats`), or a sentence that
    tells no figure or name j lacks and is as close as `repeat_similarity`, or gives one of
    j's figures on its topic ("That was three days after candidates sat the paper on 13 June"
    beside "…the paper, which was originally sat on 13 June")."""
    a, b = claims[i], claims[j]
    if repeats(a, b):
        return True
    if stated_share(b, a) < 1.0 - 1e-9:
        return False
    sim = index.sim(i, j)
    return sim >= RANKING.select.repeat_similarity or (
        sim >= RANKING.grouping.similarity_with_facts and bool(fact_figures(a) & fact_figures(b)))


def support(g: Group, claims: list[Claim], index: SimilarityIndex) -> list[Claim]:
    """One citing claim per origin that states the group's fact: the representative, then
    each other origin's closest witness (`witnesses`), then at most `partial_citations`
    origins that state a part of it (`cite_facts_partial`): a fact others report only in
    part is still not a single source's. Witnesses whose figures are at odds with the
    representative's are left out. Up to `max_citations`."""
    rep = claims[g.rep]
    candidates = _candidates(g, index)
    full = witnesses(g.rep, candidates, claims, index)
    partial = witnesses(g.rep, candidates, claims, index, facts=RANKING.select.cite_facts_partial)
    some = sorted((v for o, v in partial.items() if o not in full), key=lambda t: -t[0])
    chosen = sorted(full.values(), key=lambda t: -t[0]) + some[: RANKING.select.partial_citations]
    # a witness at odds is dropped, and its origin's next-closest claim is not tried: rare
    backing = [i for _, i in chosen if not figures_at_odds(rep, claims[i])]
    out = [claims[i] for i in [g.rep, *backing]]
    for h in g.absorbed:  # a point it holds: that point's citations state part of this one
        cited = {c.origin for c in out}
        out += [c for c in support(h, claims, index) if c.origin not in cited and not figures_at_odds(rep, c)]
    return out[:MAX_CITATIONS]


def corpus_sources(corpus: Corpus) -> list[Source]:
    """The articles as sources, each titled by its headline (never by page furniture)."""
    cleaned = {c.article_id: c for c in corpus.cleaned}
    return [
        Source(
            id=a.id,
            title=headline(a, cleaned[a.id]) if a.id in cleaned else guess_title(a.title or a.text, a.outlet),
            outlet=a.outlet,
            url=a.url,
            published_at=a.published_at,
            origin=corpus.dedup.origins.get(a.id, a.id),
            text=a.text,
        )
        for a in corpus.articles
    ]


def source_labels(sources: list[Source]) -> dict[str, str]:
    """How a reason names a source: its outlet, else its headline."""
    return {s.id: s.outlet or (f"the article “{_short(s.title, 40)}”" if s.title else s.id) for s in sources}


def _short(title: str, n: int = 60) -> str:
    return title if len(title) <= n else title[: n - 1].rstrip() + "…"


def origin_labels(corpus: Corpus, source_labels: dict[str, str]) -> dict[str, str]:
    """A readable name per origin: the outlet whose story it is, or its first article."""
    labels: dict[str, str] = {}
    for a in corpus.articles:
        origin = corpus.dedup.origins.get(a.id, a.id)
        if origin in labels:
            continue
        if origin.startswith("outlet:"):
            key = origin.removeprefix("outlet:")
            name = outlet_name(key)
            labels[origin] = a.outlet if name == key and a.outlet else name
        else:
            labels[origin] = source_labels[a.id]
    return labels


def title(sources: Sequence[Source], points: Sequence[str]) -> str:
    """The briefing's title: the source headline most representative of the top points,
    across independent origins (see `briefing.headlines.briefing_title`)."""
    return briefing_title([(s.title, s.origin) for s in sources], points)
