"""Knowledge, the AI's replies and drafts, hand-off packages and escalation decisions."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tandem.contracts.base import Author, ConversationState, Priority, _Contract
from tandem.contracts.messages import TranscriptEntry
from tandem.contracts.start import CustomerContext


class SourceRef(_Contract):
    """A cited help-center article, approved answer or resolved ticket: an id, a title and a short snippet
    only."""

    kind: str = "article"  # "article" | "answer" (the support team's approved answer) | "ticket"
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
