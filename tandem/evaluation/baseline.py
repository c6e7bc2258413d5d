"""The reference row: plain bm25s over whole documents, with bm25s' own tokenizer and English stopwords.

No chunking, query analysis, stemming, dense model or re-ranking: it shows what the rest of the system buys.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np


class PlainBm25:
    def __init__(self, texts: Sequence[str]) -> None:
        self._size = len(texts)
        self._bm25 = bm25s.BM25()
        self._bm25.index(
            bm25s.tokenize(list(texts), stopwords="en", show_progress=False), show_progress=False
        )

    def top(self, query: str, k: int) -> list[int]:
        """Positions of the k best documents, best first (documents scoring 0 are left out)."""
        scores = self._scores(query)
        if scores is None:
            return []
        order = np.argsort(-scores, kind="stable")[:k]
        return [int(i) for i in order if scores[i] > 0]

    def best_score(self, query: str) -> float:
        """The best document's raw BM25 score (0.0 when no query word is in the index)."""
        scores = self._scores(query)
        return float(scores.max()) if scores is not None and len(scores) else 0.0

    def _scores(self, query: str) -> np.ndarray | None:
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)[0]
        ids = self._bm25.get_tokens_ids(tokens)
        if not ids:
            return None
        return self._bm25.get_scores_from_ids(ids)
