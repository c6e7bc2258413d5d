"""Handoff activity: writes the package a person reads when they pick an escalated conversation up."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from tandem.contracts import HandoffPackage, HandoffRequest
from tandem.escalation.handoff import build_handoff


class HandoffActivities:
    @activity.defn
    def prepare_handoff(self, request: HandoffRequest) -> HandoffPackage:
        return build_handoff(
            ticket_id=request.ticket_id,
            customer=request.customer,
            transcript=request.transcript,
            reasons=request.reasons,
            category=request.category,
            suggested_reply=request.suggested_reply,
            created_at=datetime.now(UTC),
        )
