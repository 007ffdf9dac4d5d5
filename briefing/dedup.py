"""Dedup stage: drop repeated passages and count independent origins.

Five levels, cheapest first, all near-linear in the size of the pile (no pairwise loops
over articles or passages: candidates come from hashing, then get verified exactly):

1. **exact** — passages equal after normalisation (case, whitespace, punctuation,
   curly or straight quotes): the same sequence of lower-cased word tokens.
2. **near** — MinHash LSH (datasketch `MinHashLSH`) over word 3-gram shingles proposes
   candidates; the exact Jaccard of the two shingle sets decides (>= `threshold`). The
   index is built for `threshold - LSH_SLACK` so borderline pairs reach verification.
3. **internal** — an article repeating itself (aggregator pages paste one story several
   times, and the chunker splits the copies differently): an exact or near copy of an
   earlier passage of the same article, or a passage whose shingles are contained in
   the article's earlier passages at `contained_bar(threshold)` or more.
4. **syndication** — articles whose kept text mostly contains one another (shingle
   containment >= `containment` either way round) share an origin (union-find).
   Candidate pairs come from the passage duplicates above, from passages sharing an
   LSH band, and from content-defined anchors (the 1/8 of shingle values with three
   chosen bits zero, so two copies of a text pick the same anchors however they are
   chunked); anchors or bands shared by more than GROUP_MAX_ARTICLES places are stock
   text and ignored. Every candidate pair is verified with exact set containment. A
   passage contained at `contained_bar` in an earlier candidate article is dropped as
   "near" too (same text, split differently).
   An article that re-tells another sentence by sentence in other words
   (`briefing.rewrites`, read from the articles' sentences) joins its group too.
5. **declared** — an article that says where its story comes from (`briefing.origins`:
   "Source: WSJ", "according to Reuters" in the lead, ...) joins origin `outlet:<key>`;
   so does an article whose own outlet is that outlet (it is the original).

Origin ids: `outlet:<key>` when a group holds an outlet, else the id of the group's
earliest article. Representatives are deterministic: the earliest passage in input
order (article order, then offset) is kept; every drop points at an earlier passage, so
chains always end at a kept one. Kept passages list every dropped copy in `also_in`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHashLSH

try:  # private in datasketch; without it MinHashLSH computes the same bands itself
    from datasketch.lsh import _optimal_param
except ImportError:  # pragma: no cover
    _optimal_param = None
from pydantic import TypeAdapter

from briefing.errors import InputError
from briefing.models import (
    Article,
    DedupResult,
    DuplicateDrop,
    DuplicateKind,
    KeptPassage,
    OriginLink,
    Passage,
)
from briefing.origins import Attribution, attribute, outlet_name
from briefing.rewrites import Rewrite, find_rewrites

_KEPT = TypeAdapter(list[KeptPassage])
_DROPS = TypeAdapter(list[DuplicateDrop])

SHINGLE_WORDS = 3
LSH_SLACK = 0.25  # the index is built for Jaccard threshold - slack; exact Jaccard decides
ANCHOR_BITS = 3  # anchors: shingle values whose 3 chosen bits are zero, 1 in 8
GROUP_MAX_ARTICLES = 20  # an anchor or band in more places than this is stock text, not a story
ANCHOR_MIN_SHARED = 3  # anchors two articles must share to be compared (about 24 shingles)
MIN_SYNDICATION_SHINGLES = 20  # below this an article is too short to call a copy of another
ALL_PAIRS_MAX_ARTICLES = 40  # up to this many articles every pair is checked for a rewrite
_SEED = 1

_WORD = re.compile(r"\w+")
_U64 = np.uint64
_MIX = (_U64(0x9E3779B97F4A7C15), _U64(0xC2B2AE3D27D4EB4F), _U64(0x165667B19E3779F9))


# ---------------------------------------------------------------- hashing



@lru_cache(maxsize=32)
def _lsh_bands(threshold: float, num_perm: int) -> tuple[int, int] | None:
    """(bands, rows) for a threshold; datasketch integrates with scipy on every
    MinHashLSH() call otherwise, a third of a small request's build time."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5) if _optimal_param else None

