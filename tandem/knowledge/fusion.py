"""Scores that mean the same thing for every query: lexical evidence in [0, 1], dense cosine, their fusion.

Raw BM25 grows with the length of the query, so neither a fusion weight nor the responder's confidence could
be set once for short questions and long e-mails alike. `NormalizedBm25` divides by the most the query could
score; `fuse` mixes that with the cosine similarity.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import bm25s
import numpy as np

K1 = 1.5  # bm25s defaults (Lucene variant); the normaliser below depends on them
B = 0.75


class NormalizedBm25:
    """bm25s over pre-analyzed token lists; scores are in [0, 1) and comparable across queries.

    lexical = bm25 / (sum of the idf of every query token)

    bm25s' Lucene scoring gives a term idf * tf / (tf + k1 * (1 - b + b * len / avglen)), which stays below
    idf however often the term occurs, so the sum of the query's idf is a true ceiling. One occurrence of
    every query word in an average-length document scores 1 / (1 + k1) = 0.4; frequent words count little
    because their idf is small. A word the index has never seen counts with the highest idf: a message whose
    telling words are absent from the knowledge ("lasagna recipes") scores low however well "good" matches.
    """

    def __init__(self, documents: Sequence[list[str]]) -> None:
        self._size = len(documents)
        self._bm25: bm25s.BM25 | None = None
        self._idf: dict[str, float] = {}
        self._unseen_idf = 0.0
        if any(documents):  # bm25s cannot index an empty corpus (or one without a single token)
            self._bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
            self._bm25.index(list(documents), show_progress=False)
            df = Counter(token for doc in documents for token in set(doc))
            n = len(documents)
            self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
            self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)

    def __len__(self) -> int:
        return self._size

    def scores(self, tokens: Sequence[str]) -> np.ndarray | None:
        """One score in [0, 1) per document, or None when no query token is in the index."""
        if self._bm25 is None:
            return None
        known = [t for t in tokens if t in self._idf]
        if not known:
            return None
        raw = self._bm25.get_scores_from_ids(self._bm25.get_tokens_ids(known))
        ceiling = sum(self._idf.get(t, self._unseen_idf) for t in tokens)
        return (raw / ceiling).astype(np.float32)


def fuse(lexical: np.ndarray | None, cosine: np.ndarray | None, dense_weight: float) -> np.ndarray | None:
    """Convex combination (1 - w) * lexical + w * max(cosine, 0), in [0, 1].

    A convex mix of two calibrated scores (rather than reciprocal-rank fusion) keeps an absolute meaning,
    which the responder's confidence and an abstention threshold need; RRF only orders, and measured no
    better here.
    Either side may be missing (no known word; no embedder): the other one alone is then the score, scaled by
    its weight, so a purely dense match cannot look as certain as one both signals agree on.
    """
    if lexical is None and cosine is None:
        return None
    total = np.zeros(len(lexical if lexical is not None else cosine), dtype=np.float32)  # type: ignore[arg-type]
    if lexical is not None:
        total += (1.0 - dense_weight) * lexical
    if cosine is not None:
        total += dense_weight * np.clip(cosine, 0.0, 1.0)
    return total


def category_votes(
    scores: np.ndarray, categories: Sequence[str | None], temperature: float
) -> dict[str, float]:
    """Share of the neighbours' vote per category: softmax((score - best) / temperature), summed by category.

    The temperature sets how fast a neighbour's vote fades as it gets less similar than the best one: several
    near-equal neighbours of one category outvote a single slightly better neighbour of another.
    """
    if len(scores) == 0:
        return {}
    weights = np.exp((scores - scores.max()) / temperature)
    votes: dict[str, float] = {}
    for weight, category in zip(weights, categories, strict=True):
        if category is not None:
            votes[category] = votes.get(category, 0.0) + float(weight)
    total = sum(votes.values())
    return {c: v / total for c, v in votes.items()} if total > 0 else {}
