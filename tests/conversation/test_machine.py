"""The conversation's rules, one case at a time: no Temporal, no store, just the machine and a clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from tandem.contracts import (
    AiMode,
    Author,
    BusinessHours,
    CarriedState,
    ConversationState,
    ConversationTimeouts,
    CsatResponse,
    CustomerContext,
    EscalationDecision,
    GeneratedReply,
    Priority,
    Resolution,
    SourceRef,
)
from tandem.conversation.effects import AnswerWithAi, WriteEscalation, WriteEvent, WriteMessage, WriteStatus
from tandem.conversation.machine import Conversation, Refused, fresh_state

MONDAY_NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
ANSWER = GeneratedReply(
    text="The fee is $5 [1].", sources=[SourceRef(id="a", title="Fees")], confidence=0.8, abstained=False
)
CALM = EscalationDecision(escalate=False)


def _conversation(hours: BusinessHours | None = None, **timeouts: object) -> Conversation:
    customer = CustomerContext(customer_id="c-1")
    limits = ConversationTimeouts(**timeouts)  # type: ignore[arg-type]
    return Conversation("T-1", customer, limits, hours, fresh_state(customer, MONDAY_NOON))


def _turn(c: Conversation, now: datetime, n: int, decision: EscalationDecision = CALM) -> list[object]:
    effects = c.receive(now, f"m-{n}", "what is the fee?")
    routed, held = c.route(now, f"m-{n}", "what is the fee?", True, AiMode.ON)
    assert held is None and isinstance(routed[-1], AnswerWithAi)
    c.ai_turn_request(f"m-{n}", "what is the fee?")
    finished, response = c.ai_turn_finished(now, f"m-{n}", "what is the fee?", ANSWER, decision)
    assert response.message_id == f"m-{n}"
    return [*effects, *routed, *finished]


def test_the_turn_limit_hands_the_customer_to_a_person() -> None:
    c = _conversation(ai_turn_limit=3)
    for n in range(2):
        _turn(c, MONDAY_NOON, n)
        assert c.data.state is ConversationState.AI_ACTIVE
    effects = _turn(c, MONDAY_NOON, 2)
    assert c.data.state is ConversationState.WAITING_FOR_HUMAN
    assert [r.code for r in c.data.escalation_reasons] == ["ai_turn_limit"]
    said = [
        e.record.entry for e in effects if isinstance(e, WriteMessage) and e.record.entry.author is Author.AI
    ]
    assert "The fee is $5" in said[-1].text and "member of our support team" in said[-1].text
    assert any(isinstance(e, WriteEscalation) for e in effects) and any(
        isinstance(e, WriteStatus) for e in effects
    )


def test_out_of_hours_the_customer_is_told_when_and_a_missed_promise_is_recorded() -> None:
    hours = BusinessHours(weekdays=[0, 1, 2, 3, 4], opens=time(9), closes=time(17), timezone="Europe/Berlin")
    c = _conversation(hours, pickup=timedelta(minutes=10))
    evening = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    effects = c.request_human(evening, "customer asked")
    notices = [e.record.entry.text for e in effects if isinstance(e, WriteMessage)]
    assert any("Tuesday 09:10" in text for text in notices)
    assert c.data.promised_by == datetime(2026, 3, 3, 8, 10, tzinfo=UTC)
    assert c.clocks.pickup_deadline() == c.data.promised_by
    c.pickup_deadline_passed(c.data.promised_by)
    assert [r.code for r in c.data.escalation_reasons][-1] == "promise_missed"
    assert c.data.priority is Priority.HIGH and c.data.promised_by is None


def test_a_reopen_is_a_new_episode_without_the_old_escalation() -> None:
    c = _conversation()
    c.request_human(MONDAY_NOON, "please")
    c.take_over(MONDAY_NOON, "grace")
    c.close(MONDAY_NOON, Resolution.RESOLVED_BY_HUMAN, "grace", "refunded")
    later = MONDAY_NOON + timedelta(hours=1)
    c.check_reopen(later)
    effects = c.reopen(later, "m-9", "it happened again")
    d = c.data
    assert d.state is ConversationState.AI_ACTIVE and d.reopened == 1 and not d.escalated
    assert d.agent is None and d.escalation_reasons == [] and d.resolution is None
    assert [e.record.kind for e in effects if isinstance(e, WriteEvent)] == ["reopened"]
    c.close(later, Resolution.RESOLVED_BY_AI, "customer")
    with pytest.raises(Refused) as refused:
        c.check_reopen(later + c.timeouts.csat_window)
    assert refused.value.closed


def test_only_the_owner_acts_and_a_second_agent_is_refused() -> None:
    c = _conversation()
    c.take_over(MONDAY_NOON, "grace")
    with pytest.raises(Refused, match="grace already owns"):
        c.check_take_over("linus")
    with pytest.raises(Refused, match="grace owns this conversation, not linus"):
        c.agent_reply(MONDAY_NOON, "linus", "hi", None)
    assert c.take_over(MONDAY_NOON, "grace") == []  # a retried takeover changes nothing


def test_a_message_to_a_person_is_held_and_the_ai_stays_quiet() -> None:
    c = _conversation()
    c.take_over(MONDAY_NOON, "grace")
    c.receive(MONDAY_NOON, "m-1", "are you there?")
    effects, held = c.route(MONDAY_NOON, "m-1", "are you there?", True, AiMode.ON)
    assert held is not None and held.author is Author.SYSTEM and "grace" in held.text
    assert not any(isinstance(e, AnswerWithAi) for e in effects)
    assert c.needs_draft(AiMode.ON) and not c.needs_draft(AiMode.OFF)


def test_a_refused_store_write_hands_over_once() -> None:
    c = _conversation()
    assert c.store_refused(MONDAY_NOON, "DataError: NUL")
    assert c.data.state is ConversationState.WAITING_FOR_HUMAN
    assert [r.code for r in c.data.escalation_reasons] == ["store_error"]
    assert c.store_refused(MONDAY_NOON, "again") == []


def test_every_piece_of_state_survives_continue_as_new() -> None:
    """A closed, rated conversation with a draft due is carried whole through the data converter."""
    c = _conversation()
    _turn(c, MONDAY_NOON, 0)
    c.request_human(MONDAY_NOON, "please")
    c.receive(MONDAY_NOON, "m-1", "hello?")
    c.data.handoff_due = True
    c.close(MONDAY_NOON, Resolution.RESOLVED_BY_HUMAN, "grace", "done")
    c.data.csat = CsatResponse(rating=4, comment="ok")
    carried = pydantic_data_converter.payload_converter.to_payload(c.data)
    back = pydantic_data_converter.payload_converter.from_payload(carried, CarriedState)
    assert back == c.data
    assert back.resolution is Resolution.RESOLVED_BY_HUMAN and back.closed_at == MONDAY_NOON
    assert back.csat == CsatResponse(rating=4, comment="ok") and back.handoff_due
    assert back.customer_activity == 2 and back.drafted_for_activity == 0
