"""What an agent does to a ticket, with the rules and the audit trail: the same for the HTTP API and the
console. Anyone on the team may take a ticket nobody has; only the ticket's owner replies, hands it back
or closes it."""

from __future__ import annotations

from datetime import datetime

from tandem.access.identity import Caller
from tandem.api.problems import not_allowed
from tandem.api.services import Services
from tandem.contracts import AgentPromise, ConversationState, ConversationStatus, Resolution, TranscriptEntry


async def take_over(svc: Services, who: Caller, ticket_id: str) -> ConversationStatus:
    status = await svc.tandem.status(ticket_id)
    if status.agent not in (None, who.subject) and status.state is ConversationState.HUMAN_ACTIVE:
        raise not_allowed(f"{status.agent} has this ticket")
    result = await svc.tandem.take_over(ticket_id, who.subject)
    await svc.audit(who, "take_over", ticket_id)
    return result


async def reply(
    svc: Services, who: Caller, ticket_id: str, text: str, *, used_draft: bool, message_id: str
) -> TranscriptEntry:
    await require_owner(svc, who, ticket_id)
    entry = await svc.tandem.reply(ticket_id, who.subject, text, message_id=message_id)
    await svc.audit(who, "reply_from_draft" if used_draft else "reply", ticket_id, entry.message_id)
    return entry


async def hand_back(svc: Services, who: Caller, ticket_id: str, note: str) -> ConversationStatus:
    await require_owner(svc, who, ticket_id)
    result = await svc.tandem.hand_back(ticket_id, who.subject, note)
    await svc.audit(who, "hand_back", ticket_id, note)
    return result


async def close(
    svc: Services, who: Caller, ticket_id: str, resolution: Resolution, note: str
) -> ConversationStatus:
    await require_owner(svc, who, ticket_id)
    result = await svc.tandem.close(ticket_id, resolution, who.subject, note)
    await svc.audit(who, "close", ticket_id, f"{resolution.value}: {note}"[:2000])
    return result


async def promise(svc: Services, who: Caller, ticket_id: str, text: str, due_at: datetime) -> AgentPromise:
    await require_owner(svc, who, ticket_id)
    made = await svc.tandem.promise(ticket_id, who.subject, text, due_at)
    await svc.audit(who, "promise", ticket_id, f"{made.promise_id} due {due_at.isoformat()}: {text}"[:2000])
    return made


async def keep_promise(svc: Services, who: Caller, ticket_id: str, promise_id: str) -> AgentPromise:
    kept = await svc.tandem.keep_promise(ticket_id, who.subject, promise_id)
    await svc.audit(who, "keep_promise", ticket_id, promise_id)
    return kept


async def require_owner(svc: Services, who: Caller, ticket_id: str) -> None:
    status = await svc.tandem.status(ticket_id)
    if status.state is ConversationState.CLOSED:
        return  # the conversation answers: closed (409)
    if status.agent != who.subject or status.state is not ConversationState.HUMAN_ACTIVE:
        owner = status.agent if status.state is ConversationState.HUMAN_ACTIVE else None
        raise not_allowed(f"{owner} has this ticket" if owner else "take the ticket over first")
