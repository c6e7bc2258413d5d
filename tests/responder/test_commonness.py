"""Everyday English words weigh less in what a reply must cover (tandem.responder.commonness)."""

from __future__ import annotations

import pytest

from tandem.knowledge.documents import Article
from tandem.responder import answer_confidence, commonness
from tests.responder.test_answers_behaviour import _respond


def test_everyday_words_weigh_less_than_the_things_asked() -> None:
    weights = commonness.word_weights(
        "What's the fee every time one of our staff uses an out-of-network ATM? How high can it go? "
        "And a custom photo design on my subscription?"
    )
    for everyday in ("everi", "time", "one", "go", "use"):  # "uses" counts as often as "use"
        assert weights[everyday] < 0.5, (everyday, weights)
    for asked in ("fee", "staf", "network", "atm", "photo", "design", "subscript"):
        assert weights.get(asked, 1.0) == 1.0, (asked, weights)
    assert all(commonness.COMMON_FLOOR <= w <= 1.0 for w in weights.values())


ATM = Article(
    id="plum-atm",
    title="Plum Account: ATM fees",
    body="## ATM fees\n- Out-of-network ATM fee: $3.00 per withdrawal.\n"
    "- In-network ATM withdrawals are free.",
)


def test_a_right_answer_is_surer_when_only_everyday_words_are_left_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = "On the Plum Account what's the fee every time one of our staff uses an out-of-network ATM?"
    weighed = _respond(message, [ATM])
    monkeypatch.setattr(answer_confidence, "word_weights", lambda _message: {})
    unweighed = _respond(message, [ATM])
    assert not weighed.abstained and "$3.00" in weighed.text, weighed.text
    # Weighed as the help center's own rarity alone, "every time one ... uses" left open made it unsure.
    assert weighed.confidence > unweighed.confidence
