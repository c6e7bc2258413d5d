"""A customer's previous tickets, from the store, when the caller did not pass them: what each was about
and how it ended. The AI turn and the handoff read them, so a customer who writes again is not asked to
repeat what an earlier ticket settled, and the person who takes over sees the history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tandem.contracts import ConversationState, CustomerContext, PreviousTicket, Resolution

if TYPE_CHECKING:
    from tandem.store.records import TicketSummary

MAX_PREVIOUS_TICKETS = 5
SUBJECT_CHARS = 160

# (customer id, the current ticket's id, how many) -> newest first, each with its first customer message
RecentTickets = Callable[[str, str, int], Sequence[tuple["TicketSummary", str]]]

_ENDED = {
    Resolution.RESOLVED_BY_AI: "answered by the AI",
    Resolution.RESOLVED_BY_HUMAN: "resolved by a person",
    Resolution.ABANDONED: "left without a reply from the customer",
    Resolution.CLOSED_BY_CUSTOMER: "closed by the customer",
}


def outcome(ticket: TicketSummary) -> str:
    """How a ticket ended, in a few words."""
    if ticket.state is not ConversationState.CLOSED:
        return "still open" + (", with a person" if ticket.state is ConversationState.HUMAN_ACTIVE else "")
    ended = _ENDED.get(ticket.resolution, "closed") if ticket.resolution is not None else "closed"
    when = f" on {ticket.closed_at:%Y-%m-%d}" if ticket.closed_at is not None else ""
    return f"{ended}{when}" + (f", reopened {ticket.reopen_count}x" if ticket.reopen_count else "")


def with_previous_tickets(
    customer: CustomerContext, ticket_id: str, recent: RecentTickets
) -> CustomerContext:
    """`customer` with its previous tickets from the store, unless the caller passed some."""
    if customer.previous_tickets:
        return customer
    found = recent(customer.customer_id, ticket_id, MAX_PREVIOUS_TICKETS)
    if not found:
        return customer
    previous = [
        PreviousTicket(
            ticket_id=t.ticket_id,
            subject=(t.subject or first_message)[:SUBJECT_CHARS],
            resolution=t.resolution_text or "",
            outcome=outcome(t),
        )
        for t, first_message in found
    ]
    return customer.model_copy(update={"previous_tickets": previous})
