"""Ranking metrics on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from tandem.evaluation import metrics as m


def test_recall_counts_every_relevant_document() -> None:
    ranked = ["a", "x", "b", "y", "z", "c"]
    assert m.recall_at(ranked, ["a", "b", "c", "d"], 5) == pytest.approx(2 / 4)
    assert m.recall_at(ranked, ["a", "b", "c", "d"], 10) == pytest.approx(3 / 4)
    assert m.recall_at([], ["a"], 10) == 0.0
    assert m.recall_at(["a"], [], 10) == 0.0


def test_mrr_uses_the_first_relevant_rank_within_k() -> None:
    assert m.mrr_at(["x", "y", "b", "a"], ["a", "b"], 10) == pytest.approx(1 / 3)
    assert m.mrr_at(["a"], ["a"], 10) == 1.0
    assert m.mrr_at(["x"] * 10 + ["a"], ["a"], 10) == 0.0  # rank 11 is outside the cut-off


def test_ndcg_against_the_ideal_ranking() -> None:
    # relevant at ranks 2 and 4, two relevant in total: DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m.ndcg_at(["x", "a", "y", "b"], ["a", "b"], 10) == pytest.approx(expected)
    assert m.ndcg_at(["a", "b"], ["a", "b"], 10) == pytest.approx(1.0)
    # more relevant documents than k: the ideal fills all k slots
    assert m.ndcg_at(["a", "b"], ["a", "b", "c"], 2) == pytest.approx(1.0)
    assert m.ndcg_at(["a", "a"], ["a", "b"], 10) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_precision_counts_missing_results_as_misses() -> None:
    assert m.precision_at(["A", "A", "B"], "A", 5) == pytest.approx(2 / 5)
    assert m.precision_at(["A"] * 7, "A", 5) == 1.0
    assert m.top1(["B", "A"], "A") == 0.0 and m.top1(["A"], "A") == 1.0 and m.top1([], "A") == 0.0


def test_mean_and_percentile() -> None:
    assert m.mean([]) == 0.0 and m.mean([1.0, 2.0]) == 1.5
    assert m.percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert m.percentile([5.0], 95) == 5.0
    assert m.percentile(list(map(float, range(101))), 95) == pytest.approx(95.0)
