"""What a conversation answers with, and what it tells those who ask: its status, the response to a message,
the answers kept for retried messages. A mixin of `Conversation` (tandem.conversation.machine)."""

from __future__ import annotations

from tandem.contracts import (
    Author,
    CarriedState,
    ConversationStatus,
    ConversationTimeouts,
    CustomerContext,
    EscalationDecision,
    SourceRef,
    SupportResponse,
    TranscriptEntry,
)

ANSWERS_KEPT_FOR_DEDUP = 50


class ConversationReads:
    ticket_id: str
    customer: CustomerContext
    timeouts: ConversationTimeouts
    data: CarriedState

    def status(self) -> ConversationStatus:
        d = self.data
        return ConversationStatus(
            ticket_id=self.ticket_id,
            customer_id=self.customer.customer_id,
            state=d.state,
            priority=d.priority,
            escalated=d.escalated,
            agent=d.agent,
            ai_turns=d.ai_turns,
            escalation_reasons=d.escalation_reasons,
            resolution=d.resolution,
            opened_at=d.opened_at,
            waiting_since=d.waiting_since,
            timeouts=self.timeouts,
            csat=d.csat,
            reopened=d.reopened,
            category=d.category,
            promises=d.promises,
        )

    def response(
        self,
        message_id: str,
        author: Author,
        text: str,
        sources: list[SourceRef] | None = None,
        confidence: float | None = None,
        decision: EscalationDecision | None = None,
    ) -> SupportResponse:
        return SupportResponse(
            ticket_id=self.ticket_id,
            message_id=message_id,
            text=text,
            author=author,
            sources=sources or [],
            confidence=confidence,
            escalation=decision or EscalationDecision(escalate=False),
            state=self.data.state,
        )

    def remember(self, message_id: str, response: SupportResponse) -> None:
        """The answer to a message id, so a retried message gets it again (the newest are kept)."""
        self.data.answered[message_id] = response
        while len(self.data.answered) > ANSWERS_KEPT_FOR_DEDUP:
            self.data.answered.pop(next(iter(self.data.answered)))

    def entry(self, message_id: str | None) -> TranscriptEntry | None:
        if message_id is None:
            return None
        return next((e for e in self.data.transcript_tail if e.message_id == message_id), None)
