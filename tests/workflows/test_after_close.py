"""After close: the satisfaction survey (an update, ended by a timer) and reopening as a new episode."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from tandem.client import RequestRejected, TandemClient, TicketClosedError
from tandem.contracts import Author, ConversationState, ConversationTimeouts, Resolution, TicketOutcome
from tandem.store import TicketStore
from tests.conftest import new_ticket, wait_for_state


async def test_rating_after_close_is_stored_once(local_tandem: TandemClient, store: TicketStore) -> None:
    start = new_ticket()
    tid = start.ticket_id
    await local_tandem.send_message(tid, "How do I open a savings account?", start=start)
    with pytest.raises(RequestRejected, match="when the conversation is closed"):
        await local_tandem.submit_csat(tid, 5)
    await local_tandem.close(tid, Resolution.RESOLVED_BY_AI, by="customer")

    rated = await local_tandem.submit_csat(tid, 4, "quick and clear")
    again = await local_tandem.submit_csat(tid, 4, "quick and clear")  # a retry
    with pytest.raises(RequestRejected, match="already been rated"):
        await local_tandem.submit_csat(tid, 1)
    with pytest.raises(RequestRejected, match="less than or equal to 5"):
        await local_tandem.submit_csat(tid, 9)  # refused by the contract before it leaves the client

    assert rated.csat is not None and rated.csat.rating == 4 and again.csat == rated.csat
    assert [(c.rating, c.comment) for c in store.csat(tid)] == [(4, "quick and clear")]


async def test_reopen_starts_a_new_episode_without_the_old_escalation(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket(product="checking_accounts")
    tid = start.ticket_id
    await local_tandem.send_message(tid, "I want to talk to a person", start=start)
    await local_tandem.take_over(tid, "grace")
    await local_tandem.close(tid, Resolution.RESOLVED_BY_HUMAN, by="grace")

    response = await local_tandem.reopen(
        tid, "One more thing: how much travel insurance coverage does the Purple Account include?"
    )
    status = await local_tandem.status(tid)

    assert response.state is ConversationState.AI_ACTIVE and response.sources, "the AI answers again"
    assert response.author is Author.AI and "$30,000" in response.text
    assert status.reopened == 1 and not status.escalated and status.escalation_reasons == []
    assert status.agent is None
    ticket = store.get_ticket(tid)
    assert ticket is not None and ticket.state == ConversationState.AI_ACTIVE


async def test_survey_window_ends_the_conversation(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    timeouts = ConversationTimeouts(csat_window=timedelta(hours=24))
    start = new_ticket().model_copy(update={"timeouts": timeouts})
    tid = start.ticket_id
    await timer_tandem.open_ticket(start)
    await timer_tandem.close(tid, Resolution.RESOLVED_BY_AI, by="customer")
    await wait_for_state(timer_tandem, tid, ConversationState.CLOSED)

    await time_env.sleep(timedelta(hours=25))
    handle = time_env.client.get_workflow_handle(f"ticket-{tid}", result_type=TicketOutcome)
    outcome = await handle.result()
    assert outcome.csat is None and outcome.resolution is Resolution.RESOLVED_BY_AI
    with pytest.raises(TicketClosedError):
        await timer_tandem.submit_csat(tid, 5)


async def test_reopen_long_after_the_last_message_is_not_closed_as_abandoned(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    timeouts = ConversationTimeouts(inactivity=timedelta(minutes=15), csat_window=timedelta(hours=24))
    start = new_ticket().model_copy(update={"timeouts": timeouts})
    tid = start.ticket_id
    await timer_tandem.open_ticket(start)
    await timer_tandem.send_message(tid, "How do I deposit a check?")
    await timer_tandem.close(tid, Resolution.RESOLVED_BY_AI, by="customer")
    again = await timer_tandem.close(tid, Resolution.RESOLVED_BY_AI, by="customer")  # a retried close
    assert again.state is ConversationState.CLOSED

    await time_env.sleep(timedelta(hours=2))  # long past the old inactivity deadline
    response = await timer_tandem.reopen(tid, "Back again: how do I deposit a check?")
    assert response.state is ConversationState.AI_ACTIVE and response.author.value == "ai"
    assert (await timer_tandem.status(tid)).state is ConversationState.AI_ACTIVE
