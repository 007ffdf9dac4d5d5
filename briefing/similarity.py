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
        rows, cols, vals = [], [], []
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        n = max(1, len(docs))
        for i, doc in enumerate(docs):
            counts = Counter(doc)
            for tok, tf in counts.items():
                j = vocab.setdefault(tok, len(vocab))
                rows.append(i)
                cols.append(j)
                vals.append((1 + math.log(tf)) * (math.log((1 + n) / (1 + df[tok])) + 1))
        matrix = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(len(docs), max(1, len(vocab)))
        )
        norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1
        norms[norms == 0] = 1.0
        self.vectors = sparse.diags(1.0 / norms).dot(matrix).tocsr()
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
        labels = np.asarray(groups)
        centroids = []
        for g in np.unique(labels):
            block = self.vectors[labels == g]
            centroids.append(np.asarray(block.mean(axis=0)).ravel())
        centroid = np.mean(centroids, axis=0)
        norm = np.linalg.norm(centroid) or 1.0
        return np.asarray(self.vectors.dot(centroid / norm)).ravel()
