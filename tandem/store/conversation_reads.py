"""Reads for the HTTP API and the AI turn: a ticket's messages after a point (its live event stream), whose
ticket it is, and a customer's own tickets."""

from __future__ import annotations

from sqlalchemy import false
from sqlmodel import col, select

from tandem.contracts import Author, TranscriptEntry
from tandem.store import mapping
from tandem.store.base import StoreBase
from tandem.store.models import MessageRow, TicketRow
from tandem.store.records import TicketSummary


class ConversationReads(StoreBase):
    def messages_after(self, ticket_id: str, seq: int, limit: int = 200) -> list[tuple[int, TranscriptEntry]]:
        """The ticket's messages stored after position `seq` (0: all), with their positions, in order. The
        position is the order messages were written in, so it resumes a stream without gaps or repeats."""
        stmt = (
            select(MessageRow)
            .where(col(MessageRow.ticket_id) == ticket_id, col(MessageRow.seq) > seq)
            .order_by(col(MessageRow.seq))
            .limit(limit)
        )
        with self._session() as s:
            return [(row.seq, mapping.entry(row)) for row in s.exec(stmt)]

    def ticket_owner(self, ticket_id: str) -> str | None:
        """The customer id of a stored ticket (None: no such ticket stored yet)."""
        with self._session() as s:
            return s.exec(select(TicketRow.customer_id).where(col(TicketRow.ticket_id) == ticket_id)).first()

    def recent_tickets(
        self, customer_id: str, exclude_ticket_id: str | None = None, limit: int = 5
    ) -> list[tuple[TicketSummary, str]]:
        """The customer's latest tickets, newest first, each with its first customer message (what it was
        about when no subject was given); simulated tickets are left out."""
        stmt = (
            select(TicketRow)
            .where(col(TicketRow.customer_id) == customer_id, col(TicketRow.simulated) == false())
            .order_by(col(TicketRow.opened_at).desc())
            .limit(limit + 1)
        )
        with self._session() as s:
            rows = [r for r in s.exec(stmt) if r.ticket_id != exclude_ticket_id][:limit]
            first: dict[str, str] = {}
            if rows:
                texts = s.exec(
                    select(MessageRow.ticket_id, MessageRow.text)
                    .where(
                        col(MessageRow.ticket_id).in_([r.ticket_id for r in rows]),
                        col(MessageRow.author) == Author.CUSTOMER.value,
                    )
                    .order_by(col(MessageRow.at), col(MessageRow.seq))
                )
                for ticket_id, text in texts:
                    first.setdefault(ticket_id, text)
            return [(mapping.summary(row, 0), first.get(row.ticket_id, "")) for row in rows]

    def customer_tickets(self, customer_id: str, limit: int = 50) -> list[TicketSummary]:
        stmt = (
            select(TicketRow)
            .where(col(TicketRow.customer_id) == customer_id)
            .order_by(col(TicketRow.opened_at).desc())
            .limit(limit)
        )
        with self._session() as s:
            return [mapping.summary(row, 0) for row in s.exec(stmt)]
