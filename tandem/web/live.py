"""A ticket's live events for the pages: the API's event stream (`tandem.api.routes_events.ticket_events`),
each event as the HTML the page swaps in (htmx's SSE extension). Messages carry their position as the event
id, so a reconnecting browser resumes after the last one it has (Last-Event-ID), and the page's own
position (`after`) skips what it rendered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse

from tandem.api.routes_events import ticket_events
from tandem.api.services import Services
from tandem.contracts import TranscriptEntry
from tandem.store import TicketSummary
from tandem.web.rendering import sse

RenderMessage = Callable[[TranscriptEntry], str]
RenderState = Callable[[TicketSummary], str]
LAST_SEQ_MAX = 10**15


def resume_point(request: Request, after: int) -> int:
    last = request.headers.get("last-event-id", "")
    return int(last) if last.isdigit() and int(last) < LAST_SEQ_MAX else max(0, after)


def stream(
    svc: Services,
    request: Request,
    ticket_id: str,
    after: int,
    message_html: RenderMessage,
    state_html: RenderState,
) -> StreamingResponse:
    async def events() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        async for event in ticket_events(svc, request, ticket_id, resume_point(request, after)):
            if event.entry is not None:
                yield sse("message", message_html(event.entry), event.seq)
            elif event.ticket is not None:
                yield sse("state", state_html(event.ticket))
            else:
                yield ": keep-alive\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


def transcript(svc: Services, ticket_id: str) -> tuple[list[TranscriptEntry], int]:
    """The ticket's stored messages and the position of the last one (the stream goes on from there)."""
    entries: list[TranscriptEntry] = []
    last = 0
    while batch := svc.store.messages_after(ticket_id, last, limit=500):
        entries += [entry for _, entry in batch]
        last = batch[-1][0]
    return entries, last
