"""TicketStore: the system of record for tickets, transcripts, escalations, knowledge and history.

Every write is idempotent (insert-if-absent on the natural key, or a no-op when nothing changed), so a
Temporal activity that is retried after a timeout never duplicates a row. One short session per call.
The help-center methods live in `tandem.store.articles`, the shared plumbing in `tandem.store.base`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tandem.contracts import (
    ConversationState,
    CsatRecord,
    EscalationRecord,
    HandoffPackage,
    MessageRecord,
    Priority,
    TicketRecord,
    TicketStatusUpdate,
    TranscriptEntry,
)
from tandem.store import mapping
from tandem.store.answers import AnswerStore
from tandem.store.articles import ArticleStore
from tandem.store.conversation_reads import ConversationReads
from tandem.store.history import TicketHistory
from tandem.store.models import (
    AiEventRow,
    CsatRow,
    EscalationEventRow,
    HandoffRow,
    MessageRow,
    ReviewRow,
    TicketRow,
)
from tandem.store.records import AiEvent, Review, TicketSummary, UnknownTicketError
from tandem.store.types import UTCDateTime

REOPENED = "reopened"  # the ai_events kind mark_reopened records


class TicketStore(ArticleStore, AnswerStore, ConversationReads, TicketHistory):
    # --- tickets -------------------------------------------------------------------------------------

    def open_ticket(self, rec: TicketRecord) -> bool:
        row = {
            "ticket_id": rec.ticket_id,
            "customer_id": rec.customer_id,
            "product": rec.product,
            "subject": rec.subject,
            "state": ConversationState.AI_ACTIVE.value,
            "priority": int(Priority.NORMAL),
            "escalated": False,
            "simulated": rec.simulated,
            "opened_at": rec.opened_at,
            "updated_at": rec.opened_at,
            "hash_key": mapping.ticket_key(rec.ticket_id, None, None),
        }
        with self._session() as s:
            inserted = s.exec(self._insert_ignore(TicketRow, row)).rowcount
            s.commit()
        return inserted == 1

    def update_status(self, upd: TicketStatusUpdate) -> None:
        closing = upd.state is ConversationState.CLOSED
        # A retried close keeps the first closed_at; reopening clears it.
        closed_at = func.coalesce(TicketRow.closed_at, literal(upd.at, UTCDateTime())) if closing else None
        stmt = (
            update(TicketRow)
            # An older update retried after a newer one landed must not roll the ticket back.
            .where(col(TicketRow.ticket_id) == upd.ticket_id, col(TicketRow.updated_at) <= upd.at)
            .values(
                state=upd.state.value,
                priority=int(upd.priority),
                escalated=upd.escalated,
                agent=upd.agent,
                resolution=upd.resolution.value if upd.resolution else None,
                updated_at=upd.at,
                closed_at=closed_at,
            )
        )
        with self._session() as s:
            if s.exec(stmt).rowcount == 0:
                _require_ticket(s, upd.ticket_id)
            s.commit()

    def set_category(self, ticket_id: str, category: str | None) -> None:
        self._edit_ticket(ticket_id, category=category)

    def set_resolution_text(self, ticket_id: str, text: str | None) -> None:
        self._edit_ticket(ticket_id, resolution_text=(text or "").strip() or None)

    def get_ticket(self, ticket_id: str) -> TicketSummary | None:
        with self._session() as s:
            found = s.exec(self._summaries().where(col(TicketRow.ticket_id) == ticket_id)).first()
        return mapping.summary(*found) if found else None

    def list_tickets(self, state: ConversationState | None = None, limit: int = 50) -> list[TicketSummary]:
        stmt = self._summaries()
        if state is not None:
            stmt = stmt.where(col(TicketRow.state) == state.value)
        stmt = stmt.order_by(col(TicketRow.opened_at).desc(), col(TicketRow.ticket_id).desc()).limit(limit)
        with self._session() as s:
            return [mapping.summary(row, count) for row, count in s.exec(stmt)]

    # --- transcript and escalations ------------------------------------------------------------------

    def record_message(self, rec: MessageRecord) -> bool:
        entry = rec.entry
        # Computed inside the INSERT so the read and the write are one statement.
        next_seq = (
            sa_select(func.coalesce(func.max(MessageRow.seq), 0) + 1)
            .where(col(MessageRow.ticket_id) == rec.ticket_id)
            .scalar_subquery()
        )
        row = {
            "ticket_id": rec.ticket_id,
            "message_id": entry.message_id,
            "seq": next_seq,
            "author": entry.author.value,
            "author_name": entry.author_name,
            "text": entry.text,
            "at": entry.at,
            "confidence": rec.confidence,
            "sources": json.dumps([ref.model_dump(mode="json") for ref in entry.sources]),
        }
        with self._session() as s:
            inserted = s.exec(self._insert_ignore(MessageRow, row)).rowcount
            s.commit()
        return inserted == 1

    def transcript(self, ticket_id: str) -> list[TranscriptEntry]:
        stmt = (
            select(MessageRow)
            .where(col(MessageRow.ticket_id) == ticket_id)
            .order_by(col(MessageRow.at), col(MessageRow.seq))
        )
        with self._session() as s:
            return [mapping.entry(row) for row in s.exec(stmt)]

    def message_count(self, ticket_id: str) -> int:
        stmt = select(func.count()).select_from(MessageRow).where(col(MessageRow.ticket_id) == ticket_id)
        with self._session() as s:
            return s.exec(stmt).one()

    def record_escalation(self, rec: EscalationRecord) -> bool:
        row = {
            "ticket_id": rec.ticket_id,
            "event_id": rec.event_id,
            "at": rec.at,
            "trigger": rec.trigger,
            "reasons": json.dumps([reason.model_dump(mode="json") for reason in rec.reasons]),
            "priority": int(rec.priority),
        }
        mark = (
            update(TicketRow)
            .where(col(TicketRow.ticket_id) == rec.ticket_id)
            .values(escalated=True, escalated_at=_earliest(TicketRow.escalated_at, rec.at))
        )
        with self._session() as s:
            inserted = s.exec(self._insert_ignore(EscalationEventRow, row)).rowcount == 1
            # Only the first delivery marks the ticket (escalated, and escalated_at if this is the earliest
            # escalation); a replay must not undo a hand-back.
            if inserted:
                s.exec(mark)
            s.commit()
        return inserted

    def escalations(self, ticket_id: str) -> list[EscalationRecord]:
        stmt = (
            select(EscalationEventRow)
            .where(col(EscalationEventRow.ticket_id) == ticket_id)
            .order_by(col(EscalationEventRow.at), col(EscalationEventRow.event_id))
        )
        with self._session() as s:
            return [mapping.escalation(row) for row in s.exec(stmt)]

    def record_csat(self, rec: CsatRecord) -> bool:
        row = {"ticket_id": rec.ticket_id, "rating": rec.rating, "comment": rec.comment, "at": rec.at}
        with self._session() as s:
            inserted = s.exec(self._insert_ignore(CsatRow, row)).rowcount == 1
            s.commit()
        return inserted

    def csat(self, ticket_id: str) -> list[CsatRecord]:
        stmt = select(CsatRow).where(col(CsatRow.ticket_id) == ticket_id)
        with self._session() as s:
            return [
                CsatRecord(ticket_id=r.ticket_id, rating=r.rating, comment=r.comment, at=r.at)
                for r in s.exec(stmt)
            ]

    # --- hand-offs, AI events, reviews, ticket timings -----------------------------------------------

    def record_handoff(self, ticket_id: str, handoff_id: str, package: HandoffPackage) -> bool:
        """Stores the package a person was handed; the first write of a (ticket, handoff id) wins."""
        if package.ticket_id != ticket_id:
            raise ValueError(f"hand-off package of ticket {package.ticket_id!r} recorded for {ticket_id!r}")
        row = {
            "ticket_id": ticket_id,
            "handoff_id": handoff_id,
            "created_at": package.created_at,
            "summary": package.summary,
            "package": package.model_dump_json(),
        }
        return self._insert_once(HandoffRow, row)

    def handoffs(self, ticket_id: str) -> list[HandoffPackage]:
        """The ticket's hand-off packages, oldest first."""
        stmt = (
            select(HandoffRow.package)
            .where(col(HandoffRow.ticket_id) == ticket_id)
            .order_by(col(HandoffRow.created_at), col(HandoffRow.handoff_id))
        )
        with self._session() as s:
            return [HandoffPackage.model_validate_json(package) for package in s.exec(stmt)]

    def record_ai_event(
        self,
        ticket_id: str,
        event_id: str,
        at: datetime,
        kind: str,
        detail: str = "",
        message_id: str | None = None,
    ) -> bool:
        """Records an AI event ("abstained", "guardrail:<kind>", "no_article", ...) once per
        (ticket, kind, event id); a retry or a replay changes nothing and returns False."""
        if not kind:
            raise ValueError("an AI event needs a kind")
        row = {
            "ticket_id": ticket_id,
            "kind": kind,
            "event_id": event_id,
            "at": at,
            "detail": detail,
            "message_id": message_id,
        }
        return self._insert_once(AiEventRow, row)

    def ai_events(
        self,
        ticket_id: str | None = None,
        kind_prefix: str | None = None,
        since: datetime | None = None,
        *,
        include_simulated: bool = False,
    ) -> list[AiEvent]:
        """AI events, oldest first: of one ticket or all, whose kind starts with `kind_prefix` (so
        "guardrail:" finds every guardrail), at or after `since`; those of simulated tickets only with
        `include_simulated` (or when asking for one ticket)."""
        stmt = select(AiEventRow).order_by(
            col(AiEventRow.at), col(AiEventRow.ticket_id), col(AiEventRow.kind), col(AiEventRow.event_id)
        )
        if ticket_id is not None:
            stmt = stmt.where(col(AiEventRow.ticket_id) == ticket_id)
        if kind_prefix:
            stmt = stmt.where(col(AiEventRow.kind).startswith(kind_prefix, autoescape=True))
        if since is not None:
            stmt = stmt.where(col(AiEventRow.at) >= since)
        if not include_simulated and ticket_id is None:
            simulated = sa_select(TicketRow.ticket_id).where(col(TicketRow.simulated) == true())
            stmt = stmt.where(col(AiEventRow.ticket_id).not_in(simulated))
        with self._session() as s:
            rows = s.exec(stmt).all()
        # SQLite's LIKE ignores ASCII case; the prefix is matched exactly.
        return [mapping.ai_event(row) for row in rows if row.kind.startswith(kind_prefix or "")]

    def record_review(
        self,
        ticket_id: str,
        review_id: str,
        at: datetime,
        reviewer: str,
        verdict: str,
        note: str = "",
        content_gap: bool = False,
        must: Sequence[str] = (),
        must_not: Sequence[str] = (),
    ) -> bool:
        """Records a person's review once per (ticket, review id); a retry changes nothing."""
        row = {
            "ticket_id": ticket_id,
            "review_id": review_id,
            "at": at,
            "reviewer": reviewer,
            "verdict": verdict,
            "note": note,
            "content_gap": content_gap,
            "must": json.dumps(list(must)),
            "must_not": json.dumps(list(must_not)),
        }
        return self._insert_once(ReviewRow, row)

    def reviews(self, ticket_id: str | None = None, since: datetime | None = None) -> list[Review]:
        """Reviews, oldest first: of one ticket or all, at or after `since`."""
        stmt = select(ReviewRow).order_by(
            col(ReviewRow.at), col(ReviewRow.ticket_id), col(ReviewRow.review_id)
        )
        if ticket_id is not None:
            stmt = stmt.where(col(ReviewRow.ticket_id) == ticket_id)
        if since is not None:
            stmt = stmt.where(col(ReviewRow.at) >= since)
        with self._session() as s:
            return [mapping.review(row) for row in s.exec(stmt)]

    def mark_first_response(self, ticket_id: str, at: datetime) -> bool:
        """Sets first_response_at if it is unset (or later than `at`: the earliest reply wins, whatever
        order retries arrive in). Returns whether it changed."""
        return self._mark_earliest(ticket_id, TicketRow.first_response_at, at)

    def mark_escalated_at(self, ticket_id: str, at: datetime) -> bool:
        """Sets escalated_at if it is unset or later than `at` (record_escalation does this too)."""
        return self._mark_earliest(ticket_id, TicketRow.escalated_at, at)

    def mark_reopened(self, ticket_id: str, event_id: str, at: datetime) -> bool:
        """Counts one reopen per distinct `event_id`: recorded as an AI event of kind "reopened" in the same
        transaction, so a retried activity never counts twice. Returns whether this call counted it."""
        row = {
            "ticket_id": ticket_id,
            "kind": REOPENED,
            "event_id": event_id,
            "at": at,
            "detail": "",
            "message_id": None,
        }
        bump = (
            update(TicketRow)
            .where(col(TicketRow.ticket_id) == ticket_id)
            .values(reopen_count=col(TicketRow.reopen_count) + 1)
        )
        with self._session() as s:
            inserted = s.exec(self._insert_ignore(AiEventRow, row)).rowcount == 1
            if inserted and s.exec(bump).rowcount == 0:
                s.rollback()
                raise UnknownTicketError(ticket_id)
            s.commit()
        return inserted

    # --- helpers -------------------------------------------------------------------------------------

    def _summaries(self) -> Any:
        count = (
            sa_select(func.count())
            .where(col(MessageRow.ticket_id) == col(TicketRow.ticket_id))
            .correlate(TicketRow)
            .scalar_subquery()
        )
        return select(TicketRow, count)

    def _edit_ticket(self, ticket_id: str, **changes: str | None) -> None:
        with self._session() as s:
            row = s.get(TicketRow, ticket_id)
            if row is None:
                raise UnknownTicketError(ticket_id)
            for name, value in changes.items():
                setattr(row, name, value)
            row.hash_key = mapping.ticket_key(row.ticket_id, row.category, row.resolution_text)
            s.add(row)
            s.commit()

    def _mark_earliest(self, ticket_id: str, column: Any, at: datetime) -> bool:
        stmt = (
            update(TicketRow)
            .where(col(TicketRow.ticket_id) == ticket_id, or_(col(column).is_(None), col(column) > at))
            .values({column: at})
        )
        with self._session() as s:
            changed = s.exec(stmt).rowcount == 1
            if not changed:  # on every reply after the first
                _require_ticket(s, ticket_id)
            s.commit()
        return changed


def _require_ticket(s: Session, ticket_id: str) -> None:
    """UnknownTicketError unless the ticket exists, after an update that changed no row: a key lookup, not a
    loaded row."""
    found = s.exec(sa_select(TicketRow.ticket_id).where(col(TicketRow.ticket_id) == ticket_id)).first()
    if found is None:
        raise UnknownTicketError(ticket_id)


def _earliest(column: Any, at: datetime) -> Any:
    """The column's value, or `at` when the column is unset or later."""
    value = literal(at, UTCDateTime())
    return case((or_(col(column).is_(None), col(column) > value), value), else_=col(column))
