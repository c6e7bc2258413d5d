"""A ticket's live events as Server-Sent Events: every message (the AI's replies, holding and out-of-hours
notices, agents' messages) with its position as the event id, and the ticket's state when it changes.
A client that reconnects sends `Last-Event-ID` and gets what it missed, nothing twice.

Events come from the store, where the conversation writes every message in order, so any API process can
serve any ticket's stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Kind
from tandem.api.auth import AnyCaller
from tandem.api.problems import RESPONSES
from tandem.api.services import Services, Svc
from tandem.contracts import TranscriptEntry
from tandem.store import TicketSummary

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
    async for event in ticket_events(svc, request, ticket_id, after):
        if event.entry is not None:
            yield f"id: {event.seq}\nevent: message\ndata: {event.entry.model_dump_json()}\n\n"
        elif event.ticket is not None:
            data = {"state": event.ticket.state.value, "agent": event.ticket.agent}
            if internal:
                data["priority"] = int(event.ticket.priority)
            yield f"event: state\ndata: {json.dumps(data)}\n\n"
        else:
            yield ": keep-alive\n\n"


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """A stored message (with its position), the ticket's new state, or neither: a keep-alive."""

    seq: int = 0
    entry: TranscriptEntry | None = None
    ticket: TicketSummary | None = None


async def ticket_events(
    svc: Services, request: Request, ticket_id: str, after: int
) -> AsyncIterator[TicketEvent]:
    """The ticket's messages after position `after` and its state whenever it changes (state, agent or
    priority), read from the store until the client goes away; the API's stream and the browser pages'."""
    state: tuple[object, ...] | None = None
    idle = 0.0
    stop = _stop(request.app)
    while not stop.is_set() and not await request.is_disconnected():
        sent = False
        for seq, entry in await run_in_threadpool(svc.store.messages_after, ticket_id, after):
            after = seq
            yield TicketEvent(seq, entry=entry)
            sent = True
        ticket = await run_in_threadpool(svc.store.get_ticket, ticket_id)
        if ticket is not None and (now := (ticket.state, ticket.agent, ticket.priority)) != state:
            state = now
            yield TicketEvent(ticket=ticket)
            sent = True
        idle = 0.0 if sent else idle + POLL_S
        if idle >= KEEPALIVE_S:
            idle = 0.0
            yield TicketEvent()
        await asyncio.sleep(POLL_S)


def stop_streams(app: FastAPI) -> None:
    """End every event stream of the app, as its server shuts down (uvicorn waits for open responses):
    clients reconnect, to the next server, and resume after the last event they had."""
    _stop(app).set()


def _stop(app: FastAPI) -> asyncio.Event:
    stop = getattr(app.state, "stop_streams", None)
    if stop is None:
        stop = app.state.stop_streams = asyncio.Event()
    return stop
