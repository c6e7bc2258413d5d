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


def test_auroc_counts_the_pairs_a_positive_wins() -> None:
    assert m.auroc([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 1.0
    assert m.auroc([0.8, 0.9, 0.1, 0.2], [False, False, True, True]) == 0.0
    # positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 wins one pair of two, 0.8 both: 3 / 4
    assert m.auroc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    # a tie counts one half: 0.5 ties the negative 0.5 and beats 0.2: (0.5 + 1) / 2
    assert m.auroc([0.5, 0.5, 0.2], [True, False, False]) == pytest.approx(0.75)
    assert m.auroc([0.3, 0.3, 0.3, 0.3], [True, False, True, False]) == pytest.approx(0.5)
    # one class missing: nothing to rank
    assert m.auroc([0.1, 0.9], [True, True]) == 0.5 and m.auroc([], []) == 0.5
    with pytest.raises(ValueError):
        m.auroc([0.1], [True, False])


def test_precision_recall_f1_of_the_positive_class() -> None:
    # TP 2 (positions 0, 3), FP 1 (position 1), FN 1 (position 2): P 2/3, R 2/3, F1 2/3
    result = m.precision_recall_f1([True, True, False, True, False], [True, False, True, True, False])
    assert result == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3})
    # P 1/1, R 1/3: F1 = 2 * 1 * (1/3) / (1 + 1/3) = 0.5
    assert m.precision_recall_f1([True, False, False], [True, True, True])["f1"] == pytest.approx(0.5)
    # nothing predicted, no positives: 0 rather than undefined
    assert m.precision_recall_f1([False, False], [False, False]) == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
