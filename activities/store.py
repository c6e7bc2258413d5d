"""Ticket-store activities. Every write is keyed by an id the workflow chose, so a retry never duplicates."""

from __future__ import annotations

from temporalio import activity

from tandem.contracts import (
    AiEventRecord,
    Author,
    CsatRecord,
    EscalationRecord,
    HandoffPackage,
    MessageRecord,
    TicketRecord,
    TicketStatusUpdate,
)
from tandem.store import TicketStore


class StoreActivities:
    def __init__(self, store: TicketStore) -> None:
        self._store = store

    @activity.defn
    def open_ticket(self, record: TicketRecord) -> None:
        self._store.open_ticket(record)

    @activity.defn
    def record_message(self, record: MessageRecord) -> None:
        self._store.record_message(record)
        if record.entry.author in (Author.AI, Author.AGENT):  # resolution-time metrics start here
            self._store.mark_first_response(record.ticket_id, record.entry.at)

    @activity.defn
    def record_escalation(self, record: EscalationRecord) -> None:
        self._store.record_escalation(record)

    @activity.defn
    def update_status(self, update: TicketStatusUpdate) -> None:
        self._store.update_status(update)
        if update.resolution_note:
            self._store.set_resolution_text(update.ticket_id, update.resolution_note)

    @activity.defn
    def record_csat(self, record: CsatRecord) -> None:
        self._store.record_csat(record)

    @activity.defn
    def record_ai_event(self, record: AiEventRecord) -> None:
        if record.kind == "reopened":
            self._store.mark_reopened(ticket_id=record.ticket_id, event_id=record.event_id, at=record.at)
            return
        self._store.record_ai_event(
            record.ticket_id, record.event_id, record.at, record.kind, record.detail, record.message_id
        )

    @activity.defn
    def record_handoff(self, package: HandoffPackage) -> None:
        handoff_id = f"{package.ticket_id}:handoff:{package.created_at.isoformat()}"
        self._store.record_handoff(package.ticket_id, handoff_id, package)
