"""The support team: the queue, taking a ticket, replying (or sending the AI's draft), handing back and
closing. The agent is whoever the token says; only the ticket's owner may reply, hand back or close, and
every action lands in the audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tandem.access.identity import Caller
from tandem.api.auth import Agent
from tandem.api.problems import RESPONSES, not_allowed
from tandem.api.schemas import AgentMessage, CloseBody, HandBackBody
from tandem.api.services import Services, Svc
from tandem.contracts import (
    AgentDraft,
    ConversationState,
    ConversationStatus,
    HandoffPackage,
    QueueItem,
    TranscriptEntry,
)

router = APIRouter(prefix="/v1", tags=["agents"], responses=RESPONSES)


@router.get("/queue", response_model=list[QueueItem])
async def queue(who: Agent, svc: Svc, limit: int = 100) -> list[QueueItem]:
    """Conversations waiting for a person, most urgent and longest waiting first."""
    return await svc.tandem.queue(limit=max(1, min(limit, 500)))


@router.post("/tickets/{ticket_id}/take-over", response_model=ConversationStatus)
async def take_over(ticket_id: str, who: Agent, svc: Svc) -> ConversationStatus:
    status = await svc.tandem.status(ticket_id)
    if status.agent not in (None, who.subject) and status.state is ConversationState.HUMAN_ACTIVE:
        raise not_allowed(f"{status.agent} has this ticket")
    result = await svc.tandem.take_over(ticket_id, who.subject)
    await svc.audit(who, "take_over", ticket_id)
    return result


@router.post("/tickets/{ticket_id}/replies", response_model=TranscriptEntry)
async def reply(ticket_id: str, body: AgentMessage, request: Request, who: Agent, svc: Svc) -> Response:
    await _owner(svc, who, ticket_id)
    key = svc.idempotency.key_of(request)
    message_id = svc.idempotency.derived_id(who, key, f"reply:{ticket_id}", "a-")

    async def produce() -> TranscriptEntry:
        entry = await svc.tandem.reply(ticket_id, who.subject, body.text, message_id=message_id)
        await svc.audit(who, "reply_from_draft" if body.used_draft else "reply", ticket_id, entry.message_id)
        return entry

    return await svc.idempotency.run(request, who, key, 200, produce)


@router.post("/tickets/{ticket_id}/hand-back", response_model=ConversationStatus)
async def hand_back(ticket_id: str, body: HandBackBody, who: Agent, svc: Svc) -> ConversationStatus:
    await _owner(svc, who, ticket_id)
    result = await svc.tandem.hand_back(ticket_id, who.subject, body.note)
    await svc.audit(who, "hand_back", ticket_id, body.note)
    return result


@router.post("/tickets/{ticket_id}/close", response_model=ConversationStatus)
async def close(ticket_id: str, body: CloseBody, who: Agent, svc: Svc) -> ConversationStatus:
    await _owner(svc, who, ticket_id)
    result = await svc.tandem.close(ticket_id, body.resolution, who.subject, body.note)
    await svc.audit(who, "close", ticket_id, f"{body.resolution.value}: {body.note}"[:2000])
    return result


@router.get("/tickets/{ticket_id}/handoff", response_model=HandoffPackage | None)
async def handoff(ticket_id: str, who: Agent, svc: Svc) -> HandoffPackage | None:
    """The summary, customer context and reasons for the person taking the ticket."""
    return await svc.tandem.handoff(ticket_id)


@router.get("/tickets/{ticket_id}/draft", response_model=AgentDraft | None)
async def draft(ticket_id: str, who: Agent, svc: Svc) -> AgentDraft | None:
    """The AI's suggested reply to the customer's latest message, with its sources."""
    return await svc.tandem.draft(ticket_id)


async def _owner(svc: Services, who: Caller, ticket_id: str) -> None:
    status = await svc.tandem.status(ticket_id)
    if status.state is ConversationState.CLOSED:
        return  # the conversation answers: closed (409)
    if status.agent != who.subject or status.state is not ConversationState.HUMAN_ACTIVE:
        owner = status.agent if status.state is ConversationState.HUMAN_ACTIVE else None
        raise not_allowed(f"{owner} has this ticket" if owner else "take the ticket over first")
