"""The AI turn activity: the reply to a customer message and the escalation policy's decision on it, in one
activity, so a turn costs one activity task and one workflow task instead of two of each. The reply comes
from `TurnAnswerer` (focus, retrieval, similar tickets, the reply pipeline); the decision from the
deployment's escalation engine. Cohere failures become `ApplicationError`s (retryable or not) for Temporal's
retry policy; the activity heartbeats, so a dead worker is noticed in seconds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from temporalio import activity

from activities.heartbeat import heartbeating
from tandem.adapters.cohere_errors import CohereError, to_application_error
from tandem.contracts import AiTurnRequest, AiTurnResult, CategoryRequest, EscalationCheck
from tandem.responder.previous_tickets import RecentTickets, with_previous_tickets

if TYPE_CHECKING:  # the workflow process imports this module for its activity names: not the models
    from tandem.escalation.engine import EscalationEngine
    from tandem.responder.turn import TurnAnswerer

log = logging.getLogger(__name__)


class AiTurnActivities:
    def __init__(
        self,
        answerer: TurnAnswerer,
        engine: EscalationEngine,
        categorize: Callable[[CategoryRequest], str | None],
        recent_tickets: RecentTickets | None = None,
    ) -> None:
        self._answerer = answerer
        self._engine = engine
        self._categorize = categorize
        self._recent = recent_tickets

    @activity.defn
    def ai_turn(self, request: AiTurnRequest) -> AiTurnResult:
        if self._recent is not None:  # the customer's previous tickets, when the backend passed none
            turn = request.turn
            customer = with_previous_tickets(turn.customer, turn.ticket_id, self._recent)
            request = request.model_copy(update={"turn": turn.model_copy(update={"customer": customer})})
        try:
            with heartbeating():
                reply = self._answerer.answer(request.turn)
        except CohereError as exc:
            raise to_application_error(exc) from exc
        check = EscalationCheck(
            message=request.turn.message,
            customer=request.turn.customer,
            confidence=reply.confidence,
            abstained=reply.abstained,
            ai_turns=request.ai_turns,
            unsure_turns=request.unsure_turns + int(reply.abstained),
            recent_customer_messages=request.recent_customer_messages,
        )
        decision = self._engine.decide(check, recent_messages=request.recent_customer_messages)
        category = self._category(request) if request.categorize else None
        return AiTurnResult(reply=reply, decision=decision, category=category)

    def _category(self, request: AiTurnRequest) -> str | None:
        """A category is a convenience for reports and the queue: failing to get one never fails the turn."""
        try:
            turn = request.turn
            return self._categorize(CategoryRequest(ticket_id=turn.ticket_id, message=turn.message))
        except Exception:
            log.exception("no category for ticket %s", request.turn.ticket_id)
            return None