def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3 finaliser: spreads combined word hashes over all 64 bits."""
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> _U64(33))


def _fmix32(x: np.ndarray) -> np.ndarray:
    """The pre-mix datasketch's 'affine32' scheme applies before its permutations."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    return x ^ (x >> np.uint32(16))


class _Vocabulary(dict[str, int]):
    """Word -> dense id; each distinct word is hashed once, not each occurrence."""

    def __init__(self) -> None:
        super().__init__()
        self.hashes: list[int] = []

    def __missing__(self, word: str) -> int:
        self.hashes.append(
            int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        )
        self[word] = len(self.hashes) - 1
        return self[word]


# ---------------------------------------------------------------- features


@dataclass
class _Features:
    """Shingle sets of every passage, as flat numpy arrays (one segment per passage).

    A set element has a 64-bit shingle `value` and a dense `rank` (equal values, equal
    ranks), which sorts and intersects faster.
    """

    passages: list[Passage]
    article_of: np.ndarray  # passage -> article index
    tokens: np.ndarray  # word ids, all passages concatenated
    token_off: np.ndarray  # passage p's tokens: tokens[token_off[p]:token_off[p+1]]
    values: np.ndarray  # shingle hash per set element
    ranks: np.ndarray  # dense shingle id per set element, sorted within each passage
    owner: np.ndarray  # passage per set element
    set_off: np.ndarray  # passage p's set: [set_off[p], set_off[p+1])
    n_ranks: int

    def set_of(self, p: int) -> np.ndarray:
        return self.ranks[self.set_off[p] : self.set_off[p + 1]]

    def size(self, p: int) -> int:
        return int(self.set_off[p + 1] - self.set_off[p])

    def exact_key(self, p: int) -> bytes:
        words = self.tokens[self.token_off[p] : self.token_off[p + 1]]
        return hashlib.blake2b(words.tobytes(), digest_size=16).digest()


def _segments(counts: np.ndarray) -> np.ndarray:
    """Offsets [0, c0, c0+c1, ...] of consecutive segments with these lengths."""
    off = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    return off


