"""A ticket's live events as Server-Sent Events: every message (the AI's replies, holding and out-of-hours
notices, agents' messages) with its position as the event id, and the ticket's state when it changes.
A client that reconnects sends `Last-Event-ID` and gets what it missed, nothing twice.

Events come from the store, where the conversation writes every message in order, so any API process can
serve any ticket's stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Kind
from tandem.api.auth import AnyCaller
from tandem.api.problems import RESPONSES
from tandem.api.services import Services, Svc

router = APIRouter(prefix="/v1", tags=["events"], responses=RESPONSES)
POLL_S = 0.25  # how often the store is read for new messages: the stream's delivery delay, at most
KEEPALIVE_S = 15.0  # a comment line so proxies keep an idle stream open


@router.get(
    "/tickets/{ticket_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the ticket's events"}},
)
async def events(
    ticket_id: str,
    request: Request,
    who: AnyCaller,
    svc: Svc,
    last_event_id: str | None = Header(default=None),
) -> StreamingResponse:
    await svc.check_ticket(who, ticket_id)
    if who.kind is not Kind.CUSTOMER:
        await svc.tandem.status(ticket_id)  # unknown ticket: 404 now, not an empty stream
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    stream = _stream(svc, request, ticket_id, after, internal=who.kind is not Kind.CUSTOMER)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


async def _stream(
    svc: Services, request: Request, ticket_id: str, after: int, internal: bool
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    state: tuple[object, ...] | None = None
    idle = 0.0
    while not await request.is_disconnected():
        sent = False
        for seq, entry in await run_in_threadpool(svc.store.messages_after, ticket_id, after):
            after = seq
            yield f"id: {seq}\nevent: message\ndata: {entry.model_dump_json()}\n\n"
            sent = True
        ticket = await run_in_threadpool(svc.store.get_ticket, ticket_id)
        if ticket is not None and (now := (ticket.state, ticket.agent, ticket.priority)) != state:
            state = now
            data = {"state": ticket.state.value, "agent": ticket.agent}
            if internal:
                data["priority"] = int(ticket.priority)
            yield f"event: state\ndata: {json.dumps(data)}\n\n"
            sent = True
        idle = 0.0 if sent else idle + POLL_S
        if idle >= KEEPALIVE_S:
            idle = 0.0
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_S)
