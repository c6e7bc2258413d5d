"""Store writes (activity inputs) and the AI turn's activity."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tandem.contracts.ai import EscalationDecision, EscalationReason, GeneratedReply, TurnRequest
from tandem.contracts.base import ConversationState, Priority, Resolution, _Contract
from tandem.contracts.messages import TranscriptEntry


class TicketRecord(_Contract):
    ticket_id: str
    customer_id: str
    product: str | None
    subject: str
    opened_at: datetime
    simulated: bool = False  # see TicketStart.simulated


class MessageRecord(_Contract):
    ticket_id: str
    entry: TranscriptEntry
    confidence: float | None = None


class EscalationRecord(_Contract):
    event_id: str
    ticket_id: str
    at: datetime
    trigger: str  # "turn" | "request_human" | "pickup_timeout" | "ai_time_limit" | "ai_turn_limit"
    reasons: list[EscalationReason]
    priority: Priority


class AiEventRecord(_Contract):
    """Something the review loop needs to see: an abstention (with the question) or a guardrail rewrite."""

    ticket_id: str
    event_id: str
    at: datetime
    kind: str  # "abstained" | "guardrail:<kind>"
    detail: str
    message_id: str | None = None


class TicketStatusUpdate(_Contract):
    ticket_id: str
    state: ConversationState
    priority: Priority
    escalated: bool
    agent: str | None = None
    resolution: Resolution | None = None
    resolution_note: str = ""  # the agent's resolution text; feeds similar-ticket search
    at: datetime


class AiTurnRequest(_Contract):
    """One AI turn: the reply to a customer message and the escalation check on it, in one activity."""

    turn: TurnRequest
    ai_turns: int  # this one included
    unsure_turns: int  # before this one
    recent_customer_messages: list[str] = Field(default_factory=list)  # earlier ones, oldest first
    categorize: bool = False  # the ticket's first AI turn: its category comes with the reply


class AiTurnResult(_Contract):
    reply: GeneratedReply
    decision: EscalationDecision
    category: str | None = None  # when asked to categorize (None: no category could be had)


class StoreBatch(_Contract):
    """The store writes of one step of a conversation, in order, as one activity: each keyed by its own id,
    so a retried batch never duplicates a row."""

    writes: list[MessageRecord | EscalationRecord | AiEventRecord | TicketStatusUpdate]