def _tokens(passages: list[Passage]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word ids of every passage, concatenated, with offsets and the id -> hash table."""
    vocab = _Vocabulary()
    lookup = vocab.__getitem__
    counts = np.empty(len(passages), dtype=np.int64)
    ids: list[int] = []
    for i, p in enumerate(passages):
        words = _WORD.findall(p.text.lower())
        counts[i] = len(words)
        ids.extend(map(lookup, words))
    tokens = np.array(ids, dtype=np.int64)
    return tokens, _segments(counts), np.array(vocab.hashes, dtype=np.uint64)


def _features(passages: list[Passage], article_of: np.ndarray) -> _Features:
    """Tokenise every passage once and build its shingle set, vectorised over the pile.

    Word 3-grams; a passage of one or two words is a single shingle of its words.
    """
    tokens, token_off, word_hash = _tokens(passages)
    counts = np.diff(token_off)
    hashes = word_hash[tokens]
    passage_of = np.repeat(np.arange(len(passages), dtype=np.int64), counts)
    # every 3-word window of the concatenation, kept where it does not cross passages
    m0, m1, m2 = _MIX
    value, owner = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    if len(hashes) >= SHINGLE_WORDS:
        inside = passage_of[:-2] == passage_of[2:]
        value = (hashes[:-2] * m0 + hashes[1:-1] * m1 + hashes[2:] * m2)[inside]
        owner = passage_of[:-2][inside]
    # passages of one or two words: one shingle of all their words
    short = np.flatnonzero((counts > 0) & (counts < SHINGLE_WORDS))
    if len(short):
        first = token_off[short]
        second = np.where(
            counts[short] > 1, hashes[np.minimum(first + 1, len(hashes) - 1)], _U64(0)
        )
        value = np.concatenate([value, hashes[first] * m0 + second * m1])
        owner = np.concatenate([owner, short])
    del hashes, passage_of
    uniq, rank = np.unique(_fmix64(value), return_inverse=True)
    del value
    n_ranks = max(len(uniq), 1)
    keys = np.sort(owner * n_ranks + rank.ravel())
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    owner, ranks = keys // n_ranks, keys % n_ranks
    set_off = _segments(np.bincount(owner, minlength=len(passages)))
    return _Features(
        passages, article_of, tokens, token_off, uniq[ranks], ranks, owner, set_off, n_ranks
    )


class _Sketch:
    """A MinHash signature as datasketch's LSH index reads it (hashvalues, scheme, len).

    Signatures are computed in bulk by `_signatures`; building a full `MinHash` object
    per passage only to hand its hashvalues to the index would cost more than the rest.
    """

    __slots__ = ("hashvalues",)
    scheme = "affine32"

    def __init__(self, hashvalues: np.ndarray) -> None:
        self.hashvalues = hashvalues

    def __len__(self) -> int:
        return len(self.hashvalues)


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded affine permutations (odd multipliers, so each is a bijection on 32 bits)."""
    gen = np.random.RandomState(_SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _signatures(feats: _Features, num_perm: int) -> np.ndarray:
    """MinHash signatures of every passage, computed in blocks for the whole pile.

    The construction of datasketch's 'affine32' scheme (fmix32, then h * a + b mod 2^32
    with odd a), without building a `MinHash` object per passage; built here rather than
    read from datasketch so signatures do not depend on the installed version.
    """
    a, b = _permutations(num_perm)
    n = len(feats.passages)
    sigs = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    nonempty = np.flatnonzero(np.diff(feats.set_off) > 0)
    if not len(nonempty):
        return sigs
    block_rows = max(1, 4_000_000 // num_perm)
    starts = feats.set_off[nonempty]
    cut = np.searchsorted(starts, np.arange(0, int(feats.set_off[-1]), block_rows))
    bounds = np.unique(np.r_[cut, len(nonempty)])
    for i, j in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        group = nonempty[i:j]
        lo, hi = int(feats.set_off[group[0]]), int(feats.set_off[group[-1] + 1])
        values = feats.values[lo:hi]
        hv = _fmix32((values ^ (values >> _U64(32))).astype(np.uint32))
        permuted = hv[:, None] * a[None, :] + b[None, :]
        sigs[group] = np.minimum.reduceat(permuted, feats.set_off[group] - lo, axis=0)
    return sigs


@dataclass
class _ArticleSets:
    """Union of the shingle sets of each article's passages (its kept text), by rank."""

    ranks: np.ndarray
    values: np.ndarray
    off: np.ndarray
    owner_passage: np.ndarray  # for each element: the first passage holding it

    def of(self, a: int) -> np.ndarray:
        return self.ranks[self.off[a] : self.off[a + 1]]

    def size(self, a: int) -> int:
        return int(self.off[a + 1] - self.off[a])


def _by_article(feats: _Features, n_articles: int) -> tuple[_ArticleSets, np.ndarray, np.ndarray]:
    """Group set elements by (article, shingle) in one sort; derive two things from it.

    Returns the article sets, and per passage the share of its shingles already seen in
    an earlier passage of its article, with the first passage holding each element.
    """
    article = feats.article_of[feats.owner]
    # elements are in passage order, so a stable sort keeps the earliest passage first
    order = np.argsort(article * feats.n_ranks + feats.ranks, kind="stable")
    s_art, s_rank, s_own = article[order], feats.ranks[order], feats.owner[order]
    head = np.ones(len(order), dtype=bool)
    head[1:] = (s_art[1:] != s_art[:-1]) | (s_rank[1:] != s_rank[:-1])
    first_owner = np.empty(len(order), dtype=np.int64)
    first_owner[order] = s_own[np.flatnonzero(head)[np.cumsum(head) - 1]]
    sizes = np.diff(feats.set_off)
    earlier = np.bincount(feats.owner[first_owner < feats.owner], minlength=len(sizes))
    share = earlier / np.maximum(sizes, 1)
    heads = order[head]
    asets = _ArticleSets(
        s_rank[head],
        feats.values[heads],
        _segments(np.bincount(s_art[head], minlength=n_articles)),
        s_own[head],
    )
    return asets, share, first_owner


# ---------------------------------------------------------------- passage-level dedup


@dataclass
class _Drop:
    target: int
    kind: DuplicateKind
    similarity: float


def _jaccard(x: np.ndarray, y: np.ndarray) -> float:
    inter = len(np.intersect1d(x, y, assume_unique=True))
    return inter / (len(x) + len(y) - inter) if len(x) + len(y) else 1.0


def _mode(values: np.ndarray) -> int:
    """Most frequent value, ties to the smallest (the earliest passage)."""
    uniq, counts = np.unique(values, return_counts=True)
    return int(uniq[np.argmax(counts)])


def _pairs_in_groups(
    groups: np.ndarray, members: np.ndarray, max_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every (earlier, later) pair of members sharing a group value, in groups of 2..max_size.

    Bigger groups are stock text (an ad line, a template phrase) and would make the
    candidate set quadratic; what they would connect meets through other evidence.
    """
    order = np.lexsort((members, groups))
    groups, members = groups[order], members[order]
    bounds = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1], True])
    starts, sizes = bounds[:-1], np.diff(bounds)
    left: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    right: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for size in range(2, max_size + 1):
        heads = starts[sizes == size]
        if len(heads):
            block = members[heads[:, None] + np.arange(size)[None, :]]
            i, j = np.triu_indices(size, 1)
            left.append(block[:, i].ravel())
            right.append(block[:, j].ravel())
    return np.concatenate(left), np.concatenate(right)


@dataclass
class _Bands:
    """Where passages collide in the LSH bands (computed in bulk, same banding as the index)."""

    colliding: np.ndarray  # passage shares at least one band with another passage
    pairs: tuple[np.ndarray, np.ndarray]  # passage pairs sharing a (not too common) band


def _bands(sigs: np.ndarray, hashranges: list[tuple[int, int]]) -> _Bands:
    """Band collisions of all passages at once.

    Only colliding passages can ever be LSH candidates, so the others skip the
    (per-passage, pure-Python) index entirely; on a typical pile that is most of them.
    The colliding pairs also propose article pairs for the syndication check.
    """
    colliding = np.zeros(len(sigs), dtype=bool)
    passages = np.arange(len(sigs), dtype=np.int64)
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for start, end in hashranges:
        band = np.zeros(len(sigs), dtype=np.uint64)
        for k in range(start, end):
            band = _fmix64(band * _MIX[0] + sigs[:, k].astype(np.uint64))
        _, inverse, counts = np.unique(band, return_inverse=True, return_counts=True)
        shared = counts[inverse.ravel()] > 1
        colliding |= shared
        x, y = _pairs_in_groups(band[shared], passages[shared], GROUP_MAX_ARTICLES)
        left.append(x)
        right.append(y)
    empty = np.zeros(0, dtype=np.int64)
    return _Bands(colliding, (np.concatenate(left or [empty]), np.concatenate(right or [empty])))


def contained_bar(threshold: float) -> float:
    """Containment that counts as a repeat: what two equal-length sets have at Jaccard `threshold`.

    Keeps the containment rules exactly as strict as the Jaccard rule for passages of
    equal length (0.8 -> 0.889), while still catching copies split differently.
    """
    return 2 * threshold / (1 + threshold)


def _passage_drops(
    feats: _Features,
    share: np.ndarray,
    first_owner: np.ndarray,
    *,
    threshold: float,
    num_perm: int,
) -> tuple[dict[int, _Drop], _Bands]:
    """Levels 1-3 in one pass in input order: exact, internal containment, near (LSH)."""
    bar = contained_bar(threshold)
    sigs = _signatures(feats, num_perm)
    lsh_threshold = max(0.1, threshold - LSH_SLACK)
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm, params=_lsh_bands(lsh_threshold, num_perm))
    bands = _bands(sigs, lsh.hashranges)
    colliding = bands.colliding
    same_article = feats.article_of
    exact: dict[bytes, int] = {}
    drops: dict[int, _Drop] = {}
    for p in range(len(feats.passages)):
        size = feats.size(p)
        if size == 0:
            continue  # no words: nothing to compare
        key = feats.exact_key(p)
        first = exact.setdefault(key, p)
        if first != p:
            kind: DuplicateKind = "internal" if same_article[first] == same_article[p] else "exact"
            drops[p] = _Drop(first, kind, 1.0)
            continue
        if share[p] >= bar:
            holders = first_owner[feats.set_off[p] : feats.set_off[p + 1]]
            drops[p] = _Drop(_mode(holders[holders < p]), "internal", round(float(share[p]), 4))
            continue
        if not colliding[p]:
            continue  # shares no LSH band with any passage: the index could not match it
        sketch = _Sketch(sigs[p])
        best: tuple[float, int] | None = None
        for q in lsh.query(sketch):
            sim = _jaccard(feats.set_of(p), feats.set_of(q))
            if sim >= threshold and (best is None or (sim, -q) > (best[0], -best[1])):
                best = (sim, q)
        if best is not None:
            kind = "internal" if same_article[best[1]] == same_article[p] else "near"
            drops[p] = _Drop(best[1], kind, round(best[0], 4))
            continue
        lsh.insert(p, sketch, check_duplication=False)
    return drops, bands


# ---------------------------------------------------------------- article-level containment


def _anchor_pairs(asets: _ArticleSets, n_articles: int) -> set[tuple[int, int]]:
    """Article pairs sharing enough anchor shingles that are rare in the pile.

    Enough is ANCHOR_MIN_SHARED, or half the anchors of the smaller article when it has
    few (a short article still finds the long one it was cut from).
    """
    mask = _U64((1 << ANCHOR_BITS) - 1)
    is_anchor = ((asets.values >> _U64(29)) & mask) == 0
    owners = np.repeat(np.arange(n_articles, dtype=np.int64), np.diff(asets.off))
    anchors = np.bincount(owners[is_anchor], minlength=n_articles)
    x, y = _pairs_in_groups(asets.ranks[is_anchor], owners[is_anchor], GROUP_MAX_ARTICLES)
    if not len(x):
        return set()
    codes, shared = np.unique(x * n_articles + y, return_counts=True)
    x, y = codes // n_articles, codes % n_articles
    needed = np.minimum(ANCHOR_MIN_SHARED, np.maximum(1, np.minimum(anchors[x], anchors[y]) // 2))
    keep = shared >= needed
    return set(zip(x[keep].tolist(), y[keep].tolist(), strict=True))


@dataclass(frozen=True)
class _Overlap:
    shared: int
    first_in_second: float  # share of the earlier article's text found in the later one
    second_in_first: float


def _overlaps(asets: _ArticleSets, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], _Overlap]:
    """Exact shingle containment for each candidate pair (earlier, later)."""
    result: dict[tuple[int, int], _Overlap] = {}
    for x, y in sorted(pairs):
        sx, sy = asets.size(x), asets.size(y)
        if not sx or not sy:
            continue
        shared = len(np.intersect1d(asets.of(x), asets.of(y), assume_unique=True))
        if shared:
            result[(x, y)] = _Overlap(shared, shared / sx, shared / sy)
    return result


def _contained_drops(
    feats: _Features,
    asets: _ArticleSets,
    overlaps: dict[tuple[int, int], _Overlap],
    drops: dict[int, _Drop],
    threshold: float,
) -> None:
    """Drop kept passages contained (see `contained_bar`) in an earlier overlapping article."""
    bar = contained_bar(threshold)
    sizes = np.diff(feats.set_off)
    passages_of = _segments(np.bincount(feats.article_of, minlength=len(asets.off) - 1))
    best: dict[int, tuple[float, int]] = {}  # passage -> (containment, earlier article)
    for (x, y), overlap in overlaps.items():
        lo, hi = int(passages_of[y]), int(passages_of[y + 1])
        kept = [p for p in range(lo, hi) if p not in drops and sizes[p]]
        if not kept or overlap.shared < bar * min(sizes[p] for p in kept):
            continue
        elo, ehi = int(feats.set_off[lo]), int(feats.set_off[hi])
        found, _ = _lookup(asets.of(x), feats.ranks[elo:ehi])
        owner = np.repeat(np.arange(hi - lo), sizes[lo:hi])
        hits = np.bincount(owner[found], minlength=hi - lo)
        for p in kept:
            share = float(hits[p - lo] / sizes[p])
            if share >= bar and (p not in best or (share, -x) > (best[p][0], -best[p][1])):
                best[p] = (share, x)
    for p, (share, x) in sorted(best.items()):
        found, idx = _lookup(asets.of(x), feats.set_of(p))
        holder = asets.owner_passage[asets.off[x] + idx[found]]
        drops[p] = _Drop(_mode(holder), "near", round(share, 4))


def _lookup(sorted_values: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which `values` occur in `sorted_values`, and where (a faster np.isin for sorted sets)."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=np.int64)
    idx = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[idx] == values, idx


# ---------------------------------------------------------------- origins


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        if parent != x:
            parent = self.parent[x] = self.find(parent)
        return parent

    def union(self, x: str, y: str) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[ry] = rx


@dataclass(frozen=True)
class _Edge:
    partner: str
    share: float  # of this article's text found in the partner
    reverse: float  # of the partner's text found in this article
    retold: str = ""  # for a rewrite: "7 of 9", the sentences re-told in order


def _syndication_evidence(edge: _Edge, containment: float) -> str:
    """Say it the way round that passed the bar, preferring 'its text is in'."""
    if edge.retold:
        return f"{edge.retold} sentences re-told in order, in other words, with {edge.partner}"
    if edge.share >= containment or edge.share >= edge.reverse:
        return f"{edge.share:.0%} of its text is in {edge.partner}"
    return f"it contains {edge.reverse:.0%} of the text of {edge.partner}"


@dataclass
class _Syndication:
    """Containment groups of articles: who is a copy, and of what."""

    groups: _UnionFind
    edges: dict[str, list[_Edge]]
    head: dict[str, str]  # group root -> earliest member, which stands for the group

    def is_copy(self, article_id: str) -> bool:
        return self.head[self.groups.find(article_id)] != article_id


def _syndication(
    ids: list[str],
    asets: _ArticleSets,
    overlaps: dict[tuple[int, int], _Overlap],
    containment: float,
    rewrites: Sequence[Rewrite] = (),
) -> _Syndication:
    """Level 4: union articles whose text mostly contains one another, either way round,
    and articles one of which re-tells the other (`rewrites`)."""
    groups = _UnionFind()
    edges: dict[str, list[_Edge]] = {}
    for r in rewrites:
        original, copy, retold = ids[r.original], ids[r.copy], f"{r.matched} of {r.sentences}"
        groups.union(original, copy)
        edges.setdefault(copy, []).append(_Edge(original, 0.0, 0.0, retold))
        edges.setdefault(original, []).append(_Edge(copy, 0.0, 0.0, retold))
    for (x, y), o in overlaps.items():
        if min(asets.size(x), asets.size(y)) < MIN_SYNDICATION_SHINGLES:
            continue
        if max(o.first_in_second, o.second_in_first) >= containment:
            groups.union(ids[x], ids[y])
            edges.setdefault(ids[y], []).append(_Edge(ids[x], o.second_in_first, o.first_in_second))
            edges.setdefault(ids[x], []).append(_Edge(ids[y], o.first_in_second, o.second_in_first))
    head: dict[str, str] = {}
    for article_id in ids:
        head.setdefault(groups.find(article_id), article_id)
    return _Syndication(groups, edges, head)


def _outlet_of(attr: Attribution, is_copy: bool) -> str | None:
    """Level 5: the outlet an article's story comes from, if the text says.

    A declared source wins. Otherwise the article's own outlet, unless the article is a
    copy of an earlier one: a reprint's publisher is not where the story comes from.
    """
    if attr.declaration is not None:
        return attr.declaration.outlet
    return None if is_copy else attr.outlet


def _origin_ids(ids: list[str], synd: _Syndication, outlets: dict[str, str]) -> dict[str, str]:
    """Union syndication groups with outlet nodes; name each group.

    A group holding outlets is 'outlet:<key>' (the outlet most of its articles point at,
    ties to the earliest); otherwise it is named after its earliest article.
    """
    uf = _UnionFind()
    for article_id in ids:
        uf.union(synd.groups.find(article_id), article_id)
        if article_id in outlets:
            uf.union(article_id, "outlet:" + outlets[article_id])
    name: dict[str, str] = {}
    votes: dict[str, Counter[str]] = {}
    for article_id in ids:
        root = uf.find(article_id)
        name.setdefault(root, article_id)
        if article_id in outlets:
            votes.setdefault(root, Counter())[outlets[article_id]] += 1
    for root, tally in votes.items():
        name[root] = "outlet:" + tally.most_common(1)[0][0]  # Counter keeps first-seen order
    return {article_id: name[uf.find(article_id)] for article_id in ids}


def _link(
    article_id: str,
    origin: str,
    attr: Attribution,
    synd: _Syndication,
    position: dict[str, int],
    containment: float,
) -> OriginLink:
    """Why this article belongs to its origin: declared > syndicated copy > self."""
    if attr.declaration is not None:
        return OriginLink(
            article_id=article_id, origin=origin, kind="declared", evidence=attr.declaration.phrase
        )
    if synd.is_copy(article_id):
        edges = synd.edges[article_id]
        earlier = [e for e in edges if position[e.partner] < position[article_id]] or edges
        edge = max(earlier, key=lambda e: (not e.retold, max(e.share, e.reverse), -position[e.partner]))
        return OriginLink(
            article_id=article_id,
            origin=origin,
            kind="syndicated",
            evidence=_syndication_evidence(edge, containment),
        )
    return OriginLink(
        article_id=article_id, origin=origin, kind="self", evidence=_self_evidence(attr)
    )


def _origins(
    articles: Sequence[Article],
    asets: _ArticleSets,
    overlaps: dict[tuple[int, int], _Overlap],
    containment: float,
    attributions: list[Attribution],
    rewrites: Sequence[Rewrite] = (),
) -> tuple[dict[str, str], list[OriginLink]]:
    """Levels 4-5: origin id of every article, and one link per article saying why."""
    ids = [a.id for a in articles]
    synd = _syndication(ids, asets, overlaps, containment, rewrites)
    outlets = {
        a.article_id: key
        for a in attributions
        if (key := _outlet_of(a, synd.is_copy(a.article_id))) is not None
    }
    origins = _origin_ids(ids, synd, outlets)
    position = {article_id: i for i, article_id in enumerate(ids)}
    links = [
        _link(article_id, origins[article_id], attr, synd, position, containment)
        for article_id, attr in zip(ids, attributions, strict=True)
    ]
    return origins, links


def _self_evidence(attr: Attribution) -> str:
    if attr.outlet is not None:
        return f"published by {outlet_name(attr.outlet)} ({attr.outlet_evidence})"
    return "no declared source and not a copy of an earlier article"


# ---------------------------------------------------------------- public API


def _ordered(
    articles: Sequence[Article], passages: Sequence[Passage]
) -> tuple[list[Passage], np.ndarray]:
    """Passages in input order (article order, then offset), each id once."""
    index = {a.id: i for i, a in enumerate(articles)}
    if len(index) != len(articles):
        raise InputError("article ids must be unique for dedup")
    unknown = sorted({p.article_id for p in passages} - index.keys())
    if unknown:
        raise InputError(f"passages name unknown articles: {', '.join(unknown[:5])}")
    unique = {p.id: p for p in reversed(passages)}
    ordered = sorted(unique.values(), key=lambda p: (index[p.article_id], p.start, p.end))
    return ordered, np.array([index[p.article_id] for p in ordered], dtype=np.int64)


def _article_pairs(article_of: np.ndarray, x: np.ndarray, y: np.ndarray) -> set[tuple[int, int]]:
    """Distinct (earlier, later) article pairs of passage pairs from different articles."""
    ax, ay = article_of[x], article_of[y]
    lo, hi = np.minimum(ax, ay), np.maximum(ax, ay)
    cross = lo != hi
    return set(zip(lo[cross].tolist(), hi[cross].tolist(), strict=True))


def _resolve(drops: dict[int, _Drop]) -> dict[int, int]:
    """Follow each drop to the kept passage its chain ends at (targets are always earlier)."""
    final: dict[int, int] = {}
    for p in sorted(drops):
        target = drops[p].target
        final[p] = final.get(target, target)
    return final


def deduplicate(
    articles: Sequence[Article],
    passages: Sequence[Passage],
    *,
    threshold: float = 0.8,
    containment: float = 0.6,
    num_perm: int = 64,
    sentences: Sequence[Sequence[Passage]] | None = None,
) -> DedupResult:
    """Drop repeated passages and group articles into independent origins (see module doc).
    `sentences` (per article, in order) lets level 4 find rewritten copies."""
    if not 0.0 < threshold <= 1.0 or not 0.0 < containment <= 1.0:
        raise ValueError("threshold and containment must be in (0, 1]")
    ordered, article_of = _ordered(articles, passages)
    feats = _features(ordered, article_of)
    asets, share, first_owner = _by_article(feats, len(articles))
    drops, bands = _passage_drops(feats, share, first_owner, threshold=threshold, num_perm=num_perm)
    pairs = _anchor_pairs(asets, len(articles))
    pairs |= _article_pairs(article_of, *bands.pairs)
    targets = np.array([d.target for d in drops.values()], dtype=np.int64)
    pairs |= _article_pairs(article_of, targets, np.array(list(drops), dtype=np.int64))
    overlaps = _overlaps(asets, pairs)
    _contained_drops(feats, asets, overlaps, drops, threshold)

    final = _resolve(drops)
    also_in: dict[int, list[dict[str, object]]] = {}
    duplicates: list[dict[str, object]] = []
    for p in sorted(final):
        passage, kept = ordered[p], final[p]
        also_in.setdefault(kept, []).append(
            {"article_id": passage.article_id, "start": passage.start, "end": passage.end}
        )
        duplicates.append(
            {
                "passage": passage,
                "duplicate_of": ordered[kept].id,
                "kind": drops[p].kind,
                "similarity": drops[p].similarity,
            }
        )
    kept_passages = [
        {
            "id": p.id,
            "article_id": p.article_id,
            "start": p.start,
            "end": p.end,
            "text": p.text,
            "also_in": also_in.get(i, []),
        }
        for i, p in enumerate(ordered)
        if i not in final
    ]
    rewrites: list[Rewrite] = []
    if sentences is not None:
        n = len(articles)
        candidates = pairs if n > ALL_PAIRS_MAX_ARTICLES else {(x, y) for x in range(n) for y in range(x + 1, n)}
        rewrites = find_rewrites(sentences, candidates)
    origins, links = _origins(articles, asets, overlaps, containment, attribute(articles), rewrites)
    # one bulk validation instead of 10^5 model constructions
    return DedupResult(
        passages=_KEPT.validate_python(kept_passages),
        duplicates=_DROPS.validate_python(duplicates),
        origins=origins,
        links=links,
    )
