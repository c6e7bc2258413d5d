"""Values the store hands back that are not workflow contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.contracts import ConversationState, Priority, Resolution


class UnknownTicketError(LookupError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"unknown ticket: {ticket_id}")
        self.ticket_id = ticket_id


@dataclass(frozen=True, slots=True)
class TicketSummary:
    ticket_id: str
    customer_id: str
    product: str | None
    subject: str
    state: ConversationState
    priority: Priority
    escalated: bool
    agent: str | None
    resolution: Resolution | None
    category: str | None
    resolution_text: str | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    message_count: int
    first_response_at: datetime | None = None
    escalated_at: datetime | None = None
    reopen_count: int = 0


@dataclass(frozen=True, slots=True)
class AiEvent:
    """Something the AI did that metrics count: "abstained", "guardrail:<kind>", "no_article", "reopened"."""

    ticket_id: str
    event_id: str
    at: datetime
    kind: str
    detail: str = ""
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """A person's verdict on how a ticket was handled; `content_gap`: the help center lacked an answer."""

    ticket_id: str
    review_id: str
    at: datetime
    reviewer: str
    verdict: str
    note: str = ""
    content_gap: bool = False
    must: tuple[str, ...] = ()  # facts a right answer states (for `tandem review --export`)
    must_not: tuple[str, ...] = ()  # wrong values a careless answer gives


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """One ticket as metrics see it: its row, CSAT, escalation reason codes and message counts by author."""

    ticket_id: str
    customer_id: str
    product: str | None
    category: str | None
    state: ConversationState
    resolution: Resolution | None
    escalated: bool
    opened_at: datetime
    closed_at: datetime | None
    first_response_at: datetime | None
    escalated_at: datetime | None
    reopen_count: int
    csat_rating: int | None
    # Distinct reason codes across the ticket's escalation events, in the order they first appeared.
    escalation_codes: list[str]
    ai_message_count: int
    agent_message_count: int
    customer_message_count: int


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class SyncCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted


class ArticleSourceConflict(ValueError):
    """Articles a sync would take over from another source; nothing was written.

    `conflicts` maps each clashing article id to the source that already holds it.
    """

    def __init__(self, source: str, conflicts: dict[str, str]) -> None:
        self.source = source
        self.conflicts = dict(sorted(conflicts.items()))
        shown = [f"{item!r} (held by source {owner!r})" for item, owner in list(self.conflicts.items())[:3]]
        more = f" and {len(self.conflicts) - 3} more" if len(self.conflicts) > 3 else ""
        listed = ", ".join(shown) + more
        super().__init__(f"source {source!r} cannot take article ids another source holds: {listed}")


class UnknownSourceError(LookupError):
    def __init__(self, source: str) -> None:
        super().__init__(f"no articles were ingested from source {source!r}")
        self.source = source


class UnknownArticleError(LookupError):
    def __init__(self, article_id: str) -> None:
        super().__init__(f"unknown article: {article_id}")
        self.article_id = article_id


@dataclass(frozen=True, slots=True)
class FlaggedArticle:
    """An article whose text addresses an AI: neither indexed nor quoted until a person clears it."""

    id: str
    title: str
    source: str | None
    reason: str  # tandem.knowledge.injection's reason, with the words that showed it
    flagged_at: datetime  # when this content was stored


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """One ingested source (None: articles upserted directly) and what it holds."""

    source: str | None
    articles: int  # all of them, flagged ones included
    internal: int
    flagged: tuple[FlaggedArticle, ...] = ()
    updated_at: datetime | None = None  # the newest write to any of its articles


@dataclass(frozen=True, slots=True)
class ApprovedAnswer:
    """A support team's reusable answer (tandem.knowledge.approved); `active` while neither withdrawn nor
    expired."""

    answer_id: str
    title: str
    body: str
    product: str | None
    owner: str
    created_at: datetime
    question: str = ""
    from_ticket_id: str | None = None
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None

    def active(self, now: datetime) -> bool:
        return self.withdrawn_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True, slots=True)
class AnswerCandidate:
    """A closed ticket whose question no article answered, with the resolution a person wrote."""

    ticket_id: str
    subject: str
    question: str
    resolution: str
    closed_at: datetime | None


class UnknownAnswerError(LookupError):
    """No approved answer has this id."""
