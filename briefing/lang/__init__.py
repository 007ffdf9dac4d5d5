"""The language layer: one parser (spaCy), one lexicon, shared by claims, conflicts, flags,
the checker and the digest clustering."""
