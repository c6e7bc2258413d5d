"""The engine: immediate and weighed signals, priorities, topic matching on real tickets, timer reasons."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from tandem.contracts import CustomerContext, EscalationCheck, EscalationDecision, Priority
from tandem.escalation.engine import EscalationEngine
from tandem.escalation.policy import Policy, Topic, default_policy, load_policy
from tandem.escalation.repeats import timer_reason
from tandem.escalation.topics import TopicMatcher
from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.embeddings import WordLlamaEmbedder
from tandem.knowledge.loaders import load_tickets_jsonl

ROOT = Path(__file__).resolve().parents[2]
BANKING_TICKETS = ROOT / "data" / "tickets" / "banking77" / "tickets.jsonl"
BITEXT_TICKETS = ROOT / "data" / "tickets" / "bitext" / "tickets.jsonl"

STANDARD = CustomerContext(customer_id="c-1")
GOLD = CustomerContext(customer_id="c-2", tier="gold", high_value=True)

# Written for these tests, in a support team's words; the sample below is real banking77 history.
LOST = Topic(
    "lost_or_stolen",
    "The customer has lost their card or phone, or it was stolen.",
    (
        "I can't find my card anywhere",
        "someone stole my phone",
        "my wallet was taken with my bank card in it",
    ),
    priority=Priority.HIGH,
)
REFUND = Topic(
    "refund",
    "The customer wants a refund, or a refund they were promised has not arrived.",
    (
        "I want my money back for this purchase",
        "my refund still isn't showing",
        "how do I get a refund from a shop",
    ),
)
TOPIC_CATEGORIES = {
    "lost_or_stolen_card": "lost_or_stolen",
    "lost_or_stolen_phone": "lost_or_stolen",
    "request_refund": "refund",
    "Refund_not_showing_up": "refund",
}
OTHER_CATEGORIES = (
    *("card_arrival", "change_pin", "exchange_rate", "top_up_limits", "activate_my_card", "atm_support"),
    *("cash_withdrawal_charge", "country_support", "card_delivery_estimate", "transfer_timing"),
)


@pytest.fixture(scope="module")
def embedder() -> WordLlamaEmbedder:
    return WordLlamaEmbedder()


@pytest.fixture(scope="module")
def banking_sample() -> tuple[list[ResolvedTicket], list[tuple[str, str | None]]]:
    """60 past tickets of each of 14 real categories as history, the next 15 of each as new messages."""
    by_category: dict[str, list[ResolvedTicket]] = collections.defaultdict(list)
    for ticket in load_tickets_jsonl(BANKING_TICKETS):
        by_category[ticket.category or ""].append(ticket)
    categories = [*TOPIC_CATEGORIES, *OTHER_CATEGORIES]
    history = [t for c in categories for t in by_category[c][:60]]
    messages = [(t.body, TOPIC_CATEGORIES.get(c)) for c in categories for t in by_category[c][60:75]]
    return history, messages


@pytest.fixture(scope="module")
def banking_engine(
    embedder: WordLlamaEmbedder, banking_sample: tuple[list[ResolvedTicket], list[tuple[str, str | None]]]
) -> EscalationEngine:
    history, _ = banking_sample
    return EscalationEngine(Policy(topics=(LOST, REFUND)), embedder=embedder, history=history)


def _assess(
    message: str,
    customer: CustomerContext = STANDARD,
    engine: EscalationEngine | None = None,
    **context: object,
) -> EscalationDecision:
    return (engine or EscalationEngine()).assess(message, customer, **context)  # type: ignore[arg-type]


def _codes(decision: EscalationDecision) -> set[str]:
    return {r.code for r in decision.reasons}


# --- immediate signals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "code", "priority"),
    [
        ("let me talk to a real person", "explicit_request", Priority.NORMAL),
        ("I'm going to sue you over this", "legal_threat", Priority.URGENT),
        ("I just want to end it all", "safety", Priority.URGENT),
    ],
)
def test_immediate_signals_escalate_alone(message: str, code: str, priority: Priority) -> None:
    decision = _assess(message)
    assert decision.escalate and _codes(decision) == {code} and decision.priority == priority


def test_legal_threat_beats_a_low_priority_topic() -> None:
    low = Topic("chit_chat", "Small talk.", keywords=("lawyer",), priority=Priority.LOW)
    engine = EscalationEngine(Policy(topics=(low,)), topic_matcher=TopicMatcher((low,), None))
    decision = engine.first_message("my lawyer says hi")
    assert _codes(decision) == {"topic", "legal_threat"} and decision.priority == Priority.URGENT


# --- weighed signals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "customer", "context", "codes"),
    [
        ("This is ridiculous", STANDARD, {}, {"frustration"}),
        ("I want to close my account", STANDARD, {}, {"cancellation"}),
        ("What is the ATM limit?", GOLD, {}, {"high_value"}),
        ("What is the ATM limit?", STANDARD, {"confidence": 0.1}, {"low_confidence"}),
        (
            "What is the ATM limit?",
            STANDARD,
            {"recent_messages": ["what is the ATM limit"]},
            {"repeated_failure"},
        ),
    ],
)
def test_one_weak_signal_is_recorded_but_does_not_escalate(
    message: str, customer: CustomerContext, context: dict[str, object], codes: set[str]
) -> None:
    decision = _assess(message, customer, **context)
    assert not decision.escalate and _codes(decision) == codes


@pytest.mark.parametrize(
    ("message", "customer", "context"),
    [
        ("This is ridiculous, I want to close my account", STANDARD, {}),  # frustration + churn
        ("This is ridiculous", GOLD, {}),  # frustration + high value
        (
            "What is the ATM limit?",
            STANDARD,
            {"confidence": 0.1, "recent_messages": ["What's the ATM limit?"]},
        ),
        ("What is the ATM limit?", GOLD, {"abstained": True}),
    ],
)
def test_two_weak_signals_escalate(
    message: str, customer: CustomerContext, context: dict[str, object]
) -> None:
    assert _assess(message, customer, **context).escalate


def test_strong_weighed_signals_escalate_alone() -> None:
    assert _assess("I want to file a formal complaint").escalate
    assert _assess("and savings?", unsure_turns=2).escalate
    # the same question three times: the answers are not helping
    assert _assess(
        "why is my card blocked?", recent_messages=["why is my card blocked", "Why is my card blocked??"]
    ).escalate


def test_policy_weights_and_threshold_change_the_sum() -> None:
    lenient = Policy(threshold=1.5)
    assert not _assess(
        "This is ridiculous, I want to close my account", engine=EscalationEngine(lenient)
    ).escalate
    churn_counts = Policy(weights={**default_policy().weights, "cancellation": 1.0})
    assert _assess("I want to close my account", engine=EscalationEngine(churn_counts)).escalate
    silenced = Policy(weights={**default_policy().weights, "complaint": 0.0})
    decision = _assess("I want to file a complaint", engine=EscalationEngine(silenced))
    assert not decision.escalate and _codes(decision) == {"complaint"}  # still recorded


def test_low_confidence_threshold_comes_from_the_policy() -> None:
    engine = EscalationEngine(load_policy(ROOT / "data" / "policies" / "example.json"))  # low_confidence 0.4
    assert "low_confidence" in _codes(engine.assess("hm", confidence=0.38))
    assert "low_confidence" not in _codes(EscalationEngine().assess("hm", confidence=0.38))


def test_first_message_has_no_confidence_yet() -> None:
    decision = EscalationEngine().first_message("What is the ATM limit?")
    assert not decision.escalate and decision.reasons == [] and decision.priority == Priority.NORMAL


# --- priority ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "customer", "priority"),
    [
        ("What is the ATM limit?", STANDARD, Priority.NORMAL),
        ("What is the ATM limit?", GOLD, Priority.HIGH),
        ("This is ridiculous", STANDARD, Priority.HIGH),
        ("I want to file a complaint", STANDARD, Priority.HIGH),
        ("This is ridiculous", GOLD, Priority.URGENT),
        ("I want to close my account", GOLD, Priority.URGENT),
        ("talk to a human", GOLD, Priority.HIGH),
        ("I will report you to the ombudsman", STANDARD, Priority.URGENT),
    ],
)
def test_priority_rules(message: str, customer: CustomerContext, priority: Priority) -> None:
    assert _assess(message, customer).priority == priority


def test_topic_priority_from_the_policy(banking_engine: EscalationEngine) -> None:
    lost = banking_engine.first_message("I think my card was stolen yesterday")
    assert lost.escalate and lost.priority == Priority.HIGH
    refund = banking_engine.first_message("How do I get a refund for something I bought?")
    assert refund.escalate and refund.priority == Priority.NORMAL
    gold_refund = banking_engine.first_message("How do I get a refund for something I bought?", GOLD)
    assert gold_refund.priority == Priority.HIGH


# --- topics --------------------------------------------------------------------------------------------


def _topic_accuracy(engine: EscalationEngine, messages: list[tuple[str, str | None]]) -> tuple[float, float]:
    """(share of topic messages routed to their topic, share of other messages left alone)."""
    hits = rejections = positives = negatives = 0
    for message, expected in messages:
        decision = engine.first_message(message)
        topic = next((r.detail.split(":")[0] for r in decision.reasons if r.code == "topic"), None)
        if expected is None:
            negatives += 1
            rejections += topic is None
        else:
            positives += 1
            hits += topic == expected
    return hits / positives, rejections / negatives


def test_topics_routed_through_ticket_history(
    banking_engine: EscalationEngine,
    banking_sample: tuple[list[ResolvedTicket], list[tuple[str, str | None]]],
) -> None:
    _, messages = banking_sample
    assert banking_engine.topics.mode == "history"
    recall, specificity = _topic_accuracy(banking_engine, messages)
    assert recall >= 0.9 and specificity >= 0.95, (recall, specificity)


def test_topics_from_examples_alone(
    embedder: WordLlamaEmbedder, banking_sample: tuple[list[ResolvedTicket], list[tuple[str, str | None]]]
) -> None:
    _, messages = banking_sample
    engine = EscalationEngine(Policy(topics=(LOST, REFUND)), embedder=embedder)
    assert engine.topics.mode == "examples"
    recall, specificity = _topic_accuracy(engine, messages)
    assert recall >= 0.7 and specificity >= 0.9, (recall, specificity)


def test_history_decides_which_categories_a_topic_covers(banking_engine: EscalationEngine) -> None:
    matcher = banking_engine.topics
    covered = {
        matcher.categories[row]: matcher.topics[col].name
        for row, col in zip(*(matcher.membership >= 0.5).nonzero(), strict=True)
    }
    assert covered == TOPIC_CATEGORIES


def test_topic_reason_explains_the_match(banking_engine: EscalationEngine) -> None:
    decision = banking_engine.first_message("My phone got stolen on the train, what should I do?")
    (reason,) = [r for r in decision.reasons if r.code == "topic"]
    assert reason.detail.startswith("lost_or_stolen: like ") and 0.5 <= reason.strength <= 1.0


def test_keywords_match_without_an_embedder() -> None:
    fraud = Topic("fraud", "Fraud reports.", keywords=("fraud", "scammed"))
    engine = EscalationEngine(Policy(topics=(fraud,)), topic_matcher=TopicMatcher((fraud,), None))
    assert engine.first_message("I think I got SCAMMED").escalate
    assert not engine.first_message("what is a fraudulent-looking email?").escalate  # whole words only


def test_other_industry_history(embedder: WordLlamaEmbedder) -> None:
    """Nothing banking-specific: a retail history with its own categories routes a retail topic."""
    by_category: dict[str, list[ResolvedTicket]] = collections.defaultdict(list)
    for ticket in load_tickets_jsonl(BITEXT_TICKETS):
        by_category[ticket.category or ""].append(ticket)
    history = [t for tickets in by_category.values() for t in tickets[:40]]
    topic = Topic(
        "payment_problems",
        "A payment failed or was declined.",
        ("my card payment keeps failing at checkout", "there's an issue with the payment I made"),
    )
    engine = EscalationEngine(Policy(topics=(topic,)), embedder=embedder, history=history)
    held_out = [t.body for t in by_category["payment_issue"][40:60]]
    others = [
        t.body for c in ("track_order", "delivery_options", "create_account") for t in by_category[c][40:50]
    ]
    assert sum(engine.first_message(m).escalate for m in held_out) >= 16
    assert sum(engine.first_message(m).escalate for m in others) <= 2


# --- the workflow's view -------------------------------------------------------------------------------


def test_decide_takes_the_activity_input_and_context() -> None:
    check = EscalationCheck(
        message="why is my transfer pending?",
        customer=STANDARD,
        confidence=0.9,
        abstained=False,
        ai_turns=3,
        unsure_turns=0,
    )
    engine = EscalationEngine()
    assert not engine.decide(check).escalate
    repeated = engine.decide(
        check, recent_messages=["Why is my transfer pending", "why's my transfer pending?"]
    )
    assert repeated.escalate and _codes(repeated) == {"repeated_failure"}


def test_timer_reasons_escalate_in_the_same_record() -> None:
    check = EscalationCheck(
        message="ok", customer=STANDARD, confidence=0.9, abstained=False, ai_turns=8, unsure_turns=0
    )
    decision = EscalationEngine().decide(check, extra_reasons=[timer_reason("ai_turn_limit", turns=8)])
    assert decision.escalate and [r.code for r in decision.reasons] == ["ai_turn_limit"]


def test_engine_from_files(
    embedder: WordLlamaEmbedder,
    banking_sample: tuple[list[ResolvedTicket], list[tuple[str, str | None]]],
    tmp_path: Path,
) -> None:
    default = EscalationEngine.from_files(None)
    assert not default.topics and default.policy.topics == ()
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(
        '{"escalate_topics": [{"name": "lost", "description": "A lost or stolen card.", '
        '"examples": ["I lost my card", "my card was stolen"]}]}',
        encoding="utf-8",
    )
    history, _ = banking_sample
    tickets_file = tmp_path / "tickets.jsonl"
    rows = [
        {"id": t.ticket_id, "subject": t.subject, "body": t.body, "category": t.category} for t in history
    ]
    tickets_file.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    engine = EscalationEngine.from_files(policy_file, tickets_file, embedder=embedder)
    assert engine.topics.mode == "history"
    assert engine.first_message("Help, someone stole my card!").escalate
    assert not engine.first_message("When will my new card arrive?").escalate
