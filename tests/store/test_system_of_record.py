"""Hand-offs, AI events, reviews, ticket timings and the facts metrics read (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import event

from tandem.contracts import (
    AgentDraft,
    Author,
    ConversationState,
    CsatRecord,
    CustomerContext,
    EscalationReason,
    EscalationRecord,
    HandoffAnswer,
    HandoffPackage,
    Priority,
    Resolution,
    SourceRef,
    TicketRecord,
)
from tandem.store import AiEvent, Review, TicketFacts, TicketStore, UnknownTicketError
from tests.store.test_repository import T0, msg, open_ticket, status, uid


def package(
    ticket_id: str, minutes: int = 5, summary: str = "Charged twice; wants a refund"
) -> HandoffPackage:
    return HandoffPackage(
        ticket_id=ticket_id,
        created_at=T0 + timedelta(minutes=minutes),
        summary=summary,
        customer=CustomerContext(customer_id="c-1", name="Ana", tier="gold", account_facts={"plan": "pro"}),
        category="billing",
        reasons=[EscalationReason(code="explicit_request", detail="asked for a person", strength=0.9)],
        customer_messages=["I was charged twice", "please refund"],
        ai_answers=[HandoffAnswer(message_id="a1", text="Sorry!", source_titles=["Refunds"])],
        suggested_reply=AgentDraft(
            for_message_id="c2",
            text="I refunded it.",
            sources=[SourceRef(id="kb-1", title="Refunds")],
            confidence=0.7,
            at=T0 + timedelta(minutes=4),
        ),
    )


def escalation(ticket_id: str, event_id: str, minutes: int, *codes: str) -> EscalationRecord:
    return EscalationRecord(
        event_id=event_id,
        ticket_id=ticket_id,
        at=T0 + timedelta(minutes=minutes),
        trigger="turn",
        reasons=[EscalationReason(code=code, detail=code) for code in codes],
        priority=Priority.HIGH,
    )


# --- hand-offs -----------------------------------------------------------------------------------------


def test_handoffs_are_recorded_once_and_read_back_whole(store: TicketStore) -> None:
    ticket_id = open_ticket(store)
    first = package(ticket_id)
    assert store.record_handoff(ticket_id, "h1", first) is True
    assert store.record_handoff(ticket_id, "h1", package(ticket_id, summary="changed")) is False  # a retry
    later = package(ticket_id, minutes=30, summary="Again, after a hand-back")
    assert store.record_handoff(ticket_id, "h2", later) is True

    assert store.handoffs(ticket_id) == [first, later]
    assert store.handoffs(ticket_id)[0].created_at.utcoffset() == timedelta(0)
    assert store.handoffs(uid("missing")) == []
    with pytest.raises(ValueError, match="recorded for"):
        store.record_handoff(uid("other"), "h3", first)


# --- AI events -----------------------------------------------------------------------------------------


def test_ai_events_are_recorded_once_per_ticket_kind_and_id(store: TicketStore) -> None:
    ticket_id = open_ticket(store)
    at = T0 + timedelta(minutes=1)
    assert store.record_ai_event(ticket_id, "m2", at, "abstained", "no source", message_id="m2") is True
    assert store.record_ai_event(ticket_id, "m2", at, "abstained", "retried") is False
    # one reply can trip a guardrail and abstain: the same event id under another kind is another event
    assert store.record_ai_event(ticket_id, "m2", at, "guardrail:refund", "We will refund you.") is True

    assert store.ai_events(ticket_id) == [
        AiEvent(ticket_id, "m2", at, "abstained", "no source", "m2"),
        AiEvent(ticket_id, "m2", at, "guardrail:refund", "We will refund you.", None),
    ]
    with pytest.raises(ValueError):
        store.record_ai_event(ticket_id, "m3", at, "")


def test_ai_events_filter_by_ticket_kind_prefix_and_time(store: TicketStore) -> None:
    first, second = open_ticket(store), open_ticket(store)
    writes = [
        (first, "e1", 1, "guardrail:refund"),
        (first, "e2", 2, "no_article"),
        (second, "e3", 3, "guardrail:legal"),
        (second, "e4", 4, "Guardrail:upper"),  # kinds are case-sensitive, even on SQLite
        (second, "e5", 5, "guardrail_like"),  # "_" is no wildcard
        (second, "e6", 6, "abstained"),
    ]
    for ticket_id, event_id, minutes, kind in writes:
        store.record_ai_event(ticket_id, event_id, T0 + timedelta(minutes=minutes), kind)

    def ids(**filters) -> list[str]:
        return [e.event_id for e in store.ai_events(**filters)]

    assert ids() == ["e1", "e2", "e3", "e4", "e5", "e6"]
    assert ids(ticket_id=first) == ["e1", "e2"]
    assert ids(kind_prefix="guardrail:") == ["e1", "e3"]
    assert ids(kind_prefix="guardrail:", ticket_id=second) == ["e3"]
    assert ids(since=T0 + timedelta(minutes=3)) == ["e3", "e4", "e5", "e6"]
    assert ids(kind_prefix="abstained", since=T0 + timedelta(minutes=3)) == ["e6"]


# --- reviews -------------------------------------------------------------------------------------------


def test_reviews_are_recorded_once_and_filtered(store: TicketStore) -> None:
    first, second = open_ticket(store), open_ticket(store)
    gap = Review(first, "r1", T0 + timedelta(hours=1), "lead", "wrong_answer", "No article on fees", True)
    assert store.record_review(first, "r1", gap.at, "lead", "wrong_answer", gap.note, content_gap=True)
    assert not store.record_review(first, "r1", gap.at, "other", "good")  # a retry
    assert store.record_review(second, "r2", T0 + timedelta(hours=2), "lead", "good")

    assert store.reviews(first) == [gap]
    assert [r.review_id for r in store.reviews()] == ["r1", "r2"]
    assert store.reviews(second)[0] == Review(second, "r2", T0 + timedelta(hours=2), "lead", "good")
    assert [r.review_id for r in store.reviews(since=T0 + timedelta(hours=2))] == ["r2"]


# --- timings and reopens -------------------------------------------------------------------------------


def test_first_response_keeps_the_earliest_time(store: TicketStore) -> None:
    ticket_id = open_ticket(store)
    assert store.get_ticket(ticket_id).first_response_at is None
    assert store.mark_first_response(ticket_id, T0 + timedelta(minutes=2)) is True
    assert store.mark_first_response(ticket_id, T0 + timedelta(minutes=2)) is False  # a retry
    assert store.mark_first_response(ticket_id, T0 + timedelta(minutes=9)) is False  # a later reply
    assert store.get_ticket(ticket_id).first_response_at == T0 + timedelta(minutes=2)
    # a retry that lands after a later reply still leaves the earliest time
    assert store.mark_first_response(ticket_id, T0 + timedelta(minutes=1)) is True
    assert store.get_ticket(ticket_id).first_response_at == T0 + timedelta(minutes=1)
    # status updates leave the timings alone
    store.update_status(status(ticket_id, ConversationState.CLOSED, T0 + timedelta(minutes=20)))
    assert store.get_ticket(ticket_id).first_response_at == T0 + timedelta(minutes=1)


def test_escalated_at_is_the_first_escalation(store: TicketStore) -> None:
    ticket_id = open_ticket(store)
    assert store.record_escalation(escalation(ticket_id, "e1", 5, "frustration")) is True
    assert store.get_ticket(ticket_id).escalated_at == T0 + timedelta(minutes=5)
    assert store.record_escalation(escalation(ticket_id, "e2", 30, "explicit_request")) is True
    assert store.get_ticket(ticket_id).escalated_at == T0 + timedelta(minutes=5)
    assert store.mark_escalated_at(ticket_id, T0 + timedelta(minutes=6)) is False
    assert store.mark_escalated_at(ticket_id, T0 + timedelta(minutes=4)) is True
    assert store.get_ticket(ticket_id).escalated_at == T0 + timedelta(minutes=4)

    plain = open_ticket(store)
    assert store.mark_escalated_at(plain, T0 + timedelta(minutes=7)) is True
    assert store.get_ticket(plain).escalated_at == T0 + timedelta(minutes=7)


def test_reopens_count_once_per_event(store: TicketStore) -> None:
    ticket_id = open_ticket(store)
    assert store.get_ticket(ticket_id).reopen_count == 0
    assert store.mark_reopened(ticket_id, "m7", T0 + timedelta(days=1)) is True
    assert store.mark_reopened(ticket_id, "m7", T0 + timedelta(days=1)) is False  # a retry
    assert store.mark_reopened(ticket_id, "m9", T0 + timedelta(days=2)) is True
    assert store.get_ticket(ticket_id).reopen_count == 2
    assert [e.event_id for e in store.ai_events(ticket_id, kind_prefix="reopened")] == ["m7", "m9"]
    # an AI event about the reopening message is not a reopen, and does not collide with one
    assert store.record_ai_event(ticket_id, "m7", T0 + timedelta(days=1), "abstained") is True
    assert store.get_ticket(ticket_id).reopen_count == 2


def test_concurrent_duplicate_reopens_count_once(store: TicketStore) -> None:
    ticket_id = open_ticket(store)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: store.mark_reopened(ticket_id, "r1", T0), range(16)))
    assert results.count(True) == 1
    assert store.get_ticket(ticket_id).reopen_count == 1


def test_marks_on_an_unknown_ticket_raise_and_write_nothing(store: TicketStore) -> None:
    missing = uid("missing")
    for mark in (store.mark_first_response, store.mark_escalated_at):
        with pytest.raises(UnknownTicketError):
            mark(missing, T0)
    with pytest.raises(UnknownTicketError):
        store.mark_reopened(missing, "r1", T0)
    assert store.ai_events(missing) == []


# --- ticket facts --------------------------------------------------------------------------------------


def test_ticket_facts_gather_everything_metrics_need(store: TicketStore) -> None:
    full = open_ticket(store)
    authors = [Author.CUSTOMER, Author.AI, Author.CUSTOMER, Author.AI, Author.AGENT, Author.SYSTEM]
    for n, author in enumerate(authors):
        store.record_message(msg(full, f"m{n}", T0 + timedelta(minutes=n), author=author))
    store.mark_first_response(full, T0 + timedelta(minutes=1))
    store.record_escalation(escalation(full, "e1", 4, "frustration", "explicit_request"))
    store.record_escalation(escalation(full, "e2", 9, "explicit_request", "high_value"))
    store.set_category(full, "billing")
    closed = T0 + timedelta(minutes=20)
    store.update_status(
        status(
            full, ConversationState.CLOSED, closed, escalated=True, resolution=Resolution.RESOLVED_BY_HUMAN
        )
    )
    store.record_csat(CsatRecord(ticket_id=full, rating=2, comment="slow", at=closed))
    store.mark_reopened(full, "m9", closed + timedelta(hours=1))
    bare = open_ticket(store, at=T0 + timedelta(hours=1))

    assert store.ticket_facts() == [
        TicketFacts(
            ticket_id=full,
            customer_id="c-1",
            product="billing",
            category="billing",
            state=ConversationState.CLOSED,
            resolution=Resolution.RESOLVED_BY_HUMAN,
            escalated=True,
            opened_at=T0,
            closed_at=closed,
            first_response_at=T0 + timedelta(minutes=1),
            escalated_at=T0 + timedelta(minutes=4),
            reopen_count=1,
            csat_rating=2,
            escalation_codes=["frustration", "explicit_request", "high_value"],
            ai_message_count=2,
            agent_message_count=1,
            customer_message_count=2,
        ),
        TicketFacts(
            ticket_id=bare,
            customer_id="c-1",
            product="billing",
            category=None,
            state=ConversationState.AI_ACTIVE,
            resolution=None,
            escalated=False,
            opened_at=T0 + timedelta(hours=1),
            closed_at=None,
            first_response_at=None,
            escalated_at=None,
            reopen_count=0,
            csat_rating=None,
            escalation_codes=[],
            ai_message_count=0,
            agent_message_count=0,
            customer_message_count=0,
        ),
    ]


def test_ticket_facts_filter_by_opening_time_and_product(store: TicketStore) -> None:
    tickets = [open_ticket(store, at=T0 + timedelta(days=day)) for day in range(4)]
    other = uid("T")
    store.open_ticket(
        TicketRecord(
            ticket_id=other,
            customer_id="c-2",
            product="app",
            subject="",
            opened_at=T0 + timedelta(days=1, hours=1),
        )
    )

    def ids(**filters) -> list[str]:
        return [f.ticket_id for f in store.ticket_facts(**filters)]

    assert ids() == [tickets[0], tickets[1], other, tickets[2], tickets[3]]
    assert ids(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3)) == [tickets[1], other, tickets[2]]
    assert ids(product="app") == [other]
    assert ids(product="billing", since=T0 + timedelta(days=3)) == [tickets[3]]
    assert ids(until=T0) == []


def test_ticket_facts_take_two_queries_however_many_tickets(store: TicketStore) -> None:
    for n in range(30):
        ticket_id = open_ticket(store, at=T0 + timedelta(minutes=n))
        store.record_message(msg(ticket_id, "m1", T0 + timedelta(minutes=n)))
        store.record_escalation(escalation(ticket_id, "e1", n, "frustration"))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = store._engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        facts = store.ticket_facts()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(facts) == 30 and all(f.escalation_codes == ["frustration"] for f in facts)
    assert sum(f.customer_message_count for f in facts) == 30
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
