"""Conversions between table rows and the records the rest of Tandem uses."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tandem.contracts import (
    Author,
    ConversationState,
    EscalationReason,
    EscalationRecord,
    Priority,
    Resolution,
    SourceRef,
    TranscriptEntry,
)
from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.store.models import (
    AiEventRow,
    ApprovedAnswerRow,
    ArticleRow,
    EscalationEventRow,
    MessageRow,
    ResolvedTicketRow,
    ReviewRow,
    TicketRow,
)
from tandem.store.records import AiEvent, ApprovedAnswer, Review, TicketSummary
from tandem.store.types import content_hash, hash_key


def ticket_key(ticket_id: str, category: str | None, resolution_text: str | None) -> int:
    return hash_key(content_hash(ticket_id, category, resolution_text))


def summary(row: TicketRow, message_count: int) -> TicketSummary:
    return TicketSummary(
        ticket_id=row.ticket_id,
        customer_id=row.customer_id,
        product=row.product,
        subject=row.subject,
        state=ConversationState(row.state),
        priority=Priority(row.priority),
        escalated=row.escalated,
        agent=row.agent,
        resolution=Resolution(row.resolution) if row.resolution else None,
        category=row.category,
        resolution_text=row.resolution_text,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        message_count=message_count,
        first_response_at=row.first_response_at,
        escalated_at=row.escalated_at,
        reopen_count=row.reopen_count,
    )


def entry(row: MessageRow) -> TranscriptEntry:
    return TranscriptEntry(
        message_id=row.message_id,
        author=Author(row.author),
        text=row.text,
        at=row.at,
        author_name=row.author_name,
        sources=[SourceRef.model_validate(ref) for ref in json.loads(row.sources)],
    )


def escalation(row: EscalationEventRow) -> EscalationRecord:
    return EscalationRecord(
        event_id=row.event_id,
        ticket_id=row.ticket_id,
        at=row.at,
        trigger=row.trigger,
        reasons=[EscalationReason.model_validate(reason) for reason in json.loads(row.reasons)],
        priority=Priority(row.priority),
    )


def article_row(article: Article, now: datetime, flag_reason: str | None = None) -> dict[str, Any]:
    """The row to write for an article; new content starts unreviewed (`flag_reason`, no clearing)."""
    digest = content_hash(
        article.title,
        article.body,
        article.product,
        article.url,
        article.category,
        article.source,
        *(("internal",) if article.internal else ()),  # public articles keep the digest they had before
    )
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "product": article.product,
        "url": article.url,
        "category": article.category,
        "internal": article.internal,
        "source": article.source,
        "content_hash": digest,
        "hash_key": hash_key(digest),
        "updated_at": now,
        "flag_reason": flag_reason,
        "cleared_at": None,
    }


def article(row: ArticleRow) -> Article:
    return Article(
        id=row.id,
        title=row.title,
        body=row.body,
        product=row.product,
        url=row.url,
        category=row.category,
        internal=row.internal,
        source=row.source,
    )


def resolved_row(ticket: ResolvedTicket) -> dict[str, Any]:
    digest = content_hash(ticket.ticket_id, ticket.subject, ticket.body, ticket.category, ticket.resolution)
    return {
        "ticket_id": ticket.ticket_id,
        "subject": ticket.subject,
        "body": ticket.body,
        "category": ticket.category,
        "resolution": ticket.resolution,
        "content_hash": digest,
        "hash_key": hash_key(digest),
    }


def resolved(row: ResolvedTicketRow) -> ResolvedTicket:
    return ResolvedTicket(
        ticket_id=row.ticket_id,
        subject=row.subject,
        body=row.body,
        resolution=row.resolution,
        category=row.category,
    )


def ai_event(row: AiEventRow) -> AiEvent:
    return AiEvent(
        ticket_id=row.ticket_id,
        event_id=row.event_id,
        at=row.at,
        kind=row.kind,
        detail=row.detail,
        message_id=row.message_id,
    )


def review(row: ReviewRow) -> Review:
    return Review(
        ticket_id=row.ticket_id,
        review_id=row.review_id,
        at=row.at,
        reviewer=row.reviewer,
        verdict=row.verdict,
        note=row.note,
        content_gap=row.content_gap,
        must=tuple(json.loads(row.must or "[]")),
        must_not=tuple(json.loads(row.must_not or "[]")),
    )


def escalation_codes(reasons_json: list[str]) -> list[str]:
    """Distinct reason codes of a ticket's escalation events (given oldest first), first seen first."""
    codes: dict[str, None] = {}
    for reasons in reasons_json:
        codes.update((reason["code"], None) for reason in json.loads(reasons))
    return list(codes)


def approved_answer(row: ApprovedAnswerRow) -> ApprovedAnswer:
    return ApprovedAnswer(**row.model_dump(exclude={"article_id"}))
