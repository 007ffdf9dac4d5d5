"""Sentence similarity: TF-IDF over content stems, as a sparse matrix.

Cheap and deterministic; good enough to find the same claim told by two outlets
(shared names and vocabulary) without a model.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse


class SimilarityIndex:
    """Unit TF-IDF vectors of token lists and their pairwise cosines above a floor."""

    def __init__(self, docs: Sequence[Sequence[str]], floor: float = 0.2):
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
        sims = self.vectors.dot(self.vectors.T).tocsr()
        sims.data[sims.data < floor] = 0.0
        sims.eliminate_zeros()
        self.sims = sims
        self._rows: dict[int, dict[int, float]] = {}

    def neighbours(self, i: int) -> dict[int, float]:
        """Indexes similar to item i (itself excluded), with their cosine."""
        row = self._rows.get(i)
        if row is None:
            lo, hi = self.sims.indptr[i], self.sims.indptr[i + 1]
            row = dict(zip(self.sims.indices[lo:hi].tolist(), self.sims.data[lo:hi].tolist()))
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
