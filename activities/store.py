"""Ticket-store activities. Every write is keyed by an id the workflow chose, so a retry never duplicates."""

from __future__ import annotations

from temporalio import activity

from tandem.contracts import CsatRecord, EscalationRecord, MessageRecord, TicketRecord, TicketStatusUpdate
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
