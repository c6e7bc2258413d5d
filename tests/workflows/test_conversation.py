"""A whole support conversation on the Temporal dev server, with the real store and help center."""

from __future__ import annotations

import asyncio
import re

from temporalio.client import WorkflowHandle
from temporalio.converter import decode_typed_search_attributes
from temporalio.testing import WorkflowEnvironment

from tandem.client import TandemClient
from tandem.contracts import AgentDraft, Author, ConversationState, Resolution
from tandem.store import TicketStore
from tests.conftest import new_ticket, wait_for_state


async def test_ai_turns_takeover_hand_back_and_close(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket(product="checking_accounts")
    tid = start.ticket_id
    tandem = local_tandem
    # Questions the bundled help center answers for customers (Purple Account articles), so each reply cites.
    first = await tandem.send_message(
        tid, "How much travel insurance coverage does the Purple Account include?", start=start
    )
    assert first.author is Author.AI and first.state is ConversationState.AI_ACTIVE
    assert first.sources, "an AI answer cites its sources"
    assert all(s.kind == "article" and not s.internal for s in first.sources)
    assert all(store.get_articles([s.id]) for s in first.sources)
    assert "[1]" in first.text and "$30,000" in first.text

    second = await tandem.send_message(
        tid, "How many complimentary airport lounge visits does the Purple Account include?"
    )
    assert second.author is Author.AI and second.sources
    assert second.state is ConversationState.AI_ACTIVE
    assert re.search(r"\b6\b", second.text), second.text

    await tandem.request_human(tid)
    waiting = await wait_for_state(tandem, tid, ConversationState.WAITING_FOR_HUMAN)
    assert waiting.escalated and "explicit_request" in {r.code for r in waiting.escalation_reasons}

    taken = await tandem.take_over(tid, "grace")
    assert taken.state is ConversationState.HUMAN_ACTIVE and taken.agent == "grace"
    await tandem.reply(tid, "grace", "Hi Ada, I can help with the Purple Account.")

    held = await tandem.send_message(tid, "Thanks! How can I get the monthly maintenance fee waived?")
    assert held.author is Author.SYSTEM, "no AI reply while a human owns the conversation"
    assert "grace" in held.text
    draft = await _eventually_draft_for(tandem, tid, held.message_id)
    assert draft.sources and draft.text, "the agent gets a suggested, cited reply"
    assert "$3,750" in draft.text, "the draft answers from the Purple Account the customer asked about"
    assert draft.text not in {e.text for e in await tandem.transcript(tid)}, "a draft is never sent"

    back = await tandem.hand_back(tid, "grace")
    assert back.state is ConversationState.AI_ACTIVE and back.agent is None
    closed = await tandem.close(
        tid, Resolution.RESOLVED_BY_HUMAN, by="grace", note="explained the fee waiver"
    )
    assert closed.state is ConversationState.CLOSED

    transcript = await tandem.transcript(tid)

    authors = [e.author for e in transcript]
    # The customer message sent while grace owned the ticket got no AI reply after it.
    held_at = next(i for i, e in enumerate(transcript) if e.text.startswith("Thanks! How can I"))
    assert transcript[held_at + 1].author is Author.SYSTEM  # the hand-back notice, not an AI answer
    assert authors.count(Author.AI) == 2
    assert authors.count(Author.AGENT) == 1
    assert authors.count(Author.CUSTOMER) == 3

    stored = store.transcript(tid)
    assert [e.message_id for e in stored] == [e.message_id for e in transcript]
    ticket = store.get_ticket(tid)
    assert ticket is not None and ticket.state == ConversationState.CLOSED
    assert ticket.escalated and ticket.resolution == Resolution.RESOLVED_BY_HUMAN
    assert [e.trigger for e in store.escalations(tid)] == ["request_human"]

    handle = local_env.client.get_workflow_handle(f"ticket-{tid}")
    description = await handle.describe()
    attrs = {pair.key.name: pair.value for pair in description.typed_search_attributes}
    assert attrs["Status"] == "CLOSED" and attrs["Escalated"] is True
    assert attrs["TicketId"] == tid and attrs["CustomerId"] == start.customer.customer_id
    assert attrs["Product"] == "checking_accounts"
    await _search_attributes_written_only_when_changed(handle)


async def _search_attributes_written_only_when_changed(handle: WorkflowHandle) -> None:
    """Each upsert writes only attributes whose value changed since the start or the upsert before (the
    client sets the ticket's attributes at start): otherwise a visibility write on the server for nothing."""
    history = await handle.fetch_history()
    current: dict[str, object] = {}
    upserts = 0
    for event in history.events:
        if event.HasField("workflow_execution_started_event_attributes"):
            fields = event.workflow_execution_started_event_attributes.search_attributes
        elif event.HasField("upsert_workflow_search_attributes_event_attributes"):
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            upserts += 1
        else:
            continue
        written = {p.key.name: p.value for p in decode_typed_search_attributes(fields)}
        if upserts:
            unchanged = {k for k, v in written.items() if current.get(k, _UNSET) == v}
            assert not unchanged, f"event {event.event_id} rewrote {sorted(unchanged)}"
        current.update(written)
    assert upserts >= 3 and current["Status"] == "CLOSED"


_UNSET = object()


async def test_first_message_asking_for_a_person_escalates_at_once(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket(high_value=True)
    tandem = local_tandem
    response = await tandem.send_message(
        start.ticket_id, "I want to talk to a real person please", start=start
    )
    assert response.escalation.escalate
    assert response.state is ConversationState.WAITING_FOR_HUMAN
    assert "explicit_request" in {r.code for r in response.escalation.reasons}
    assert "won't need to repeat" in response.text
    assert store.ai_events(start.ticket_id, kind_prefix="abstained") == [], "not a content gap"


async def test_off_topic_question_gets_an_honest_not_sure(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tandem = local_tandem
    response = await tandem.send_message(
        start.ticket_id, "What's the weather going to be like on Mars next Tuesday?", start=start
    )
    assert response.sources == []
    assert "not sure" in response.text.lower()
    assert "person" in response.text.lower()
    gaps = store.ai_events(start.ticket_id, kind_prefix="abstained")
    assert [e.detail for e in gaps] == ["What's the weather going to be like on Mars next Tuesday?"]


async def _eventually_draft_for(tandem: TandemClient, ticket_id: str, message_id: str) -> AgentDraft:
    async def draft_for_message() -> AgentDraft | None:
        draft = await tandem.draft(ticket_id)
        return draft if draft is not None and draft.for_message_id == message_id else None

    return await _eventually(draft_for_message)


async def _eventually(read):
    """The workflow prepares drafts and handoffs after answering: poll until one is there."""
    for _ in range(200):
        value = await read()
        if value is not None:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("the workflow never prepared it")


async def test_first_message_is_categorised_from_similar_resolved_tickets(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    await local_tandem.send_message(start.ticket_id, "My new card still hasn't arrived", start=start)
    status = await local_tandem.status(start.ticket_id)
    assert status.category == "card_arrival"
    ticket = store.get_ticket(start.ticket_id)
    assert ticket is not None and ticket.category == "card_arrival"
    description = await local_env.client.get_workflow_handle(f"ticket-{start.ticket_id}").describe()
    assert {p.key.name: p.value for p in description.typed_search_attributes}["Category"] == "card_arrival"
