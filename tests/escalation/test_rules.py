"""Escalation rules: each signal, the decision policy, priorities, and false-positive guards."""

from __future__ import annotations

import pytest

from tandem.contracts import CustomerContext, EscalationCheck, EscalationDecision, Priority
from tandem.escalation.rules import check_escalation


def _check(
    message: str,
    *,
    high_value: bool = False,
    confidence: float = 0.9,
    abstained: bool = False,
    unsure_turns: int = 0,
) -> EscalationDecision:
    return check_escalation(
        EscalationCheck(
            message=message,
            customer=CustomerContext(customer_id="c-1", high_value=high_value, tier="gold"),
            confidence=confidence,
            abstained=abstained,
            ai_turns=1,
            unsure_turns=unsure_turns,
        )
    )


def _codes(decision: EscalationDecision) -> set[str]:
    return {r.code for r in decision.reasons}


@pytest.mark.parametrize(
    "message",
    [
        "I want to talk to a human",
        "Can I speak to someone please?",
        "is there a real person I can talk to?",
        "Let me talk to your manager.",
        "get me a supervisor",
        "agent",
        "Human please!",
        "representative",
        "connect me with a live agent",
        "Can someone call me back about this?",
        "are you a bot?",
        "How do I contact customer service?",
        "I'd like to speak with one of your agents",
        # misspellings
        "i want to talk to a humen",
        "get me a represenative now",
        "agnet please",
        "can i speak to somone",
        "I need to speak with a supervisior",
    ],
)
def test_explicit_requests_escalate(message: str) -> None:
    decision = _check(message)
    assert decision.escalate
    assert "explicit_request" in _codes(decision)
    assert decision.priority == Priority.NORMAL  # asking for a person alone is not urgent


@pytest.mark.parametrize(
    "message",
    [
        "My travel agent booked the flight with my credit card, is that covered?",
        "The person who sent me money says it never arrived",
        "I need to find the person I sent money to",
        "I want the person who sent me money to give it back",
        "I can't reach the person I paid yesterday",
        "Someone used my card without permission",
        "Is there an agent fee for international transfers?",
        "How do I make a person-to-person payment?",
        "I managed to log in, but I can't see my statement",
        "I'd like to manage my account online",
        "Can I get assistance with my card limit?",
        "Does a human have to approve my loan?",
    ],
)
def test_person_words_in_other_roles_are_not_requests(message: str) -> None:
    assert "explicit_request" not in _codes(_check(message))


# Frustration and churn are weighed signals (issue "Escalation that is never a dead end"): alone they are
# recorded and raise the priority, and the next weak signal (low confidence, a repeat, a high-value customer,
# the other of the two) escalates. A customer who says they asked before escalates at once. Capitals or
# exclamation marks alone are weaker cues (strength below 1) and need more than one other signal.
@pytest.mark.parametrize(
    ("message", "escalates", "strength"),
    [
        ("This is ridiculous, your app is useless", False, 1.0),
        ("I'm so frustrated with this card", False, 1.0),
        ("Worst bank ever.", False, 1.0),
        ("This is the third time I'm asking about this", True, 1.0),
        ("I have told you twice already", True, 1.0),
        ("WHERE IS MY MONEY I NEED IT NOW", False, 0.8),
        ("Where is my refund!!!", False, 0.6),
    ],
)
def test_frustration_is_recorded_with_high_priority(message: str, escalates: bool, strength: float) -> None:
    decision = _check(message)
    (frustration,) = [r for r in decision.reasons if r.code == "frustration"]
    assert frustration.strength == strength and decision.escalate is escalates
    assert decision.priority == Priority.HIGH
    # with a second weak signal a full-strength cue escalates; weaker cues need a third
    assert _check(message, confidence=0.1).escalate is (strength == 1.0)
    assert _check(message, confidence=0.1, high_value=True).escalate


@pytest.mark.parametrize(
    "message",
    [
        "I'm not angry, just curious about the fees",
        "Thank you so much!!!",
        "In the worst case, can I overdraw my account?",
        "What is the ATM PIN limit in the USA?",
        "This is the first time I've used the app",
    ],
)
def test_frustration_guards(message: str) -> None:
    decision = _check(message)
    assert "frustration" not in _codes(decision) and not decision.escalate


@pytest.mark.parametrize(
    "message",
    [
        "I want to close my account",
        "Please cancel my checking account",
        "How do I delete my Rho-Bank account?",
        "I'm switching banks because of these fees",
        "I'm leaving Rho-Bank",
        "I'm moving my money to another bank",
    ],
)
def test_cancellation_is_recorded_with_high_priority(message: str) -> None:
    decision = _check(message)
    assert not decision.escalate and _codes(decision) == {"cancellation"}
    assert decision.priority == Priority.HIGH
    assert _check(message, abstained=True).escalate  # with a second weak signal it escalates


@pytest.mark.parametrize(
    "message",
    [
        "How do I cancel a transfer?",
        "Can I cancel a payment from my account?",
        "Please cancel my card, I lost it",
        "I don't want to close my account, just freeze it",
        "What's my account number?",
        "I'm leaving for vacation, will my card work abroad?",
        "How do I transfer money to another bank?",
    ],
)
def test_not_churn(message: str) -> None:
    decision = _check(message)
    assert "cancellation" not in _codes(decision) and not decision.escalate


def test_high_value_alone_raises_priority_without_escalating() -> None:
    decision = _check("What is the daily ATM limit?", high_value=True)
    assert not decision.escalate
    assert _codes(decision) == {"high_value"} and decision.priority == Priority.HIGH


def test_high_value_escalates_with_low_confidence() -> None:
    assert _check("What is the daily ATM limit?", high_value=True, confidence=0.2).escalate
    decision = _check("What is the daily ATM limit?", high_value=True, abstained=True, confidence=0.9)
    assert decision.escalate and _codes(decision) == {"high_value", "low_confidence"}


@pytest.mark.parametrize("message", ["This is ridiculous", "I want to close my account"])
def test_high_value_and_frustration_or_churn_is_urgent(message: str) -> None:
    decision = _check(message, high_value=True)
    assert decision.escalate and decision.priority == Priority.URGENT


def test_low_confidence_alone_is_recorded_but_does_not_escalate() -> None:
    for decision in (_check("What is the daily ATM limit?", confidence=0.1), _check("hm", abstained=True)):
        assert not decision.escalate
        assert _codes(decision) == {"low_confidence"} and decision.priority == Priority.NORMAL
    assert _codes(_check("What is the daily ATM limit?", confidence=0.35)) == set()


def test_repeated_failure_escalates_from_two_unsure_turns() -> None:
    assert not _check("and what about savings?", unsure_turns=1).escalate
    decision = _check("and what about savings?", unsure_turns=2)
    assert decision.escalate and "repeated_failure" in _codes(decision)
    assert decision.priority == Priority.NORMAL


def test_reasons_explain_what_matched() -> None:
    decision = _check("This is useless, let me talk to a real person", high_value=True)
    details = {r.code: r.detail for r in decision.reasons}
    assert "talk to a real person" in details["explicit_request"]
    assert "useless" in details["frustration"]
    assert all(0.0 < r.strength <= 1.0 for r in decision.reasons)
    assert decision.priority == Priority.URGENT
