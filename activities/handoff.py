"""Handoff activity: writes the package a person reads when they pick an escalated conversation up."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from tandem.contracts import HandoffPackage, HandoffRequest
from tandem.escalation.handoff import build_handoff
from tandem.responder.previous_tickets import RecentTickets, with_previous_tickets


class HandoffActivities:
    def __init__(self, recent_tickets: RecentTickets | None = None) -> None:
        self._recent = recent_tickets

    @activity.defn
    def prepare_handoff(self, request: HandoffRequest) -> HandoffPackage:
        customer = request.customer
        if self._recent is not None:  # the person taking over sees the customer's earlier tickets
            customer = with_previous_tickets(customer, request.ticket_id, self._recent)
        return build_handoff(
            ticket_id=request.ticket_id,
            customer=customer,
            transcript=request.transcript,
            reasons=request.reasons,
            category=request.category,
            suggested_reply=request.suggested_reply,
            created_at=datetime.now(UTC),
        )
