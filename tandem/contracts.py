"""What crosses the workflow boundary: start input, handler arguments, activity inputs and outputs.

Everything here is plain pydantic so the pydantic data converter can carry it through Temporal history.
Only ids and short texts travel; article bodies stay in the store and are looked up by id in activities.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Limits a customer or agent message must respect; the workflow's update validators enforce them. Texts
# from callers are cleaned and ids checked for control characters (tandem.text_hygiene).
from tandem.text_hygiene import MAX_ID_CHARS, MAX_MESSAGE_CHARS, CleanText, IdText

__all__ = ["MAX_ID_CHARS", "MAX_MESSAGE_CHARS"]

# Error types of rejected updates, so clients can tell "closed" from "invalid" without parsing text.
REJECTED = "RequestRejected"
TICKET_CLOSED = "TicketClosed"


class ConversationState(StrEnum):
    AI_ACTIVE = "AI_ACTIVE"
    WAITING_FOR_HUMAN = "WAITING_FOR_HUMAN"
    HUMAN_ACTIVE = "HUMAN_ACTIVE"
    CLOSED = "CLOSED"


class AiMode(StrEnum):
    ON = "on"
    SHADOW = "shadow"
    OFF = "off"


class Author(StrEnum):
    CUSTOMER = "customer"
    AI = "ai"
    AGENT = "agent"
    SYSTEM = "system"


class Priority(IntEnum):
    """Queue priority; higher is more urgent. Stored as the Int search attribute `Priority`."""

    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


class Resolution(StrEnum):
    RESOLVED_BY_AI = "resolved_by_ai"
    RESOLVED_BY_HUMAN = "resolved_by_human"
    ABANDONED = "abandoned"
    CLOSED_BY_CUSTOMER = "closed_by_customer"


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


# --- starting a ticket -------------------------------------------------------------------------------


class PreviousTicket(_Contract):
    ticket_id: IdText
    subject: CleanText = ""
    resolution: CleanText = ""


class CustomerContext(_Contract):
    customer_id: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    name: CleanText = ""
    tier: CleanText = "standard"
    high_value: bool = False
    product: IdText | None = None
    account_facts: dict[CleanText, CleanText] = Field(default_factory=dict)
    previous_tickets: list[PreviousTicket] = Field(default_factory=list)


class ConversationTimeouts(_Contract):
    """Every timer of the conversation. Defaults come from settings; a ticket may override any of them."""

    pickup: timedelta = timedelta(minutes=5)
    ai_time_limit: timedelta = timedelta(minutes=20)
    ai_turn_limit: int = 8
    inactivity: timedelta = timedelta(minutes=15)
    csat_window: timedelta = timedelta(hours=24)  # after close: the satisfaction survey stays open this long


class BusinessHours(_Contract):
    """When people are at work; the pickup clock only runs then. Parse from settings with
    `tandem.escalation.business_hours.parse_business_hours`."""

    weekdays: list[int] = Field(min_length=1)  # 0 = Monday
    opens: time
    closes: time
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # An unknown zone would fail every workflow task that reads the hours: refuse it where it is set.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)") from None
        return value


class TicketStart(_Contract):
    ticket_id: str = Field(min_length=1, max_length=MAX_ID_CHARS, pattern=r"^[A-Za-z0-9._:-]+$")
    customer: CustomerContext
    subject: CleanText = ""
    # None: the deployment's defaults (settings), filled in by TandemClient when it starts the ticket.
    timeouts: ConversationTimeouts | None = None
    business_hours: BusinessHours | None = None  # None: people are always there (or settings fill it in)
    # Gradual rollout, decided when the ticket starts: "on" (AI answers), "shadow" (AI drafts, people send),
    # "off" (straight to people). None: the deployment's rollout settings decide.
    ai_mode: AiMode | None = None
    # Categories the AI must leave to people (rollout by category, applied once the first message is
    # categorised). None: the deployment's settings decide.
    human_only_categories: list[str] | None = None
    # Set only by continue-as-new: the state the previous run handed over.
    carried: CarriedState | None = None


# --- messages and transcript -------------------------------------------------------------------------


class CustomerMessage(_Contract):
    # Client-chosen id; the same id sent twice is one message (idempotent retries).
    message_id: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: CleanText
    # Who the sender says they are, when they opened the ticket with this message: a running ticket of
    # another customer refuses it, so knowing a ticket id never lets anyone write into it.
    customer_id: IdText | None = None


class AgentReply(_Contract):
    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: CleanText
    message_id: IdText | None = Field(default=None, max_length=MAX_ID_CHARS)


class TakeOver(_Contract):
    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)


class HandBack(_Contract):
    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    note: CleanText = ""


class HumanRequest(_Contract):
    reason: CleanText = Field(default="customer asked for a person", max_length=MAX_MESSAGE_CHARS)


class CsatResponse(_Contract):
    rating: int = Field(ge=1, le=5)
    comment: CleanText = Field(default="", max_length=MAX_MESSAGE_CHARS)


class CsatRecord(_Contract):
    ticket_id: str
    rating: int
    comment: str
    at: datetime


class ReopenRequest(_Contract):
    message_id: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: CleanText


class CloseRequest(_Contract):
    resolution: Resolution
    by: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    note: CleanText = Field(default="", max_length=MAX_MESSAGE_CHARS)


class TranscriptEntry(_Contract):
    message_id: str
    author: Author
    text: str
    at: datetime
    author_name: str = ""
    sources: list[SourceRef] = Field(default_factory=list)


# --- knowledge ---------------------------------------------------------------------------------------


class SourceRef(_Contract):
    """A cited help-center article or resolved ticket: an id, a title and a short snippet only."""

    kind: str = "article"  # "article" | "ticket"
    id: str
    title: str
    url: str | None = None
    score: float = 0.0
    snippet: str = ""
    # An agent-only article (tandem.knowledge.audience): context for decisions and drafts, never quoted
    # or linked in a customer reply.
    internal: bool = False


class SimilarTicket(_Contract):
    ticket_id: str
    subject: str
    category: str | None = None
    resolution: str
    score: float  # similarity to the message in [0, 1] (the ticket index's dense + lexical blend)
    # Evidence for the answer confidence (tandem.responder.evidence.ticket_match); None where the backend has
    # none, and in histories recorded before them. P(this ticket's category | message) by the index's model:
    category_probability: float | None = None
    # Mean dense cosine between the message and its nearest indexed tickets (the same on every result):
    neighbourhood: float | None = None


class Focus(_Contract):
    """What a customer message is about, decided before retrieval (tandem.responder.focus).

    `names` are the help center's product names the reply keeps to, as the customer or the account wrote
    them; `source` says where they came from: the message itself, an earlier customer message of the
    conversation, the customer's account facts, or none (then only the ticket's `product` scopes it).
    """

    names: list[str] = Field(default_factory=list)
    source: str = "none"  # message | history | account | none
    product: str | None = None  # the ticket's product line (the articles' `product`), when known
    # A product name the message uses that the help center does not know ("Titanium Rewards Card").
    unknown_name: str | None = None

    @property
    def query_names(self) -> str:
        """The names to add to a retrieval query when the message itself does not say them."""
        return " ".join(self.names) if self.source in ("history", "account") else ""


class TurnRequest(_Contract):
    """One customer message to answer: what the answer activity and `tandem eval` both run."""

    ticket_id: str
    message: str
    customer: CustomerContext
    history: list[TranscriptEntry] = Field(default_factory=list)


class GenerationRequest(_Contract):
    ticket_id: str
    message: str
    customer: CustomerContext
    articles: list[SourceRef]
    similar_tickets: list[SimilarTicket] = Field(default_factory=list)
    history: list[TranscriptEntry] = Field(default_factory=list)
    focus: Focus | None = None


class GuardrailNote(_Contract):
    """A promise the AI was about to make without a source stating it; the sentence was rewritten."""

    kind: str  # refund | credit | discount | deadline | exception | legal
    sentence: str


class GeneratedReply(_Contract):
    text: str
    sources: list[SourceRef]
    confidence: float = Field(ge=0.0, le=1.0)
    abstained: bool
    guardrails: list[GuardrailNote] = Field(default_factory=list)
    facts_referred: list[str] = Field(default_factory=list)  # known facts the reply refers back to
    # Internal procedures retrieved for the message: for the agent's eyes (drafts), never in `text`.
    procedures: list[SourceRef] = Field(default_factory=list)
    # The reply asks which product the customer means (several fit and their answers differ): no answer.
    clarifying: bool = False
    # Similar resolved tickets: never shown to the customer, but the agent's draft and the handoff use them.
    similar_tickets: list[SourceRef] = Field(default_factory=list)
    focus: Focus | None = None


class AgentDraft(_Contract):
    """A reply the AI suggests to the agent who owns the conversation; never sent on its own."""

    for_message_id: str
    text: str
    sources: list[SourceRef]
    confidence: float
    at: datetime
    procedures: list[SourceRef] = Field(default_factory=list)  # internal articles for the agent to follow


class HandoffAnswer(_Contract):
    message_id: str
    text: str
    source_titles: list[str]


class HandoffPackage(_Contract):
    """What the person who picks the ticket up sees first: nobody asks the customer again."""

    ticket_id: str
    created_at: datetime
    summary: str
    customer: CustomerContext
    category: str | None
    reasons: list[EscalationReason]
    customer_messages: list[str]
    ai_answers: list[HandoffAnswer]
    suggested_reply: AgentDraft | None


class HandoffRequest(_Contract):
    ticket_id: str
    customer: CustomerContext
    transcript: list[TranscriptEntry]
    reasons: list[EscalationReason]
    category: str | None
    suggested_reply: AgentDraft | None


class EscalationReason(_Contract):
    code: str  # e.g. "explicit_request", "frustration", "cancellation", "high_value", "low_confidence"
    detail: str
    strength: float = 1.0


class EscalationDecision(_Contract):
    escalate: bool
    reasons: list[EscalationReason] = Field(default_factory=list)
    priority: Priority = Priority.NORMAL


class EscalationCheck(_Contract):
    message: str
    customer: CustomerContext
    confidence: float
    abstained: bool
    ai_turns: int
    unsure_turns: int
    recent_customer_messages: list[str] = Field(default_factory=list)  # earlier ones, oldest first


class CategoryRequest(_Contract):
    ticket_id: str
    message: str


class SupportResponse(_Contract):
    """What the customer gets back for each message."""

    ticket_id: str
    message_id: str
    text: str
    author: Author
    sources: list[SourceRef] = Field(default_factory=list)
    confidence: float | None = None
    escalation: EscalationDecision = Field(default_factory=lambda: EscalationDecision(escalate=False))
    state: ConversationState


# --- store writes (activity inputs) ------------------------------------------------------------------


class TicketRecord(_Contract):
    ticket_id: str
    customer_id: str
    product: str | None
    subject: str
    opened_at: datetime


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


# --- reads -------------------------------------------------------------------------------------------


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


HandoffPackage.model_rebuild()
HandoffRequest.model_rebuild()
TicketStart.model_rebuild()
TranscriptEntry.model_rebuild()
