"""The AI's activities as the conversation calls them: a reply, its escalation check, the ticket's category,
the agent's draft and the hand-off package. Workflow code: each call is an activity with its policy
(workflows/activity_policy.py)."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.ai_turn import AiTurnActivities
    from activities.generation import GenerationActivities
    from activities.handoff import HandoffActivities
    from activities.knowledge import KnowledgeActivities
    from tandem.contracts import (
        AgentDraft,
        AiTurnRequest,
        AiTurnResult,
        Author,
        CarriedState,
        CategoryRequest,
        CustomerContext,
        GeneratedReply,
        HandoffPackage,
        HandoffRequest,
        TranscriptEntry,
        TurnRequest,
    )
    from tandem.responder.drafts import draft_for_agent
    from workflows import activity_policy as policy

HISTORY_FOR_GENERATION = 8  # transcript entries the responder sees
DRAFT_TRIES = 2  # the latest customer message, then the one before it


class AiSteps:
    def __init__(self, ticket_id: str, customer: CustomerContext) -> None:
        self._ticket_id = ticket_id
        self._customer = customer

    async def reply(self, message_id: str, text: str, data: CarriedState) -> GeneratedReply:
        """A grounded, cited reply: the activity decides what the message is about (its product, an earlier
        message's, the account's), retrieves for it and answers, in one step."""
        history = [e for e in data.transcript_tail[-HISTORY_FOR_GENERATION:] if e.message_id != message_id]
        return await workflow.execute_activity_method(
            GenerationActivities.answer_turn,
            TurnRequest(ticket_id=self._ticket_id, message=text, customer=self._customer, history=history),
            start_to_close_timeout=policy.GENERATION_TIMEOUT,
            heartbeat_timeout=policy.GENERATION_HEARTBEAT,
            retry_policy=policy.TURN_RETRY,
        )

    async def turn(self, request: AiTurnRequest) -> AiTurnResult:
        """A customer message's reply and the escalation check on it, one activity."""
        return await workflow.execute_activity_method(
            AiTurnActivities.ai_turn,
            request,
            start_to_close_timeout=policy.GENERATION_TIMEOUT,
            heartbeat_timeout=policy.GENERATION_HEARTBEAT,
            retry_policy=policy.TURN_RETRY,
        )

    async def category(self, text: str) -> str | None:
        """The ticket's category from its first message; None when it cannot be had (it never blocks)."""
        try:
            return await workflow.execute_activity_method(
                KnowledgeActivities.categorize,
                CategoryRequest(ticket_id=self._ticket_id, message=text),
                start_to_close_timeout=policy.RETRIEVAL_TIMEOUT,
                retry_policy=policy.TURN_RETRY,
            )
        except ActivityError as err:
            workflow.logger.warning("no category for ticket %s: %s", self._ticket_id, err.cause or err)
            return None

    async def draft(self, data: CarriedState) -> AgentDraft | None:
        """A suggested reply to the customer's latest message for the person who has (or will have) it.

        An "I'm not sure" draft helps nobody: then the message before it (often the real question, when the
        latest one just asked for a person) is tried, and without an answer there is no draft."""
        said: list[TranscriptEntry] = [
            e for e in reversed(data.transcript_tail) if e.author is Author.CUSTOMER
        ]
        candidates = said[:DRAFT_TRIES]
        for message in candidates:
            try:
                reply = await self.reply(message.message_id, message.text, data)
            except ActivityError as err:  # a draft is a convenience; the agent can always write their own
                workflow.logger.warning("no draft for ticket %s: %s", self._ticket_id, err.cause or err)
                return None
            resolved = any(t.snippet for t in reply.similar_tickets)
            if not reply.abstained or resolved or len(candidates) == 1:
                text, sources = draft_for_agent(reply)
                return AgentDraft(
                    for_message_id=message.message_id,
                    text=text,
                    sources=sources,
                    confidence=reply.confidence,
                    at=workflow.now(),
                    procedures=reply.procedures,
                )
        return None

    async def handoff(self, data: CarriedState) -> HandoffPackage | None:
        """The package for the person who takes over, or None when it cannot be made."""
        try:
            return await workflow.execute_activity_method(
                HandoffActivities.prepare_handoff,
                HandoffRequest(
                    ticket_id=self._ticket_id,
                    customer=self._customer,
                    transcript=data.transcript_tail,
                    reasons=data.escalation_reasons,
                    category=data.category,
                    suggested_reply=data.draft,
                ),
                start_to_close_timeout=policy.HANDOFF_TIMEOUT,
                retry_policy=policy.HELPER_RETRY,
            )
        except ActivityError as err:
            workflow.logger.warning(
                "no hand-off package for ticket %s: %s", self._ticket_id, err.cause or err
            )
            return None
