"""Product routing: the best matches' products reorder the rest, and scores keep their meaning."""

from __future__ import annotations

import numpy as np

from tandem.knowledge.routing import product_groups, product_votes, routed


def test_the_leading_products_articles_overtake_a_stray_match() -> None:
    groups = product_groups(["cards", "cards", "cards", "loans", "loans"])
    scores = np.asarray([0.40, 0.36, 0.30, 0.34, 0.10], dtype=np.float32)
    out = routed(scores, groups)
    assert list(np.argsort(-out, kind="stable")) == [0, 1, 2, 3, 4]  # the loans match falls below cards
    assert out[0] == scores[0]  # the best article of the leading product keeps its evidence score
    assert np.all(out <= scores) and np.all(out >= scores / 2)


def test_votes_follow_the_scores() -> None:
    groups = product_groups(["a", "b", None, "b"])
    shares = product_votes(np.asarray([0.5, 0.1, 0.0, 0.1]), groups)
    assert shares.argmax() == groups[0] and abs(shares.sum() - 1.0) < 1e-9
    assert shares[groups[2]] == 0.0  # a zero score does not vote


def test_a_single_product_or_no_evidence_changes_nothing() -> None:
    scores = np.asarray([0.3, 0.2, 0.1], dtype=np.float32)
    assert routed(scores, product_groups(["x", "x", "x"])) is scores
    assert routed(scores, product_groups([None, None, None])) is scores
    zeros = np.zeros(3, dtype=np.float32)
    assert np.array_equal(routed(zeros, product_groups(["x", "y", None])), zeros)
