"""Text signals one by one: what each detects, in which phrasings, and what it must leave alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tandem.escalation import repeats, signals


@pytest.mark.parametrize(
    "message",
    [
        "I want to talk to a human",
        "can u connect me with a real person",
        "I am trying to chat with a damn agent",
        "need help to speak to somebody",
        "how to speak with an operator",
        "I have got to speak with a eprson",  # swapped letters
        "how to taok to an agent",
        "is there a number to call customer service?",
        "when is customer support available?",
        "customersupport e-mail",
        "show me what hours i can call customer assistancew",
        "Customer service",
    ],
)
def test_explicit_request_any_phrasing(message: str) -> None:
    found = signals.explicit_request(message)
    assert found is not None and found.code == "explicit_request" and found.strength == 1.0


@pytest.mark.parametrize(
    "message",
    [
        "The person who sent me money says it never arrived",
        "i cannot sign up want assistanve to notify of signup errors",  # "assistance", not "assistant"
        "Customer service was great last time, thanks",
        "I need to update the contact details on my account",
        "Is the contract compliant with the new rules?",
    ],
)
def test_explicit_request_guards(message: str) -> None:
    assert signals.explicit_request(message) is None


@pytest.mark.parametrize(
    "message",
    [
        "I'm going to sue you",
        "My lawyer will be in touch",
        "I will take you to court over this",
        "I'm reporting you to the ombudsman",
        "I'll complain to the regulator",
        "I will report this to the CFPB",
        "expect a class action lawsuit",
    ],
)
def test_legal_threat(message: str) -> None:
    found = signals.legal_threat(message)
    assert found is not None and found.code == "legal_threat"


@pytest.mark.parametrize(
    "message",
    [
        "How do I set up a power of attorney on my account?",
        "Sue from your team was great",
        "Can I pay with my card in the food court?",
        "assistance suing the Platinum account",  # a typo of "using", not a lawsuit
    ],
)
def test_legal_threat_guards(message: str) -> None:
    assert signals.legal_threat(message) is None


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("I want to kill myself", "self-harm"),
        ("I don't want to live anymore", "self-harm"),
        ("thinking about suicide", "self-harm"),
        ("I'm going to hurt someone at your branch", "violence"),
        ("I'll kill you", "violence"),
        ("I know where you live", "violence"),
    ],
)
def test_safety(message: str, kind: str) -> None:
    found = signals.safety_concern(message)
    assert found is not None and found.code == "safety" and kind in found.detail


@pytest.mark.parametrize(
    "message",
    ["This app is killing me", "I'm dying to know the rate", "kill the subscription please", "my card died"],
)
def test_safety_guards(message: str) -> None:
    assert signals.safety_concern(message) is None


@pytest.mark.parametrize(
    "message",
    [
        "I want to file a complaint",
        "I'd like to lodge a formal complaint about your branch",
        "what's the status of my complaint?",
        "I want to complain about the delivery",
        "help to make a consumer reclamation against your company",
        "file a claim against your company",
        "how can i file a reclaqmation",  # misspelled
    ],
)
def test_complaint(message: str) -> None:
    found = signals.complaint(message)
    assert found is not None and found.code == "complaint" and found.strength == 1.0


def test_a_plain_claim_is_a_weaker_complaint_signal() -> None:
    # A claim is a complaint in a shop but routine work at an insurer: not enough on its own.
    found = signals.complaint("How do I file an insurance claim?")
    assert found is not None and found.strength < 1.0


@pytest.mark.parametrize(
    "message",
    [
        "No complaints, works great",
        "I'm not complaining, just asking",
        "I can't complain",
        "is it GDPR compliant?",
    ],
)
def test_complaint_guards(message: str) -> None:
    assert signals.complaint(message) is None


def test_frustration_strength_grows_with_cues() -> None:
    mild = signals.frustration("Where is my refund!!!")
    strong = signals.frustration("THIS IS RIDICULOUS WHERE IS MY MONEY")
    assert mild is not None and strong is not None
    assert mild.strength < strong.strength == 1.0


def test_cancellation_covers_subscriptions_but_not_newsletters() -> None:
    assert signals.cancellation("Please cancel my subscription, I'm done") is not None
    assert signals.cancellation("I'm switching to a competitor") is not None
    assert signals.cancellation("cancel my newsletter subscription") is None
    assert signals.cancellation("cancel my order please") is None


def test_multi_issue() -> None:
    several = (
        "Three things. Why was I charged twice for my order? Can you change my delivery address to my "
        "office? And how do I download last month's invoice?"
    )
    found = signals.multi_issue(several)
    assert found is not None and found.strength == 1.0
    two_with_also = (
        "My card was declined at the supermarket this morning, can you check why please? Also, I need to "
        "update the phone number on my profile because I changed provider."
    )
    found = signals.multi_issue(two_with_also)
    assert found is not None and found.strength < 1.0


@pytest.mark.parametrize(
    "message",
    [
        "Can I use my card abroad?",
        # one long question is one issue
        "My card was declined at the store yesterday and I have no idea why, I checked my balance and there "
        "was enough money, what is going on with it?",
    ],
)
def test_multi_issue_guards(message: str) -> None:
    assert signals.multi_issue(message) is None


def test_repeated_question_from_recent_messages() -> None:
    once = repeats.repeated_question("where is my refund?", ["Where is my refund", "thanks"])
    assert once is not None and once.code == "repeated_failure" and once.strength == 0.8
    twice = repeats.repeated_question(
        "Why was my card payment declined?",
        ["why was my card payment declined", "ok", "My card payment was declined, why?"],
    )
    assert twice is not None and twice.strength == 1.0


@pytest.mark.parametrize(
    ("message", "earlier"),
    [
        ("ok thanks", ["ok thanks"]),  # courtesy, not a question
        ("How do I change my PIN?", ["Where is my refund?"]),
        ("refund status", ["refund"]),  # one shared word is too little to call it the same question
        ("where is my refund?", []),
    ],
)
def test_repeated_question_guards(message: str, earlier: list[str]) -> None:
    assert repeats.repeated_question(message, earlier) is None


def test_claimed_repeat_and_unsure_turns() -> None:
    claimed = repeats.claimed_repeat("This is the third time I'm asking about this")
    assert claimed is not None and claimed.code == "repeated_failure"
    assert repeats.claimed_repeat("This is the first time I've used the app") is None
    assert repeats.unsure_turns(1) is None
    unsure = repeats.unsure_turns(2)
    assert unsure is not None and unsure.strength == 1.0


def test_timer_reasons_share_the_record_format() -> None:
    pickup = repeats.timer_reason("pickup_timeout", waited=timedelta(minutes=5))
    assert (pickup.code, pickup.strength) == ("pickup_timeout", 1.0) and "5 min" in pickup.detail
    assert "8 AI turns" in repeats.timer_reason("ai_turn_limit", turns=8).detail
    assert "20 min" in repeats.timer_reason("ai_time_limit", waited=timedelta(minutes=20)).detail
    with pytest.raises(ValueError, match="unknown timer"):
        repeats.timer_reason("lunch_break")


def test_misspellings_fold_to_the_closest_word() -> None:
    assert signals.fold_misspellings("talk to a humen") == "talk to a human"
    assert signals.fold_misspellings("agnet") == "agent"
    # real words and near-misses of other real words keep their meaning
    assert signals.fold_misspellings("manage my contract") == "manage my contract"
    assert signals.fold_misspellings("assistanve") == "assistance"


@pytest.mark.parametrize(
    "message",
    [
        "how many times can I withdraw cash per day?",
        "This is the second time I've ordered from you, love it",
        "is this text message a scam?",
        "I'm not angry, just curious",
    ],
)
def test_frustration_and_claimed_repeat_guards(message: str) -> None:
    assert signals.frustration(message) is None
    assert repeats.claimed_repeat(message) is None


def test_claimed_repeat_is_also_frustration() -> None:
    message = "how many times do I have to ask you about my card?"
    assert repeats.claimed_repeat(message) is not None and signals.frustration(message) is not None
