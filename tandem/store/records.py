"""Values the store hands back that are not workflow contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.contracts import ConversationState, Priority, Resolution


class UnknownTicketError(LookupError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"unknown ticket: {ticket_id}")
        self.ticket_id = ticket_id


@dataclass(frozen=True, slots=True)
class TicketSummary:
    ticket_id: str
    customer_id: str
    product: str | None
    subject: str
    state: ConversationState
    priority: Priority
    escalated: bool
    agent: str | None
    resolution: Resolution | None
    category: str | None
    resolution_text: str | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    message_count: int


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
