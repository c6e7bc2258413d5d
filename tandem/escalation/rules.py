"""`check_escalation`: the escalation engine with the default policy (no topics), for callers without one.

The signals live in `tandem.escalation.signals`, the decision in `tandem.escalation.engine`; a deployment with
its own policy file builds an `EscalationEngine` once and calls `decide` instead.
"""

from __future__ import annotations

import threading

from tandem.contracts import EscalationCheck, EscalationDecision
from tandem.escalation.engine import EscalationEngine
from tandem.escalation.policy import default_policy

_LOCK = threading.Lock()
_ENGINE: EscalationEngine | None = None


def default_engine() -> EscalationEngine:
    """One engine with the default policy per process; it needs no embedder (no topics)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            _ENGINE = EscalationEngine(default_policy())
        return _ENGINE


def check_escalation(check: EscalationCheck) -> EscalationDecision:
    """Signals in this turn, whether they warrant a person, and the queue priority (default policy)."""
    return default_engine().decide(check)
