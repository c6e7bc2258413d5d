"""Ranking metrics, one query at a time; `mean` averages them over a suite.

Relevance is binary. Missing results count as misses: a system that returns 3 tickets is judged on 5
slots for precision@5, exactly like one that returns 5 tickets of which 2 are wrong.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the relevant ids found in the top k (0 when nothing is relevant)."""
    wanted = set(relevant)
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def mrr_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """1 / rank of the first relevant id within the top k, else 0."""
    wanted = set(relevant)
    for rank, item in enumerate(ranked[:k], start=1):
        if item in wanted:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Binary-gain nDCG@k: DCG of the ranking over the DCG of the best possible one (all relevant first)."""
    wanted = set(relevant)
    if not wanted:
        return 0.0
    seen: set[str] = set()
    dcg = 0.0
    for rank, item in enumerate(ranked[:k], start=1):
        if item in wanted and item not in seen:  # a repeated id earns nothing the second time
            dcg += 1.0 / math.log2(rank + 1)
        seen.add(item)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(wanted)) + 1))
    return dcg / ideal


def precision_at(labels: Sequence[str | None], target: str, k: int) -> float:
    """Share of the k slots holding a result whose label equals `target`."""
    return sum(1 for label in labels[:k] if label == target) / k


def top1(labels: Sequence[str | None], target: str) -> float:
    return 1.0 if labels and labels[0] == target else 0.0


def mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between the closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
