"""Approved answers (tandem.knowledge.approved) for the support team: approve one (the owner is the agent
the token names), list them, withdraw one (no reply quotes it from that moment), and the resolved tickets
whose question no article answered, as candidates."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tandem.api.auth import Agent
from tandem.api.problems import RESPONSES, Problem, unknown_ticket
from tandem.api.schemas import _Body
from tandem.api.services import Services, Svc
from tandem.knowledge.approved import MAX_BODY_CHARS, MAX_TITLE_CHARS, NotApprovable
from tandem.store import ApprovedAnswer, UnknownAnswerError, UnknownTicketError
from tandem.text_hygiene import CleanText, IdText

router = APIRouter(prefix="/v1", tags=["answers"], responses=RESPONSES)


class AnswerBody(_Body):
    title: CleanText = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    text: CleanText = Field(
        min_length=1, max_length=MAX_BODY_CHARS, description="the answer, no customer data"
    )
    product: str | None = Field(default=None, max_length=200, description="default: the source ticket's")
    question: CleanText = Field(default="", max_length=1000)
    from_ticket_id: str | None = Field(default=None, max_length=200)
    expires_at: datetime | None = None


class ApprovedAnswerOut(BaseModel):
    answer_id: str
    title: str
    text: str
    product: str | None
    question: str
    owner: str
    from_ticket_id: str | None
    created_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None


class CandidateOut(BaseModel):
    ticket_id: str
    subject: str
    question: str
    resolution: str
    closed_at: datetime | None


def _out(a: ApprovedAnswer) -> ApprovedAnswerOut:
    return ApprovedAnswerOut(
        answer_id=a.answer_id,
        title=a.title,
        text=a.body,
        product=a.product,
        question=a.question,
        owner=a.owner,
        from_ticket_id=a.from_ticket_id,
        created_at=a.created_at,
        expires_at=a.expires_at,
        withdrawn_at=a.withdrawn_at,
        withdrawn_by=a.withdrawn_by,
    )


@router.post("/answers", response_model=ApprovedAnswerOut, status_code=201)
async def approve(body: AnswerBody, who: Agent, svc: Svc) -> ApprovedAnswerOut:
    """Approve an answer customers may be given, cited as the support team's answer."""
    product = body.product
    if body.from_ticket_id is not None and product is None:
        summary = await run_in_threadpool(svc.store.get_ticket, body.from_ticket_id)
        product = summary.product if summary is not None else None
    try:
        answer = await run_in_threadpool(
            lambda: svc.store.approve_answer(
                title=body.title,
                body=body.text,
                owner=who.subject,
                product=product,
                question=body.question,
                from_ticket_id=body.from_ticket_id,
                expires_at=body.expires_at,
            )
        )
    except UnknownTicketError:
        raise unknown_ticket() from None
    except NotApprovable as err:
        raise Problem(422, "not_approvable", "Not an approvable answer", str(err)) from None
    except ValueError as err:
        raise Problem(422, "invalid_request", "Invalid request", str(err)) from None
    await svc.audit(who, "approve_answer", body.from_ticket_id, answer.answer_id)
    await run_in_threadpool(mirror, svc)
    return _out(answer)


@router.get("/answers", response_model=list[ApprovedAnswerOut])
async def answers(who: Agent, svc: Svc, include_inactive: bool = False) -> list[ApprovedAnswerOut]:
    found = await run_in_threadpool(lambda: svc.store.approved_answers(include_inactive=include_inactive))
    return [_out(a) for a in found]


@router.delete("/answers/{answer_id}", response_model=ApprovedAnswerOut)
async def withdraw(answer_id: IdText, who: Agent, svc: Svc) -> ApprovedAnswerOut:
    """Withdraw an answer: no reply quotes it from now on."""
    try:
        answer = await run_in_threadpool(svc.store.withdraw_answer, answer_id, who.subject)
    except UnknownAnswerError:
        raise Problem(404, "unknown_answer", "No such approved answer") from None
    await svc.audit(who, "withdraw_answer", None, answer_id)
    await run_in_threadpool(mirror, svc)
    return _out(answer)


@router.get("/answers/candidates", response_model=list[CandidateOut])
async def candidates(who: Agent, svc: Svc, limit: int = 20) -> list[CandidateOut]:
    """Closed tickets with a resolution note whose question no article answered."""
    found = await run_in_threadpool(svc.store.answer_candidates, max(1, min(limit, 200)))
    return [
        CandidateOut(
            ticket_id=c.ticket_id,
            subject=c.subject,
            question=c.question,
            resolution=c.resolution,
            closed_at=c.closed_at,
        )
        for c in found
    ]


def mirror(svc: Services) -> None:
    """With Weaviate as the knowledge backend, it holds exactly the active answers, as the CLI keeps it."""
    if svc.tandem_settings.knowledge_backend != "weaviate":
        return
    from tandem.adapters.weaviate_session import weaviate
    from tandem.adapters.weaviate_sync import mirror_answers

    with weaviate(svc.tandem_settings) as backend:
        mirror_answers(svc.store, backend)
