"""Resolved tickets help the agent, never the customer directly: when only past tickets know a question, the
AI offers a person (no "not sure", no quote from another customer's ticket), and the agent's draft lists the
similar resolved tickets with their resolutions. A person's resolution note reaches the next ticket."""

from __future__ import annotations

from tandem.client import TandemClient
from tandem.contracts import Author, ConversationState, Resolution
from tandem.store import TicketStore
from tests.conftest import eventually, new_ticket, wait_for_state

# No customer-facing article answers it (only agent procedures do); the ticket history has asked it often.
QUESTION = "How do I report a lost credit card?"
NOTE = "Froze the lost card in the app, then ordered a replacement with expedited shipping."


async def test_only_tickets_know_it_the_customer_is_offered_a_person_and_the_agent_gets_the_tickets(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    # An earlier customer asked it; a person answered and closed the ticket with a resolution note.
    earlier = new_ticket(product="credit_cards")
    await local_tandem.send_message(earlier.ticket_id, QUESTION, start=earlier)
    await local_tandem.take_over(earlier.ticket_id, "grace")
    await local_tandem.reply(earlier.ticket_id, "grace", "Hi Ada, I've frozen it and ordered a new one.")
    await local_tandem.close(earlier.ticket_id, Resolution.RESOLVED_BY_HUMAN, by="grace", note=NOTE)

    start = new_ticket(product="credit_cards", name="Grace Hopper")
    tid = start.ticket_id
    response = await local_tandem.send_message(tid, "How can I report my lost credit card?", start=start)

    assert response.author is Author.AI and response.state is ConversationState.AI_ACTIVE
    assert "not sure" not in response.text.lower(), "tickets know it: a person can answer, not 'unsure'"
    assert "person" in response.text.lower() or "someone" in response.text.lower()
    assert response.sources == [], "another customer's ticket is never a customer's source"
    assert "Froze" not in response.text and earlier.ticket_id not in response.text
    assert [e.detail for e in store.ai_events(tid, kind_prefix="abstained")] == [
        "How can I report my lost credit card?"
    ], "recorded as a content gap for the help center"

    await local_tandem.request_human(tid)
    await wait_for_state(local_tandem, tid, ConversationState.WAITING_FOR_HUMAN)
    draft = await eventually(lambda: local_tandem.draft(tid), "a draft")

    assert earlier.ticket_id in {s.id for s in draft.sources}, draft.sources
    assert all(s.kind == "ticket" for s in draft.sources)
    assert NOTE[:40] in draft.text and earlier.ticket_id in draft.text, draft.text
    assert "for you only" in draft.text
    sent = await local_tandem.transcript(tid)
    assert not any("Froze" in e.text for e in sent), "the draft is for the agent only"
