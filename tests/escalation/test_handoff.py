"""The handoff package summarises the conversation from its own words, sources and reasons."""

from __future__ import annotations

from datetime import UTC, datetime

from tandem.contracts import (
    Author,
    CustomerContext,
    EscalationDecision,
    EscalationReason,
    GeneratedReply,
    PreviousTicket,
    Priority,
    SourceRef,
    TranscriptEntry,
)
from tandem.escalation.handoff import build_handoff


def _entry(author: Author, text: str, sources: list[SourceRef] | None = None) -> TranscriptEntry:
    return TranscriptEntry(
        message_id=f"{author.value}-{len(text)}",
        author=author,
        text=text,
        at=datetime.now(UTC),
        sources=sources or [],
    )


def test_package_carries_context_answers_and_reasons() -> None:
    customer = CustomerContext(
        customer_id="c-42",
        name="Ada",
        tier="gold",
        high_value=True,
        product="credit_cards",
        account_facts={"card": "Platinum"},
        previous_tickets=[PreviousTicket(ticket_id="T-1", subject="fee")],
    )
    fee = SourceRef(id="doc-fee", title="Annual fee explained")
    transcript = [
        _entry(Author.CUSTOMER, "Why was I charged an annual fee?"),
        _entry(Author.AI, "The annual fee is charged on your card anniversary. [1]", [fee]),
        _entry(Author.CUSTOMER, "This is ridiculous, I want it refunded"),
        _entry(Author.SYSTEM, "I'm bringing in a member of our support team."),
    ]
    reasons = [EscalationReason(code="frustration", detail="'ridiculous'")]
    package = build_handoff("T-9", customer, transcript, reasons, "billing", None, datetime.now(UTC))

    assert package.customer_messages == [
        "Why was I charged an annual fee?",
        "This is ridiculous, I want it refunded",
    ]
    assert [a.source_titles for a in package.ai_answers] == [["Annual fee explained"]]
    summary = package.summary
    assert summary.startswith("Ada (gold, high value), product credit_cards.")
    assert '"Why was I charged an annual fee?"' in summary and "category billing" in summary
    assert "Annual fee explained" in summary and "frustration" in summary and "T-1" in summary


def test_summary_says_when_the_ai_had_no_sourced_answer() -> None:
    transcript = [_entry(Author.CUSTOMER, "talk to a human")]
    package = build_handoff(
        "T-8", CustomerContext(customer_id="c-1"), transcript, [], None, None, datetime.now(UTC)
    )
    assert "The AI gave no sourced answer." in package.summary and package.ai_answers == []


def test_every_engine_reason_has_a_customer_facing_explanation() -> None:
    from tandem.contracts import EscalationDecision
    from tandem.escalation.notices import handoff_notice
    from tandem.escalation.signals import TIMER_CODES

    codes = {"explicit_request", "topic", "legal_threat", "safety", "frustration", "cancellation"}
    codes |= {"complaint", "multi_issue", "repeated_failure", *TIMER_CODES} - {"pickup_timeout"}
    for code in sorted(codes):
        decision = EscalationDecision(escalate=True, reasons=[EscalationReason(code=code, detail="x")])
        assert " because " in handoff_notice(decision), code


def test_a_question_back_is_not_kept_when_a_person_takes_over() -> None:
    from tandem.escalation.notices import handoff_notice

    decision = EscalationDecision(
        escalate=True,
        reasons=[EscalationReason(code="high_value", detail="a high-value customer", strength=1.0)],
        priority=Priority.HIGH,
    )
    answer = GeneratedReply(
        text="Hi, here is what I found: $200 [1]", sources=[], confidence=0.7, abstained=False
    )
    question_back = answer.model_copy(
        update={"text": "Hi, which card do you mean: the Gold or the Platinum?", "clarifying": True}
    )
    assert "$200" in handoff_notice(decision, answer)
    kept = handoff_notice(decision, question_back)
    assert "which card" not in kept and "support team" in kept
