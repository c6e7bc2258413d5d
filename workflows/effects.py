"""Carrying out what the conversation machine asks for: store writes through the store activities, AI turns
through the AI's, and the help people get (a draft, a hand-off package). Workflow code."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.store import STORE_REJECTED, StoreActivities
    from tandem.contracts import AiMode, EscalationDecision, EscalationReason, SupportResponse
    from tandem.conversation.effects import AnswerWithAi, Effect, WriteEscalation, WriteEvent, WriteMessage
    from tandem.conversation.machine import Conversation
    from workflows import activity_policy as policy
    from workflows.ai_steps import AiSteps
    from workflows.visibility import Visibility


class EffectRunner:
    def __init__(self, conversation: Conversation, ai: AiSteps, seen: Visibility) -> None:
        self._c = conversation
        self._ai = ai
        self._seen = seen

    async def apply(self, effects: list[Effect]) -> SupportResponse | None:
        """Carry out a transition's effects in order; the response of an AI turn among them."""
        response = None
        for effect in effects:
            if isinstance(effect, AnswerWithAi):
                response = await self._ai_turn(effect)
            elif isinstance(effect, WriteMessage):
                await self.store(StoreActivities.record_message, effect.record)
            elif isinstance(effect, WriteEscalation):
                await self.store(StoreActivities.record_escalation, effect.record)
            elif isinstance(effect, WriteEvent):
                await self.store(StoreActivities.record_ai_event, effect.record)
            else:
                await self.store(StoreActivities.update_status, effect.update)
                self._seen.publish(self._c.data)
        return response

    async def store(self, method: Callable[..., None], arg: object) -> None:
        """Write to the store; a write the database refuses for good never wedges the conversation: the
        conversation keeps it in its own state, and a customer the AI is serving goes to a person."""
        try:
            await workflow.execute_activity_method(
                method, arg, start_to_close_timeout=policy.STORE_TIMEOUT, retry_policy=policy.STORE_RETRY
            )
        except ActivityError as err:
            cause = err.cause
            if not (isinstance(cause, ApplicationError) and cause.type == STORE_REJECTED):
                raise
            workflow.logger.error("store refused a write for ticket %s: %s", self._c.ticket_id, cause.message)
            await self.apply(self._c.store_refused(workflow.now(), cause.message))

    async def _ai_turn(self, turn: AnswerWithAi) -> SupportResponse:
        try:
            reply = await self._ai.reply(turn.message_id, turn.text, self._c.data)
            decision = await self._ai.check(self._c.escalation_check(turn.message_id, turn.text, reply))
        except ActivityError as err:
            # Retrieval, the model or the policy check is down: never a dead end, bring in a person.
            workflow.logger.warning("AI turn failed on ticket %s: %s", self._c.ticket_id, err.cause or err)
            reply = None
            reason = EscalationReason(code="ai_unavailable", detail=str(err.cause or err)[:200])
            decision = EscalationDecision(escalate=True, reasons=[reason], priority=self._c.data.priority)
        effects, response = self._c.ai_turn_finished(
            workflow.now(), turn.message_id, turn.text, reply, decision
        )
        await self.apply(effects)
        return response

    async def help_people(self, ai_mode: AiMode) -> None:
        """A draft of the reply and a hand-off package for the person who has, or will have, the ticket.
        Bounded retries: a failing helper never holds up the timers."""
        d = self._c.data
        if self._c.needs_draft(ai_mode):
            d.drafted_for_activity = d.customer_activity
            d.draft = await self._ai.draft(d) or d.draft
        if d.handoff_due:
            d.handoff_due = False
            if (package := await self._ai.handoff(d)) is not None:
                d.handoff = package
                await self.store(StoreActivities.record_handoff, package)
                self._seen.publish(d)
