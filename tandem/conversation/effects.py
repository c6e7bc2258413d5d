"""What a transition asks the workflow to do. The machine decides; the workflow only carries these out.

Store writes are the records the store activities take (each keyed by an id the machine chose, so a retried
write never duplicates); the rest are steps only the workflow can take (asking the AI, telling Temporal).
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.contracts import AiEventRecord, EscalationRecord, MessageRecord, TicketStatusUpdate


@dataclass(frozen=True, slots=True)
class WriteMessage:
    record: MessageRecord


@dataclass(frozen=True, slots=True)
class WriteEscalation:
    record: EscalationRecord


@dataclass(frozen=True, slots=True)
class WriteStatus:
    update: TicketStatusUpdate


@dataclass(frozen=True, slots=True)
class WriteEvent:
    record: AiEventRecord


@dataclass(frozen=True, slots=True)
class AnswerWithAi:
    """Run an AI turn for this customer message, then report it with `Conversation.ai_turn_finished`."""

    message_id: str
    text: str


Write = WriteMessage | WriteEscalation | WriteStatus | WriteEvent
Effect = Write | AnswerWithAi
