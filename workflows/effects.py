"""Carrying out what the conversation machine asks for: store writes through the store activities, AI turns
through the AI's, and the help people get (a draft, a hand-off package). Workflow code."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.store import STORE_REJECTED, StoreActivities
    from tandem.contracts import AiMode, EscalationDecision, EscalationReason, StoreBatch, SupportResponse
    from tandem.conversation.effects import AnswerWithAi, Effect, Write, WriteStatus
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
        """Carry out a transition's effects; the response of an AI turn among them. The store writes, the
        AI turn's included, go in order as one batch (a local activity, one transaction) once the AI has
        answered: one write per step instead of one activity and one workflow task per row."""
        response = None
        writes: list[Write] = []
        pending = list(effects)
        while pending:
            effect = pending.pop(0)
            if isinstance(effect, AnswerWithAi):
                after, response = await self._ai_turn(effect)
                pending[:0] = after
            else:
                writes.append(effect)
        records = [w.update if isinstance(w, WriteStatus) else w.record for w in writes]
        if records:
            await self.store(StoreActivities.write, StoreBatch(writes=records))
        if any(isinstance(w, WriteStatus) for w in writes):
            self._seen.publish(self._c.data)
        return response

    async def store(self, method: Callable[..., None], arg: object) -> None:
        """Write to the store, a local activity (the store sits beside the workflow, not behind the task
        queue). A write the database refuses for good never wedges the conversation: the conversation keeps
        it in its own state, and a customer the AI is serving goes to a person."""
        try:
            await workflow.execute_local_activity_method(
                method, arg, start_to_close_timeout=policy.STORE_TIMEOUT, retry_policy=policy.STORE_RETRY
            )
        except (ActivityError, ApplicationError) as err:  # a local activity's failure may come bare
            await self._refused(err)

    async def _refused(self, err: ActivityError | ApplicationError) -> None:
        """A write the database refused for good: logged, and the machine decides (a person takes over)."""
        cause = err.cause if isinstance(err, ActivityError) else err
        if not (isinstance(cause, ApplicationError) and cause.type == STORE_REJECTED):
            raise err
        workflow.logger.error("store refused a write for ticket %s: %s", self._c.ticket_id, cause.message)
        await self.apply(self._c.store_refused(workflow.now(), cause.message))

    async def _ai_turn(self, turn: AnswerWithAi) -> tuple[list[Effect], SupportResponse]:
        try:
            request = self._c.ai_turn_request(turn.message_id, turn.text)
            result = await self._ai.turn(request)
            reply, decision = result.reply, result.decision
            if request.categorize:
                self._c.categorized_as(result.category)
                self._seen.publish(self._c.data)
        except ActivityError as err:
            # Retrieval, the model or the policy check is down: never a dead end, bring in a person.
            workflow.logger.warning("AI turn failed on ticket %s: %s", self._c.ticket_id, err.cause or err)
            reply = None
            reason = EscalationReason(code="ai_unavailable", detail=str(err.cause or err)[:200])
            decision = EscalationDecision(escalate=True, reasons=[reason], priority=self._c.data.priority)
        return self._c.ai_turn_finished(workflow.now(), turn.message_id, turn.text, reply, decision)

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
