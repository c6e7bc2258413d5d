"""The support team: the queue, taking a ticket, replying (or sending the AI's draft), handing back and
closing. The agent is whoever the token says; the rules and the audit trail are in `agent_actions` (the
console applies the same)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tandem.api import agent_actions as actions
from tandem.api.auth import Agent
from tandem.api.problems import RESPONSES
from tandem.api.schemas import AgentMessage, CloseBody, HandBackBody, PromiseBody
from tandem.api.services import Svc
from tandem.contracts import (
    AgentDraft,
    AgentPromise,
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
    return await actions.take_over(svc, who, ticket_id)


@router.post("/tickets/{ticket_id}/replies", response_model=TranscriptEntry)
async def reply(ticket_id: str, body: AgentMessage, request: Request, who: Agent, svc: Svc) -> Response:
    key = svc.idempotency.key_of(request)
    message_id = svc.idempotency.derived_id(who, key, f"reply:{ticket_id}", "a-")

    async def produce() -> TranscriptEntry:
        return await actions.reply(
            svc, who, ticket_id, body.text, used_draft=body.used_draft, message_id=message_id
        )

    return await svc.idempotency.run(request, who, key, 200, produce)


@router.post("/tickets/{ticket_id}/hand-back", response_model=ConversationStatus)
async def hand_back(ticket_id: str, body: HandBackBody, who: Agent, svc: Svc) -> ConversationStatus:
    return await actions.hand_back(svc, who, ticket_id, body.note)


@router.post("/tickets/{ticket_id}/close", response_model=ConversationStatus)
async def close(ticket_id: str, body: CloseBody, who: Agent, svc: Svc) -> ConversationStatus:
    return await actions.close(svc, who, ticket_id, body.resolution, body.note)


@router.post("/tickets/{ticket_id}/promises", response_model=AgentPromise, status_code=201)
async def promise(ticket_id: str, body: PromiseBody, who: Agent, svc: Svc) -> AgentPromise:
    """Record a follow-up you promised the customer; missed, it raises the ticket's priority."""
    return await actions.promise(svc, who, ticket_id, body.text, body.due_at)


@router.post("/tickets/{ticket_id}/promises/{promise_id}/kept", response_model=AgentPromise)
async def keep_promise(ticket_id: str, promise_id: str, who: Agent, svc: Svc) -> AgentPromise:
    return await actions.keep_promise(svc, who, ticket_id, promise_id)


@router.get("/tickets/{ticket_id}/handoff", response_model=HandoffPackage | None)
async def handoff(ticket_id: str, who: Agent, svc: Svc) -> HandoffPackage | None:
    """The summary, customer context and reasons for the person taking the ticket."""
    return await svc.tandem.handoff(ticket_id)


@router.get("/tickets/{ticket_id}/draft", response_model=AgentDraft | None)
async def draft(ticket_id: str, who: Agent, svc: Svc) -> AgentDraft | None:
    """The AI's suggested reply to the customer's latest message, with its sources."""
    return await svc.tandem.draft(ticket_id)
