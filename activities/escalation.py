"""Escalation check activity: runs the deployment's escalation engine on one AI turn."""

from __future__ import annotations

from temporalio import activity

from tandem.contracts import EscalationCheck, EscalationDecision
from tandem.escalation.engine import EscalationEngine


class EscalationActivities:
    def __init__(self, engine: EscalationEngine) -> None:
        self._engine = engine

    @activity.defn
    def check_escalation(self, check: EscalationCheck) -> EscalationDecision:
        return self._engine.decide(check, recent_messages=check.recent_customer_messages)
