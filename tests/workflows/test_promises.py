"""Promises people make, on the time-skipping server: a missed one raises the priority, tells the owner and
counts in the report's escalation reasons; one kept in time, or a closed ticket, raises nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from tandem.client import RequestRejected, TandemClient
from tandem.contracts import ConversationState, Priority
from tandem.store import TicketStore
from tests.conftest import new_ticket, wait_for_state

DUE = timedelta(hours=2)


async def _taken(tandem: TandemClient) -> str:
    start = new_ticket()
    await tandem.open_ticket(start)
    await tandem.request_human(start.ticket_id)
    await wait_for_state(tandem, start.ticket_id, ConversationState.WAITING_FOR_HUMAN)
    await tandem.take_over(start.ticket_id, "grace")
    return start.ticket_id


async def test_a_missed_promise_raises_the_priority_and_tells_the_owner(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    ticket = await _taken(timer_tandem)
    now = await time_env.get_current_time()
    with pytest.raises(RequestRejected, match="owns this conversation"):
        await timer_tandem.promise(ticket, "bruno", "I'll call you back", now + DUE)
    with pytest.raises(RequestRejected, match="future"):
        await timer_tandem.promise(ticket, "grace", "I'll call you back", now - DUE)
    promise = await timer_tandem.promise(ticket, "grace", "I'll call you back tomorrow", now + DUE)
    before = await timer_tandem.status(ticket)
    assert before.priority is Priority.NORMAL and [p.promise_id for p in before.promises] == [
        promise.promise_id
    ]

    await time_env.sleep(DUE + timedelta(minutes=1))
    after = await timer_tandem.status(ticket)
    assert after.priority is Priority.HIGH
    assert after.promises[0].missed_at is not None
    assert "agent_promise_missed" in {r.code for r in after.escalation_reasons}
    assert "agent_promise_missed" in [e.trigger for e in store.escalations(ticket)]
    [fact] = [f for f in store.ticket_facts() if f.ticket_id == ticket]
    assert "agent_promise_missed" in fact.escalation_codes, "counted in the report's escalation reasons"
    assert [e.kind for e in store.ai_events(ticket, kind_prefix="promise")] == ["promise_made"]


async def test_a_promise_kept_in_time_raises_nothing(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    ticket = await _taken(timer_tandem)
    now = await time_env.get_current_time()
    promise = await timer_tandem.promise(ticket, "grace", "I'll email the statement", now + DUE)
    later = await timer_tandem.promise(ticket, "grace", "I'll check the refund", now + 2 * DUE)
    kept = await timer_tandem.keep_promise(ticket, "grace", promise.promise_id)
    assert kept.kept_at is not None
    await time_env.sleep(DUE + timedelta(minutes=1))
    status = await timer_tandem.status(ticket)
    assert status.priority is Priority.NORMAL and status.promises[1].missed_at is None

    await time_env.sleep(DUE)  # the second one falls due unkept
    status = await timer_tandem.status(ticket)
    assert status.priority is Priority.HIGH and status.promises[1].promise_id == later.promise_id
    assert status.promises[1].missed_at is not None and status.promises[0].missed_at is None
