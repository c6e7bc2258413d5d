"""Approved answers (tandem.knowledge.approved) for the support team: approve one (the owner is the agent
the token names), list them, withdraw one (no reply quotes it from that moment), and the resolved tickets
whose question no article answered, as candidates."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Caller
from tandem.adapters.weaviate_session import mirror_answers_if_weaviate
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


def _out(answer: ApprovedAnswer) -> ApprovedAnswerOut:
    fields = asdict(answer)
    return ApprovedAnswerOut(text=fields.pop("body"), **fields)


@router.post("/answers", response_model=ApprovedAnswerOut, status_code=201)
async def approve(body: AnswerBody, who: Agent, svc: Svc) -> ApprovedAnswerOut:
    """Approve an answer customers may be given, cited as the support team's answer."""
    product = body.product
    if body.from_ticket_id is not None and product is None:
        summary = await run_in_threadpool(svc.store.get_ticket, body.from_ticket_id)
        product = summary.product if summary is not None else None
    answer = await approve_answer(
        svc,
        who,
        title=body.title,
        body=body.text,
        product=product,
        question=body.question,
        from_ticket_id=body.from_ticket_id,
        expires_at=body.expires_at,
    )
    return _out(answer)


@router.get("/answers", response_model=list[ApprovedAnswerOut])
async def answers(who: Agent, svc: Svc, include_inactive: bool = False) -> list[ApprovedAnswerOut]:
    found = await run_in_threadpool(lambda: svc.store.approved_answers(include_inactive=include_inactive))
    return [_out(a) for a in found]


@router.delete("/answers/{answer_id}", response_model=ApprovedAnswerOut)
async def withdraw(answer_id: IdText, who: Agent, svc: Svc) -> ApprovedAnswerOut:
    """Withdraw an answer: no reply quotes it from now on."""
    return _out(await withdraw_answer(svc, who, answer_id))


@router.get("/answers/candidates", response_model=list[CandidateOut])
async def candidates(who: Agent, svc: Svc, limit: int = 20) -> list[CandidateOut]:
    """Closed tickets with a resolution note whose question no article answered."""
    found = await run_in_threadpool(svc.store.answer_candidates, max(1, min(limit, 200)))
    return [CandidateOut(**asdict(c)) for c in found]


# --- what the API and the console share ---------------------------------------------------------------


async def approve_answer(
    svc: Services,
    who: Caller,
    *,
    title: str,
    body: str,
    product: str | None,
    question: str,
    from_ticket_id: str | None,
    expires_at: datetime | None = None,
) -> ApprovedAnswer:
    """Approve as `who` (the owner), audit it and mirror it to Weaviate; refusals as problems."""
    try:
        answer = await run_in_threadpool(
            lambda: svc.store.approve_answer(
                title=title,
                body=body,
                owner=who.subject,
                product=product,
                question=question,
                from_ticket_id=from_ticket_id,
                expires_at=expires_at,
            )
        )
    except UnknownTicketError:
        raise unknown_ticket() from None
    except NotApprovable as err:
        raise Problem(422, "not_approvable", "Not an approvable answer", str(err)) from None
    except ValueError as err:
        raise Problem(422, "invalid_request", "Invalid request", str(err)) from None
    await svc.audit(who, "approve_answer", from_ticket_id, answer.answer_id)
    await run_in_threadpool(mirror_answers_if_weaviate, svc.tandem_settings, svc.store)
    return answer


async def withdraw_answer(svc: Services, who: Caller, answer_id: str) -> ApprovedAnswer:
    try:
        answer = await run_in_threadpool(svc.store.withdraw_answer, answer_id, who.subject)
    except UnknownAnswerError:
        raise Problem(404, "unknown_answer", "No such approved answer") from None
    await svc.audit(who, "withdraw_answer", None, answer_id)
    await run_in_threadpool(mirror_answers_if_weaviate, svc.tandem_settings, svc.store)
    return answer
