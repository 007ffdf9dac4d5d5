"""Sentence similarity: TF-IDF over content stems, as a sparse matrix.

Cheap and deterministic; good enough to find the same claim told by two outlets
(shared names and vocabulary) without a model. The product is computed a block of rows
at a time; with `k`, only each item's nearest neighbours are kept, so memory is O(n·k),
not O(n²): sentences that all share words (one sentence repeated 70,000 times) once
asked for 50 GiB.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse


# Most similar items kept per item (besides itself) by the offline engine's sentence index.
# Grouping and conflict search only look at neighbours; real stories have at most ~12 above
# the floor per sentence. Lower saves memory and time on repetitive input; too low could
# miss a claim's twin among near-identical repeats.
MAX_NEIGHBOURS = 50
_BLOCK_ROWS = 256  # rows multiplied at once: bounds the transient product to 256 × n


class SimilarityIndex:
    """Unit TF-IDF vectors of token lists and their cosines above a floor: all of them, or
    with `k` each item's k nearest neighbours (a pair is kept when either side keeps it, so
    sim stays symmetric)."""

    def __init__(self, docs: Sequence[Sequence[str]], floor: float = 0.2, k: int | None = None):
        vocab: dict[str, int] = {}
        indptr, cols, vals = [0], [], []
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
        self.sims = _nearest(self.vectors, floor, k)
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

    def centrality(self, groups: Sequence[int]) -> np.ndarray:
        """Cosine of each item to a centroid in which every group (e.g. article) weighs the same."""
        _, labels, sizes = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
        weights = 1.0 / (sizes[labels] * len(sizes))  # the mean of the groups' means
        centroid = np.asarray(self.vectors.T.dot(weights)).ravel()
        norm = np.linalg.norm(centroid) or 1.0
        return np.asarray(self.vectors.dot(centroid / norm)).ravel()


def _nearest(vectors: sparse.csr_matrix, floor: float, k: int | None) -> sparse.csr_matrix:
    """Cosines >= floor; with k, each row's k+1 largest (itself included), made symmetric."""
    n = vectors.shape[0]
    transposed = vectors.T.tocsc()
    blocks = []
    for lo in range(0, n, _BLOCK_ROWS):
        block = vectors[lo : lo + _BLOCK_ROWS].dot(transposed).tocsr()
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
