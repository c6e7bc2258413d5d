"""The conversation's record: transcript entries and the store writes that keep them, under ids chosen here
(the ticket id and a sequence number), so a retried write never duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.contracts import (
    AiEventRecord,
    Author,
    CarriedState,
    EscalationDecision,
    EscalationReason,
    EscalationRecord,
    GeneratedReply,
    MessageRecord,
    SourceRef,
    TicketStatusUpdate,
    TranscriptEntry,
)
from tandem.conversation.effects import Effect, WriteEscalation, WriteEvent, WriteMessage, WriteStatus


@dataclass
class Journal:
    ticket_id: str
    data: CarriedState

    def escalation(self, now: datetime, trigger: str, reasons: list[EscalationReason]) -> list[Effect]:
        self.data.escalation_reasons = [*self.data.escalation_reasons, *reasons]
        record = EscalationRecord(
            event_id=f"{self.ticket_id}:esc:{self.next_seq()}",
            ticket_id=self.ticket_id,
            at=now,
            trigger=trigger,
            reasons=reasons,
            priority=self.data.priority,
        )
        return [WriteEscalation(record)]

    def review_events(
        self, now: datetime, message_id: str, text: str, reply: GeneratedReply, decision: EscalationDecision
    ) -> list[Effect]:
        """Abstentions (with the question: content gaps) and guardrail rewrites, for `tandem review`."""
        # "Can I talk to a person?" is no question an article should answer: not a content gap.
        asked_for_person = any(r.code == "explicit_request" for r in decision.reasons)
        events = [("abstained", text)] if reply.abstained and not asked_for_person else []
        events += [(f"guardrail:{note.kind}", note.sentence) for note in reply.guardrails]
        return [self.event(now, kind, detail, message_id) for kind, detail in events]

    def event(self, now: datetime, kind: str, detail: str, message_id: str | None = None) -> WriteEvent:
        """An AI event for review and metrics, under an id chosen here."""
        return WriteEvent(
            AiEventRecord(
                ticket_id=self.ticket_id,
                event_id=f"{self.ticket_id}:ai:{self.next_seq()}",
                at=now,
                kind=kind,
                detail=detail,
                message_id=message_id,
            )
        )

    def say(
        self,
        now: datetime,
        author: Author,
        text: str,
        *,
        message_id: str | None = None,
        sources: list[SourceRef] | None = None,
        confidence: float | None = None,
        author_name: str = "",
    ) -> list[Effect]:
        """Into the transcript, and a write under a deterministic id (a retried write dedupes)."""
        entry = TranscriptEntry(
            message_id=message_id or f"{self.ticket_id}:{author.value}:{self.next_seq()}",
            author=author,
            text=text,
            at=now,
            author_name=author_name,
            sources=sources or [],
        )
        self.data.transcript_tail.append(entry)
        return [WriteMessage(MessageRecord(ticket_id=self.ticket_id, entry=entry, confidence=confidence))]

    def status(self, now: datetime, note: str = "") -> WriteStatus:
        d = self.data
        return WriteStatus(
            TicketStatusUpdate(
                ticket_id=self.ticket_id,
                state=d.state,
                priority=d.priority,
                escalated=d.escalated,
                agent=d.agent,
                resolution=d.resolution,
                resolution_note=note,
                at=now,
            )
        )

    def next_seq(self) -> int:
        self.data.seq += 1
        return self.data.seq
