"""The approved-answers half of the ticket store (tandem.knowledge.approved).

An active answer is two rows written in one transaction: its record in `approved_answers` and the article
that makes it searchable and quotable (source `APPROVED_SOURCE`, expiring with it). Withdrawing deletes the
article in the same transaction as it marks the record, so from that commit on no reply can quote it: replies
read the passages they quote from the store (`get_articles`), and indexes rebuild on the next version check.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, delete, exists, false
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from tandem.knowledge.approved import APPROVED_CATEGORY, APPROVED_SOURCE, check_approvable
from tandem.knowledge.documents import Article
from tandem.store import mapping
from tandem.store.base import StoreBase
from tandem.store.models import AiEventRow, ApprovedAnswerRow, ArticleRow, TicketRow
from tandem.store.records import AnswerCandidate, ApprovedAnswer, UnknownAnswerError, UnknownTicketError
from tandem.store.types import utcnow

# AI events whose detail is a customer question that no article answered (see tandem.reporting.review).
UNANSWERED_KINDS = ("no_article", "abstained")


class AnswerStore(StoreBase):
    def approve_answer(
        self,
        *,
        title: str,
        body: str,
        owner: str,
        product: str | None = None,
        question: str = "",
        from_ticket_id: str | None = None,
        expires_at: datetime | None = None,
    ) -> ApprovedAnswer:
        """Stores a new approved answer and its article, in one transaction. Raises NotApprovable for text
        with customer data (the source ticket's customer id among it), UnknownTicketError for an unknown
        `from_ticket_id`, ValueError for an expiry in the past."""
        now = utcnow()
        if expires_at is not None and expires_at <= now:
            raise ValueError("an approved answer's expiry must be in the future")
        answer_id = f"A-{uuid.uuid4().hex[:12]}"
        article_id = f"answer/{answer_id}"
        with self._session() as s:
            known: list[str] = []
            if from_ticket_id is not None:
                ticket = s.get(TicketRow, from_ticket_id)
                if ticket is None:
                    raise UnknownTicketError(from_ticket_id)
                known.append(ticket.customer_id)
            check_approvable(title, body, known)
            article = Article(
                id=article_id,
                title=title.strip(),
                body=body.strip(),
                product=product,
                category=APPROVED_CATEGORY,
                source=APPROVED_SOURCE,
            )
            s.add(ArticleRow(**mapping.article_row(article, now), expires_at=expires_at))
            row = ApprovedAnswerRow(
                answer_id=answer_id,
                article_id=article_id,
                title=article.title,
                question=question.strip(),
                body=article.body,
                product=product,
                owner=owner,
                from_ticket_id=from_ticket_id,
                created_at=now,
                expires_at=expires_at,
            )
            s.add(row)
            s.commit()
            return mapping.approved_answer(row)

    def withdraw_answer(self, answer_id: str, by: str) -> ApprovedAnswer:
        """Withdraws an answer and deletes its article in one transaction; withdrawing twice changes
        nothing. Raises UnknownAnswerError."""
        with self._session() as s:
            row = s.get(ApprovedAnswerRow, answer_id)
            if row is None:
                raise UnknownAnswerError(answer_id)
            if row.withdrawn_at is None:
                row.withdrawn_at, row.withdrawn_by = utcnow(), by
                s.add(row)
                s.exec(delete(ArticleRow).where(col(ArticleRow.id) == row.article_id))  # type: ignore[call-overload]
                s.commit()
            return mapping.approved_answer(row)

    def approved_answers(self, *, include_inactive: bool = False) -> list[ApprovedAnswer]:
        """Approved answers, newest first; withdrawn and expired ones only with `include_inactive`."""
        with self._session() as s:
            rows = s.exec(select(ApprovedAnswerRow).order_by(col(ApprovedAnswerRow.created_at).desc()))
            answers = [mapping.approved_answer(row) for row in rows]
        now = utcnow()
        return answers if include_inactive else [a for a in answers if a.active(now)]

    def answer_candidates(self, limit: int = 20) -> list[AnswerCandidate]:
        """Closed tickets with a written resolution whose customer question no article answered (an
        "abstained" or "no_article" event), not yet turned into an answer; most recently closed first."""
        approved = exists().where(col(ApprovedAnswerRow.from_ticket_id) == col(TicketRow.ticket_id))
        stmt = (
            sa_select(TicketRow, AiEventRow.detail)
            .join(AiEventRow, col(AiEventRow.ticket_id) == col(TicketRow.ticket_id))
            .where(
                and_(
                    col(AiEventRow.kind).in_(UNANSWERED_KINDS),
                    col(TicketRow.closed_at).is_not(None),
                    col(TicketRow.resolution_text).is_not(None),
                    col(TicketRow.resolution_text) != "",
                    col(TicketRow.simulated) == false(),
                    ~approved,
                )
            )
            .order_by(col(TicketRow.closed_at).desc(), col(AiEventRow.at))
        )
        found: dict[str, AnswerCandidate] = {}
        with self._session() as s:
            for ticket, detail in s.execute(stmt):
                if ticket.ticket_id not in found and len(found) < limit:
                    found[ticket.ticket_id] = AnswerCandidate(
                        ticket_id=ticket.ticket_id,
                        subject=ticket.subject,
                        question=detail,
                        resolution=ticket.resolution_text or "",
                        closed_at=ticket.closed_at,
                    )
        return list(found.values())
