"""Tables of the ticket store. Enum columns hold the enum's plain value so rows stay readable in SQL.

`hash_key` columns are 32-bit fingerprints of a row's content; SUM(hash_key) lets the version
functions notice changes with one cheap aggregate instead of reading every row.

The schema itself is owned by the Alembic revisions in `tandem/store/migrations/versions`: a change here
needs a new revision (`python -m tandem.store.migrations revision "what changed"`), and
tests/store/test_migrations.py fails while the two disagree.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text, text
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from tandem.store.types import UTCDateTime


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"

    ticket_id: str = Field(primary_key=True)
    customer_id: str = Field(index=True)
    product: str | None = None
    subject: str = ""
    state: str = Field(index=True)
    priority: int
    escalated: bool = False
    agent: str | None = None
    resolution: str | None = None
    category: str | None = None
    resolution_text: str | None = Field(default=None, sa_type=Text)
    opened_at: datetime = Field(sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Fingerprint of (ticket_id, category, resolution_text): feeds tickets_version().
    hash_key: int = Field(default=0, sa_type=BigInteger)
    # Since revision 0002. The first reply a person or the AI sent, the first escalation, and how often the
    # customer reopened the ticket after it was closed (one per distinct reopen event, see ai_events).
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reopen_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Since revision 0006. Played by `tandem simulate`: left out of the report, the review and the
    # similar-ticket history unless asked for.
    simulated: bool = Field(default=False, index=True, sa_column_kwargs={"server_default": sa_false()})


class MessageRow(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_ticket_order", "ticket_id", "at", "seq"),)

    # Keyed per ticket: customer message ids are client-chosen, so two tickets may reuse one.
    ticket_id: str = Field(primary_key=True)
    message_id: str = Field(primary_key=True)
    # Per-ticket insertion order; breaks ties between messages with the same timestamp.
    seq: int = Field(sa_type=BigInteger)
    author: str
    author_name: str = ""
    text: str = Field(sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)
    confidence: float | None = None
    sources: str = Field(default="[]", sa_type=Text)  # JSON list of SourceRef


class EscalationEventRow(SQLModel, table=True):
    __tablename__ = "escalation_events"

    ticket_id: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    trigger: str
    reasons: str = Field(default="[]", sa_type=Text)  # JSON list of EscalationReason
    priority: int


class CsatRow(SQLModel, table=True):
    """One satisfaction rating per ticket (the survey accepts one answer)."""

    __tablename__ = "csat_responses"

    ticket_id: str = Field(primary_key=True)
    rating: int
    comment: str = Field(default="", sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)


class ArticleRow(SQLModel, table=True):
    __tablename__ = "articles"

    id: str = Field(primary_key=True)
    title: str
    body: str = Field(sa_type=Text)
    product: str | None = Field(default=None, index=True)
    url: str | None = None
    category: str | None = None
    # Written for agents (procedures, internal notes): shown to people, never quoted to customers.
    internal: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # The file or folder it was ingested from (see TicketStore.sync_articles); None when upserted directly.
    source: str | None = Field(default=None, index=True)
    content_hash: str
    hash_key: int = Field(sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # Since revision 0004. Why the text reads as addressed to an AI (tandem.knowledge.injection), set when it
    # was ingested: such an article is neither indexed nor quoted until a person clears it (cleared_at).
    # Changed content is checked afresh and needs clearing again.
    flag_reason: str | None = Field(default=None, sa_type=Text)
    cleared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Since revision 0006. After this moment the article is neither indexed nor quoted (an approved answer's
    # expiry, a promotion's end).
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ResolvedTicketRow(SQLModel, table=True):
    """A historical ticket imported from another help desk; read only by similar-ticket search."""

    __tablename__ = "resolved_tickets"

    ticket_id: str = Field(primary_key=True)
    subject: str
    body: str = Field(sa_type=Text)
    category: str | None = None
    resolution: str = Field(sa_type=Text)
    content_hash: str
    hash_key: int = Field(sa_type=BigInteger)


class HandoffRow(SQLModel, table=True):
    """The package a person saw when they picked the ticket up (one per escalation hand-off)."""

    __tablename__ = "handoffs"

    ticket_id: str = Field(primary_key=True)
    handoff_id: str = Field(primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    summary: str = Field(default="", sa_type=Text)
    package: str = Field(sa_type=Text)  # the HandoffPackage as JSON


class AiEventRow(SQLModel, table=True):
    """Something the AI did or refused to do that metrics count: "abstained", "guardrail:<kind>",
    "no_article", "reopened", ... An event id is unique per ticket and kind."""

    __tablename__ = "ai_events"
    __table_args__ = (Index("ix_ai_events_kind_at", "kind", "at"), Index("ix_ai_events_at", "at"))

    ticket_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    detail: str = Field(default="", sa_type=Text)
    message_id: str | None = None


class ReviewRow(SQLModel, table=True):
    """A person's verdict on how a ticket was handled; `content_gap` marks a missing help-center article."""

    __tablename__ = "reviews"

    ticket_id: str = Field(primary_key=True)
    review_id: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    reviewer: str
    verdict: str
    note: str = Field(default="", sa_type=Text)
    content_gap: bool = False
    # Since revision 0006. Facts a right answer states and wrong values a careless one gives (JSON lists):
    # what `tandem review --export` writes as the item's `must` and `must_not`.
    must: str = Field(default="[]", sa_type=Text, sa_column_kwargs={"server_default": "[]"})
    must_not: str = Field(default="[]", sa_type=Text, sa_column_kwargs={"server_default": "[]"})


class ApprovedAnswerRow(SQLModel, table=True):
    """A support team's reusable answer (revision 0006). While active it is also an article (`article_id`,
    source `tandem:approved-answers`) so it is searched and quoted like one; withdrawing it deletes that
    article in the same transaction. `from_ticket_id` is where it came from, for the team, never shown to
    customers."""

    __tablename__ = "approved_answers"

    answer_id: str = Field(primary_key=True)
    article_id: str = Field(index=True)
    title: str
    question: str = Field(default="", sa_type=Text)
    body: str = Field(sa_type=Text)
    product: str | None = None
    owner: str
    from_ticket_id: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by: str | None = None


# --- who may do what (revision 0005) -------------------------------------------------------------------


class ApiKeyRow(SQLModel, table=True):
    """A backend's API key: only a hash of its secret is kept; revoked keys stay for the audit trail."""

    __tablename__ = "api_keys"

    key_id: str = Field(primary_key=True)  # the public part of the key, shown in lists and the audit trail
    name: str
    secret_hash: str  # sha256 of the secret: keys are long random strings, so no slow hash is needed
    scopes: str  # space-separated
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AgentAccountRow(SQLModel, table=True):
    """A local agent login (deployments without an OIDC issuer): a scrypt hash of the password."""

    __tablename__ = "agent_accounts"

    agent_id: str = Field(primary_key=True)
    display_name: str = ""
    password_hash: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEventRow(SQLModel, table=True):
    """Who did what, when: every agent action and every change to keys and accounts."""

    __tablename__ = "audit_events"

    event_id: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_kind: str  # agent, backend, customer, operator
    actor: str
    action: str
    ticket_id: str | None = Field(default=None, index=True)
    detail: str = Field(default="", sa_type=Text)


class IdempotencyRow(SQLModel, table=True):
    """The response to a POST made with an Idempotency-Key, replayed when the same caller retries it."""

    __tablename__ = "idempotency_keys"

    caller: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    fingerprint: str  # method, path and body of the first request: another request under its key is refused
    status_code: int
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
