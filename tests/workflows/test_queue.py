"""The agent queue: conversations waiting for a person, most urgent first, then longest waiting."""

from __future__ import annotations

import asyncio

from tandem.client import TandemClient
from tandem.contracts import ConversationState, Priority, QueueItem
from tandem.store import TicketStore
from tests.conftest import new_ticket, wait_for_state


async def test_queue_orders_by_priority_then_waiting_time(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    first, vip, last = new_ticket(), new_ticket(high_value=True), new_ticket()
    for start in (first, vip, last):
        await local_tandem.open_ticket(start)
        await local_tandem.request_human(start.ticket_id)
        await wait_for_state(local_tandem, start.ticket_id, ConversationState.WAITING_FOR_HUMAN)
    taken = new_ticket()
    await local_tandem.open_ticket(taken)
    await local_tandem.request_human(taken.ticket_id)
    await wait_for_state(local_tandem, taken.ticket_id, ConversationState.WAITING_FOR_HUMAN)
    await local_tandem.take_over(taken.ticket_id, "grace")

    ours = {s.ticket_id for s in (first, vip, last, taken)}
    items = await _queue_once_settled(local_tandem, waiting=ours - {taken.ticket_id}, gone={taken.ticket_id})
    mine = [item for item in items if item.ticket_id in ours]

    assert [item.ticket_id for item in mine] == [vip.ticket_id, first.ticket_id, last.ticket_id]
    assert mine[0].priority is Priority.HIGH and mine[1].priority is Priority.NORMAL
    assert mine[1].waiting_since <= mine[2].waiting_since


async def _queue_once_settled(tandem: TandemClient, waiting: set[str], gone: set[str]) -> list[QueueItem]:
    """Visibility is eventually consistent: poll until the queue reflects every change."""
    for _ in range(100):
        items = await tandem.queue()
        listed = {item.ticket_id for item in items}
        if waiting <= listed and not gone & listed:
            return items
        await asyncio.sleep(0.1)
    raise AssertionError("the queue never settled")
