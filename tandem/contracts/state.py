"""Reads (status, queue, outcome) and the state carried across continue-as-new."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tandem.contracts.ai import AgentDraft, EscalationReason, HandoffPackage, SupportResponse
from tandem.contracts.base import ConversationState, Priority, Resolution, _Contract
from tandem.contracts.messages import CsatResponse, TranscriptEntry
from tandem.contracts.start import ConversationTimeouts


class AgentPromise(_Contract):
    """A follow-up a person promised; missed when `due_at` passes before it is marked kept."""

    promise_id: str
    agent: str
    text: str
    made_at: datetime
    due_at: datetime
    kept_at: datetime | None = None
    missed_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.kept_at is None and self.missed_at is None


class ConversationStatus(_Contract):
    ticket_id: str
    customer_id: str
    state: ConversationState
    priority: Priority
    escalated: bool
    agent: str | None
    ai_turns: int
    escalation_reasons: list[EscalationReason]
    resolution: Resolution | None
    opened_at: datetime
    waiting_since: datetime | None
    timeouts: ConversationTimeouts
    csat: CsatResponse | None = None
    reopened: int = 0
    category: str | None = None
    promises: list[AgentPromise] = Field(default_factory=list)


class QueueItem(_Contract):
    """A conversation waiting for a person, as the agent queue shows it."""

    ticket_id: str
    customer_id: str
    product: str | None
    priority: Priority
    waiting_since: datetime


class TicketOutcome(_Contract):
    ticket_id: str
    resolution: Resolution
    closed_by: str
    escalated: bool
    ai_turns: int
    messages: int
    csat: CsatResponse | None = None
    reopened: int = 0


class CarriedState(_Contract):
    """What continue-as-new hands to the next run: the conversation's state and a short transcript tail."""

    state: ConversationState
    priority: Priority
    escalated: bool
    agent: str | None
    ai_turns: int
    unsure_turns: int
    episode_started_at: datetime | None
    last_customer_at: datetime | None
    waiting_since: datetime | None
    pickup_misses: int
    promised_by: datetime | None = None  # told the customer out of hours: a person picks up by then
    reopened: int = 0
    category: str | None = None
    categorized: bool = False  # asked for once, by the first AI turn or before routing
    handoff: HandoffPackage | None = None
    draft: AgentDraft | None = None
    opened_at: datetime
    escalation_reasons: list[EscalationReason]
    transcript_tail: list[TranscriptEntry]
    messages_before_tail: int
    answered: dict[str, SupportResponse]
    seq: int
    # After close: how it ended, and the survey (a closed conversation can continue as new too).
    resolution: Resolution | None = None
    closed_by: str = ""
    closed_at: datetime | None = None
    csat: CsatResponse | None = None
    # Bumps on every customer message; the inactivity timer restarts and drafts follow it.
    customer_activity: int = 0
    drafted_for_activity: int = 0
    handoff_due: bool = False  # an escalation or takeover happened: a person needs a fresh package
    store_refused: bool = False  # the store refused a write for good and the ticket went to a person
    promises: list[AgentPromise] = Field(default_factory=list)  # follow-ups people promised
