"""Escalation check activity: runs the deployment's escalation rules on one AI turn."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import activity

from tandem.contracts import EscalationCheck, EscalationDecision
from tandem.escalation.rules import check_escalation


class EscalationActivities:
    def __init__(self, check: Callable[[EscalationCheck], EscalationDecision] = check_escalation) -> None:
        self._check = check

    @activity.defn
    def check_escalation(self, check: EscalationCheck) -> EscalationDecision:
        return self._check(check)
