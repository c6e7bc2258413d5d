"""What the store knows about tickets as a whole: the facts metrics are computed from, and the resolved
ticket history (imported or closed here) that similar-ticket answers and categories learn from."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, false, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from tandem.contracts import Author, ConversationState, Resolution
from tandem.knowledge.documents import ResolvedTicket
from tandem.store import mapping
from tandem.store.base import StoreBase, stamp, table_of
from tandem.store.models import (
    CsatRow,
    EscalationEventRow,
    MessageRow,
    ResolvedTicketRow,
    TicketRow,
)
from tandem.store.records import TicketFacts

CLOSED = ConversationState.CLOSED.value


class TicketHistory(StoreBase):
    # --- metrics -------------------------------------------------------------------------------------

    def ticket_facts(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        product: str | None = None,
        *,
        include_simulated: bool = False,
    ) -> list[TicketFacts]:
        """Every ticket opened in [since, until) (of one product), oldest first, with what metrics need;
        simulated tickets (`tandem simulate`) only with `include_simulated`.

        Two queries whatever the number of tickets: tickets joined with their CSAT and message counts by
        author, then the escalation events' reason codes.
        """
        filters: list[ColumnElement[bool]] = []
        if since is not None:
            filters.append(col(TicketRow.opened_at) >= since)
        if until is not None:
            filters.append(col(TicketRow.opened_at) < until)
        if product is not None:
            filters.append(col(TicketRow.product) == product)
        if not include_simulated:
            filters.append(col(TicketRow.simulated) == false())
        tickets, messages = table_of(TicketRow), table_of(MessageRow)

        def by_author(author: Author) -> Any:
            return func.coalesce(func.sum(case((messages.c.author == author.value, 1), else_=0)), 0)

        counts = (
            sa_select(
                messages.c.ticket_id,
                by_author(Author.AI).label("ai_messages"),
                by_author(Author.AGENT).label("agent_messages"),
                by_author(Author.CUSTOMER).label("customer_messages"),
            )
            .join(tickets, tickets.c.ticket_id == messages.c.ticket_id)
            .where(*filters)
            .group_by(messages.c.ticket_id)
            .subquery()
        )
        csat = table_of(CsatRow)
        facts = (
            sa_select(
                tickets,
                csat.c.rating,
                counts.c.ai_messages,
                counts.c.agent_messages,
                counts.c.customer_messages,
            )
            .outerjoin(csat, csat.c.ticket_id == tickets.c.ticket_id)
            .outerjoin(counts, counts.c.ticket_id == tickets.c.ticket_id)
            .where(*filters)
            .order_by(tickets.c.opened_at, tickets.c.ticket_id)
        )
        events = table_of(EscalationEventRow)
        reasons = (
            sa_select(events.c.ticket_id, events.c.reasons)
            .join(tickets, tickets.c.ticket_id == events.c.ticket_id)
            .where(*filters)
            .order_by(events.c.ticket_id, events.c.at, events.c.event_id)
        )
        with self._session() as s:
            rows = s.connection().execute(facts).all()
            by_ticket: dict[str, list[str]] = {}
            for ticket_id, reasons_json in s.connection().execute(reasons):
                by_ticket.setdefault(ticket_id, []).append(reasons_json)
        return [
            TicketFacts(
                ticket_id=row.ticket_id,
                customer_id=row.customer_id,
                product=row.product,
                category=row.category,
                state=ConversationState(row.state),
                resolution=Resolution(row.resolution) if row.resolution else None,
                escalated=bool(row.escalated),
                opened_at=row.opened_at,
                closed_at=row.closed_at,
                first_response_at=row.first_response_at,
                escalated_at=row.escalated_at,
                reopen_count=row.reopen_count,
                csat_rating=row.rating,
                escalation_codes=mapping.escalation_codes(by_ticket.get(row.ticket_id, [])),
                ai_message_count=int(row.ai_messages or 0),
                agent_message_count=int(row.agent_messages or 0),
                customer_message_count=int(row.customer_messages or 0),
            )
            for row in rows
        ]

    # --- history -------------------------------------------------------------------------------------

    def import_resolved_tickets(self, tickets: Iterable[ResolvedTicket]) -> int:
        """Inserts new tickets and rewrites changed ones; returns how many of either there were."""
        rows = [mapping.resolved_row(ticket) for ticket in {t.ticket_id: t for t in tickets}.values()]
        with self._session() as s:
            written = self._insert_many(s, self._upsert_changed(ResolvedTicketRow), rows)
            s.commit()
        return written

    def resolved_tickets(self) -> list[ResolvedTicket]:
        """Imported history plus live tickets closed with a resolution text (a live one wins an id clash)."""
        live = _live_resolved()
        customer_text = (
            select(MessageRow.ticket_id, MessageRow.text)
            .join(TicketRow, col(TicketRow.ticket_id) == col(MessageRow.ticket_id))
            .where(*live, col(MessageRow.author) == Author.CUSTOMER.value)
            .order_by(col(MessageRow.ticket_id), col(MessageRow.at), col(MessageRow.seq))
        )
        with self._session() as s:
            imported = s.exec(select(ResolvedTicketRow).order_by(col(ResolvedTicketRow.ticket_id))).all()
            closed = s.exec(select(TicketRow).where(*live).order_by(col(TicketRow.ticket_id))).all()
            bodies: dict[str, list[str]] = {}
            for ticket_id, text in s.exec(customer_text):
                bodies.setdefault(ticket_id, []).append(text)
        merged = {row.ticket_id: mapping.resolved(row) for row in imported}
        for row in closed:
            merged[row.ticket_id] = ResolvedTicket(
                ticket_id=row.ticket_id,
                subject=row.subject,
                body="\n".join(bodies.get(row.ticket_id, [])),
                resolution=row.resolution_text or "",
                category=row.category,
            )
        return list(merged.values())

    def tickets_version(self) -> str:
        """Changes whenever resolved_tickets() would: imports, closes, reopens, category or text edits."""
        imported = select(func.count(), func.coalesce(func.sum(ResolvedTicketRow.hash_key), 0))
        # max(closed_at) catches a ticket reopened and closed again with the same text.
        live = select(
            func.count(), func.coalesce(func.sum(TicketRow.hash_key), 0), func.max(TicketRow.closed_at)
        ).where(*_live_resolved())
        with self._session() as s:
            i_count, i_sum = s.exec(imported.select_from(ResolvedTicketRow)).one()
            l_count, l_sum, newest = s.exec(live.select_from(TicketRow)).one()
        return f"{i_count}:{i_sum}/{l_count}:{l_sum}:{stamp(newest)}"


def _live_resolved() -> tuple[ColumnElement[bool], ...]:
    """Live tickets that count as resolved history: closed, with a resolution text, not simulated."""
    return (
        col(TicketRow.state) == CLOSED,
        col(TicketRow.resolution_text).is_not(None),
        col(TicketRow.simulated) == false(),
    )
