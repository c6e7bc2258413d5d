"""Update validators reject bad input before anything is written: not to history, not to the store."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from tandem.client import RequestRejected, TandemClient, TicketClosedError, UnknownTicketError
from tandem.contracts import MAX_MESSAGE_CHARS, ConversationState, Resolution
from tandem.store import TicketStore
from tests.conftest import new_ticket, wait_for_state


async def _accepted_updates(env: WorkflowEnvironment, ticket_id: str) -> int:
    history = await env.client.get_workflow_handle(f"ticket-{ticket_id}").fetch_history()
    return sum(
        e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED for e in history.events
    )


async def test_empty_and_oversized_messages_are_rejected_and_nothing_is_written(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tid = start.ticket_id
    tandem = local_tandem
    await tandem.send_message(tid, "How do I open a checking account?", start=start)
    messages_before = store.message_count(tid)
    updates_before = await _accepted_updates(local_env, tid)

    with pytest.raises(RequestRejected, match="empty"):
        await tandem.send_message(tid, "   \n ")
    with pytest.raises(RequestRejected, match=str(MAX_MESSAGE_CHARS)):
        await tandem.send_message(tid, "x" * (MAX_MESSAGE_CHARS + 1))
    with pytest.raises(RequestRejected, match="no agent owns"):
        await tandem.reply(tid, "grace", "hello")

    assert store.message_count(tid) == messages_before
    assert await _accepted_updates(local_env, tid) == updates_before
    assert len(await tandem.transcript(tid)) == messages_before


async def test_messages_after_close_are_rejected(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tid = start.ticket_id
    tandem = local_tandem
    await tandem.send_message(tid, "How do I open a checking account?", start=start)
    await tandem.close(tid, Resolution.RESOLVED_BY_AI, by="customer")
    messages_before = store.message_count(tid)

    with pytest.raises(TicketClosedError):
        await tandem.send_message(tid, "one more thing")
    with pytest.raises(TicketClosedError):
        await tandem.send_message(tid, "one more thing", start=start)  # no second conversation either
    with pytest.raises(TicketClosedError):
        await tandem.take_over(tid, "grace")

    assert store.message_count(tid) == messages_before
    ticket = store.get_ticket(tid)
    assert ticket is not None and ticket.state == ConversationState.CLOSED


async def test_the_same_message_sent_twice_is_one_message(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tid = start.ticket_id
    tandem = local_tandem
    first = await tandem.send_message(tid, "How do I open a checking account?", message_id="m-1", start=start)
    again = await tandem.send_message(tid, "How do I open a checking account?", message_id="m-1", start=start)
    transcript = await tandem.transcript(tid)
    assert again == first
    assert [e.message_id for e in transcript].count("m-1") == 1
    assert store.message_count(tid) == len(transcript) == 2


async def test_unknown_ticket_is_a_clear_error(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    tandem = local_tandem
    with pytest.raises(UnknownTicketError):
        await tandem.send_message("no-such-ticket", "hello")
    with pytest.raises(UnknownTicketError):
        await tandem.status("no-such-ticket")


async def test_a_second_agent_cannot_take_an_owned_conversation(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tandem = local_tandem
    await tandem.open_ticket(start)
    await tandem.take_over(start.ticket_id, "grace")
    again = await tandem.take_over(start.ticket_id, "grace")  # a retried takeover is fine
    with pytest.raises(RequestRejected, match="grace already owns"):
        await tandem.take_over(start.ticket_id, "linus")
    assert again.agent == "grace"


async def test_control_characters_are_removed_before_anything_is_written(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    """A NUL byte (which PostgreSQL refuses) or a terminal escape in a message is removed at the boundary:
    the message is answered, stored clean, and "talk to a human" still works afterwards."""
    start = new_ticket()
    tid = start.ticket_id
    reply = await local_tandem.send_message(
        tid, "How do I open a\x00 checking\x1b[31m account?\r\n", start=start
    )
    assert reply.text
    said = [e for e in await local_tandem.transcript(tid) if e.author.value == "customer"]
    assert [e.text for e in said] == ["How do I open a checking account?"]
    assert "\x00" not in (store.get_ticket(tid).subject or "")  # type: ignore[union-attr]

    await local_tandem.request_human(tid, "please\x00 a person")
    status = await wait_for_state(local_tandem, tid, ConversationState.WAITING_FOR_HUMAN)
    assert status.escalated
    transcript = await local_tandem.transcript(tid)
    for _ in range(200):  # the signal's store writes follow its state change
        if store.message_count(tid) == len(transcript):
            break
        await asyncio.sleep(0.05)
    assert store.message_count(tid) == len(transcript)
    assert all("\x00" not in e.text for e in store.transcript(tid))


async def test_a_rejected_first_message_starts_nothing(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tid = start.ticket_id
    for bad in ("", "  \x00 \n", "x" * (MAX_MESSAGE_CHARS + 1)):
        with pytest.raises(RequestRejected):
            await local_tandem.send_message(tid, bad, start=start)
    with pytest.raises(RequestRejected, match="control characters"):
        await local_tandem.send_message(tid, "hello", message_id="m\x00-1", start=start)
    with pytest.raises(UnknownTicketError):
        await local_tandem.status(tid)
    assert store.get_ticket(tid) is None


async def test_a_write_the_store_refuses_for_good_never_freezes_the_conversation(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    """An operator removed the ticket's row: status writes now fail for good (unknown ticket). They are not
    retried forever: "talk to a human" still reaches the queue and the next message is answered."""
    start = new_ticket()
    tid = start.ticket_id
    await local_tandem.send_message(tid, "How do I open a checking account?", start=start)
    with store._engine.begin() as conn:  # the row goes missing behind Tandem's back
        conn.execute(text("DELETE FROM tickets WHERE ticket_id = :t"), {"t": tid})

    await local_tandem.request_human(tid)
    await wait_for_state(local_tandem, tid, ConversationState.WAITING_FOR_HUMAN)
    reply = await asyncio.wait_for(local_tandem.send_message(tid, "are you there?"), timeout=30)
    assert reply.state is ConversationState.WAITING_FOR_HUMAN and reply.text
