"""Sentence similarity as a sparse matrix of cosines: lexical (TF-IDF over content stems)
and semantic (sentence embeddings blended with the lexical cosine).

TF-IDF is cheap and deterministic and finds one claim told in shared words; embeddings find
it told in other words ("killed three" / "the bodies of three people"), which is what
corroboration across outlets needs. Products are computed a block of rows at a time; with
`k`, only each item's nearest neighbours are kept, so memory is O(n·k), not O(n²):
sentences that all share words (one sentence repeated 70,000 times) once asked for 50 GiB.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse


# Most similar items kept per item (besides itself) by the offline engine's sentence index.
# Grouping and conflict search only look at neighbours; real stories have at most ~12 above
# the floor per sentence. Lower saves memory and time on repetitive input; too low could
# miss a claim's twin among near-identical repeats.
MAX_NEIGHBOURS = 50
_BLOCK_ROWS = 256
# sentences' worth of weight on "no centring" when centring a small set (see SemanticIndex):
# two identical sentences stay identical, a story's ten sentences are centred 91%
CENTRE_PRIOR = 1.0


class SimilarityIndex:
    """Unit TF-IDF vectors of token lists and their cosines above a floor: all of them, or
    with `k` each item's k nearest neighbours (a pair is kept when either side keeps it, so
    sim stays symmetric)."""

    def __init__(self, docs: Sequence[Sequence[str]], floor: float = 0.2, k: int | None = None):
        vocab: dict[str, int] = {}
        indptr: list[int] = [0]
        cols: list[int] = []
        vals: list[float] = []
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        n = max(1, len(docs))
        idf = {tok: math.log((1 + n) / (1 + count)) + 1 for tok, count in df.items()}
        for doc in docs:  # rows built in CSR order, each already of unit length
            weights = {
                vocab.setdefault(tok, len(vocab)): (1 + math.log(tf)) * idf[tok]
                for tok, tf in Counter(doc).items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            cols.extend(weights)
            vals.extend(w / norm for w in weights.values())
            indptr.append(len(cols))
        self.vectors = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), np.asarray(cols, dtype=np.int32), indptr),
            shape=(len(docs), max(1, len(vocab))),
        )
        transposed = self.vectors.T.tocsc()
        self.sims = _nearest(lambda lo, hi: self.vectors[lo:hi].dot(transposed).tocsr(), len(docs), floor, k)
        self._rows: dict[int, dict[int, float]] = {}

    def neighbours(self, i: int) -> dict[int, float]:
        """Indexes similar to item i (itself excluded), with their cosine."""
        row = self._rows.get(i)
        if row is None:
            lo, hi = self.sims.indptr[i], self.sims.indptr[i + 1]
            row = dict(zip(self.sims.indices[lo:hi].tolist(), self.sims.data[lo:hi].tolist(), strict=True))
            row.pop(i, None)
            self._rows[i] = row
        return row

    def sim(self, i: int, j: int) -> float:
        """Cosine of items i and j (0.0 below the floor); 1.0 for an item with itself."""
        return 1.0 if i == j else self.neighbours(i).get(j, 0.0)

    def centrality(self, groups: Sequence[str] | Sequence[int]) -> np.ndarray:
        """Cosine of each item to a centroid in which every group (e.g. article) weighs the same."""
        centroid = np.asarray(self.vectors.T.dot(_balanced_weights(groups))).ravel()
        return np.asarray(self.vectors.dot(_unit(centroid))).ravel()


class SemanticIndex(SimilarityIndex):
    """Unit sentence embeddings blended with a lexical index: cosine = `weight` × embedding
    cosine + (1 − `weight`) × the lexical cosine (0 below its floor). Same interface as
    `SimilarityIndex`, so grouping, selection and citing read either.

    Pair cosines use the embeddings centred on the set's mean: sentences about one story
    share its topic, which alone makes averaged word vectors look alike; what is left tells
    one fact from another. A small set's mean is mostly its own sentences (two sentences
    centred on their mean point opposite ways), so the mean is subtracted in proportion
    n / (n + CENTRE_PRIOR). Centrality uses them uncentred (how much a sentence is about
    the story is exactly that shared part)."""

    def __init__(
        self, embeddings: np.ndarray, lexical: SimilarityIndex, *, weight: float, floor: float, k: int | None = None
    ) -> None:
        self.embeddings = np.asarray(embeddings, dtype=np.float32)
        self.lexical = lexical
        self.weight = weight
        n = self.embeddings.shape[0]
        shrink = n / (n + CENTRE_PRIOR)  # a few sentences are no background: centre them less
        centred = self.embeddings - shrink * self.embeddings.mean(axis=0)
        centred /= np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-6)

        def block(lo: int, hi: int) -> sparse.csr_matrix:
            dense = weight * (centred[lo:hi] @ centred.T)
            dense += (1.0 - weight) * lexical.sims[lo:hi].toarray()
            dense[dense < floor] = 0.0
            return sparse.csr_matrix(dense)

        self.sims = _nearest(block, n, floor, k)
        self._rows = {}

    def centrality(self, groups: Sequence[str] | Sequence[int]) -> np.ndarray:
        """The blend of the embedding and lexical cosines to a centroid in which every group
        (e.g. article) weighs the same."""
        semantic = self.embeddings @ _unit(balanced_mean(self.embeddings, groups))
        return self.weight * semantic + (1.0 - self.weight) * self.lexical.centrality(groups)


def balanced_mean(vectors: np.ndarray, groups: Sequence[str] | Sequence[int]) -> np.ndarray:
    """The mean of the groups' mean rows (every group weighs the same, however many rows)."""
    return np.asarray(_balanced_weights(groups) @ vectors).ravel()


def _balanced_weights(groups: Sequence[str] | Sequence[int]) -> np.ndarray:
    """A weight per row such that the weighted sum is the mean of the groups' means."""
    _, labels, sizes = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    return 1.0 / (sizes[labels] * len(sizes))


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _nearest(
    product: Callable[[int, int], sparse.csr_matrix], n: int, floor: float, k: int | None
) -> sparse.csr_matrix:
    """Cosines >= floor (`product(lo, hi)` gives rows lo..hi against all); with k, each
    row's k+1 largest (itself included), made symmetric."""
    blocks = []
    for lo in range(0, n, _BLOCK_ROWS):
        block = product(lo, min(n, lo + _BLOCK_ROWS))
        block.data[block.data < floor] = 0.0
        block.eliminate_zeros()
        if k is None:
            blocks.append(block)
            continue
        for r in np.flatnonzero(np.diff(block.indptr) > k + 1):
            a, b = block.indptr[r], block.indptr[r + 1]
            row = block.data[a:b]
            row[np.argpartition(-row, k + 1)[k + 1 :]] = 0.0  # all but the k+1 largest
        block.eliminate_zeros()
        blocks.append(block)
    sims = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, 0), dtype=np.float32)
    if k is None:
        return sims
    # a pair kept by one side only is added from that side, values left as computed
    mirror = sims.T.tocsr()
    present = sims.copy()
    present.data[:] = 1.0
    missing = (mirror - mirror.multiply(present)).tocsr()
    missing.eliminate_zeros()
    return (sims + missing).tocsr() if missing.nnz else sims
