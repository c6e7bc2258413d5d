"""A customer's previous tickets come from the store when the backend passes none: the reply remembers a
related earlier ticket, and the person who takes over sees what the earlier tickets were about and how they
ended. Nobody repeats themselves."""

from __future__ import annotations

import uuid

from tandem.client import TandemClient
from tandem.contracts import ConversationState, Resolution
from tandem.store import TicketStore
from tests.conftest import eventually, new_ticket, wait_for_state

FIRST = "My Wombat card was declined at the pharmacy even though the Wombat card is active."
NOTE = "The Wombat card had a merchant category block; removed it in card controls."


async def test_previous_tickets_are_read_from_the_store(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    first = new_ticket(customer_id=customer)
    await local_tandem.send_message(first.ticket_id, FIRST, start=first)
    await local_tandem.take_over(first.ticket_id, "grace")
    await local_tandem.close(first.ticket_id, Resolution.RESOLVED_BY_HUMAN, by="grace", note=NOTE)

    second = new_ticket(customer_id=customer)
    assert second.customer.previous_tickets == []  # the backend passed none
    reply = await local_tandem.send_message(
        second.ticket_id, "My Wombat card was declined again at the pharmacy", start=second
    )
    assert f"earlier ticket {first.ticket_id}" in reply.text, reply.text

    await local_tandem.request_human(second.ticket_id)
    await wait_for_state(local_tandem, second.ticket_id, ConversationState.WAITING_FOR_HUMAN)
    package = await eventually(lambda: local_tandem.handoff(second.ticket_id), "a handoff package")
    assert first.ticket_id in package.summary and "resolved by a person" in package.summary, package.summary
    assert "merchant category block" in package.summary

    other = new_ticket()  # another customer never sees them
    reply = await local_tandem.send_message(
        other.ticket_id, "My Wombat card was declined again at the pharmacy", start=other
    )
    assert first.ticket_id not in reply.text and "merchant category" not in reply.text
