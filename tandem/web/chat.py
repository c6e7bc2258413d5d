"""The customer's chat page (/chat), the shape of a widget a company embeds: a backend mints a customer token
and hands the customer `/chat?token=...` (optionally `&ticket=...`, a ticket it opened with the customer's
context). The page keeps the token in its cookie and drops it from the address, then shows the
conversation: messages with their sources, "Talk to a person", holding notices and agents' replies as they
arrive, and after close a rating and a way to reopen. Tickets are the customer's own only
(`Services.check_ticket`), exactly as in the API."""

from __future__ import annotations

import textwrap
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Kind
from tandem.api.auth import bearer, caller
from tandem.api.problems import not_allowed, unauthenticated
from tandem.api.schemas import HumanRequestBody, NewMessage, Rating
from tandem.api.services import Services, Svc
from tandem.contracts import ConversationState, ConversationStatus, CustomerContext, TicketStart
from tandem.web import live
from tandem.web.rendering import CHAT_HEADERS, fragment, page
from tandem.web.session import (
    CHAT,
    ChatCustomer,
    PageRoute,
    checked,
    form,
    form_key,
    new_form_key,
    set_session,
)

router = APIRouter(prefix=CHAT, route_class=PageRoute, include_in_schema=False)
SUBJECT_CHARS = 80
MODES = {
    ConversationState.AI_ACTIVE: "ai",
    ConversationState.WAITING_FOR_HUMAN: "waiting",
    ConversationState.HUMAN_ACTIVE: "human",
    ConversationState.CLOSED: "closed",
}


@router.get("")
async def chat_page(
    request: Request, svc: Svc, token: str | None = None, ticket: str | None = None, new: bool = False
) -> Response:
    if token is not None:
        return await _arrive(request, svc, token, ticket)
    who = await caller(request, await bearer(request))
    if who.kind is not Kind.CUSTOMER:
        raise not_allowed("the chat page needs a customer's link")
    if ticket is not None:
        await svc.check_ticket(who, ticket)
    elif not new:
        latest = await run_in_threadpool(svc.store.customer_tickets, who.subject, 1)
        ticket = latest[0].ticket_id if latest else None
    context = await _conversation(svc, ticket) if ticket else {"ticket_id": None, "form_key": new_form_key()}
    return page(request, "chat/page.html", context, CHAT_HEADERS)


async def _arrive(request: Request, svc: Svc, token: str, ticket: str | None) -> Response:
    """The link from the backend: the token goes into the chat's cookie and out of the address bar. Not a
    3xx: a redirect that ends a navigation from another site would still count as cross-site, and the
    browser would hold back the SameSite=Strict cookie; a page that moves on by itself is same-site."""
    who = svc.gatekeeper.identify(token)
    if who.kind is not Kind.CUSTOMER:
        raise unauthenticated("not a customer's token")
    svc.gatekeeper.limiter.check(who.key)
    if ticket is not None:
        await svc.check_ticket(who, ticket)
    target = CHAT + ("?" + urlencode({"ticket": ticket}) if ticket else "")
    html = fragment("chat/arrive.html", target=target)
    headers = {**CHAT_HEADERS, "Referrer-Policy": "no-referrer"}
    response = HTMLResponse(html, headers=headers)
    set_session(request, response, token, CHAT)
    return response


async def _conversation(svc: Services, ticket_id: str, status: ConversationStatus | None = None) -> dict:
    status = status or await svc.tandem.status(ticket_id)
    transcript, last_seq = await run_in_threadpool(live.transcript, svc, ticket_id)
    return {
        "ticket_id": ticket_id,
        "state": status.state,
        "transcript": transcript,
        "last_seq": last_seq,
        "audience": "customer",
        "mode": _mode(status),
        "form_key": new_form_key(),
        "focus": False,
    }


def _mode(status: ConversationStatus) -> str:
    mode = MODES[status.state]
    return "rated" if mode == "closed" and status.csat is not None else mode


def _composer(status: ConversationStatus, focus: bool = False) -> HTMLResponse:
    html = fragment(
        "chat/_composer.html",
        ticket_id=status.ticket_id,
        mode=_mode(status),
        form_key=new_form_key(),
        focus=focus,
    )
    return HTMLResponse(html, headers=CHAT_HEADERS)


@router.post("/tickets")
async def open_ticket(request: Request, who: ChatCustomer, svc: Svc) -> HTMLResponse:
    """The first message (or "Talk to a person" before any): a new ticket, shown with its live stream. The
    ticket and message ids derive from the form's key, as the API's do from an Idempotency-Key."""
    fields = await form(request)
    key = form_key(fields)
    ticket_id = svc.idempotency.derived_id(who, key, "ticket", "T-")
    customer = CustomerContext(customer_id=who.subject)
    if fields.get("human") == "true" and not fields.get("text", "").strip():
        start = TicketStart(ticket_id=ticket_id, customer=customer, subject="Asked for a person")
        await svc.tandem.open_ticket(start)
        await svc.tandem.request_human(ticket_id, HumanRequestBody().reason)
    else:
        body = checked(NewMessage, fields)
        subject = textwrap.shorten(body.text, SUBJECT_CHARS, placeholder="…")  # the queue's title for it
        start = TicketStart(ticket_id=ticket_id, customer=customer, subject=subject)
        message_id = svc.idempotency.derived_id(who, key, "message", "m-")
        await svc.tandem.send_message(ticket_id, body.text, message_id=message_id, start=start)
        if fields.get("human") == "true":
            await svc.tandem.request_human(ticket_id, HumanRequestBody().reason)
    context = await _conversation(svc, ticket_id)
    return HTMLResponse(fragment("chat/_conversation.html", **context), headers=CHAT_HEADERS)


@router.post("/tickets/{ticket_id}/messages")
async def send_message(ticket_id: str, request: Request, who: ChatCustomer, svc: Svc) -> HTMLResponse:
    """The message goes to the conversation; the page gets an empty message box (the message and the
    answer come over the stream)."""
    await svc.check_ticket(who, ticket_id)
    fields = await form(request)
    body = checked(NewMessage, fields)
    message_id = svc.idempotency.derived_id(who, form_key(fields), f"message:{ticket_id}", "m-")
    await svc.tandem.send_message(ticket_id, body.text, message_id=message_id)
    html = fragment("chat/_message_form.html", ticket_id=ticket_id, form_key=new_form_key(), focus=True)
    return HTMLResponse(html, headers=CHAT_HEADERS)


@router.post("/tickets/{ticket_id}/human")
async def talk_to_a_person(ticket_id: str, who: ChatCustomer, svc: Svc) -> Response:
    """Always accepted; the notice and the new state come over the stream."""
    await svc.check_ticket(who, ticket_id)
    await svc.tandem.request_human(ticket_id, HumanRequestBody().reason)
    return Response(status_code=204)


@router.get("/tickets/{ticket_id}/composer")
async def composer(ticket_id: str, who: ChatCustomer, svc: Svc, mode: str = "") -> Response:
    await svc.check_ticket(who, ticket_id)
    status = await svc.tandem.status(ticket_id)
    if _mode(status) == mode:
        return Response(status_code=204)  # unchanged: whatever the customer is typing stays
    return _composer(status)


@router.post("/tickets/{ticket_id}/csat")
async def rate(ticket_id: str, request: Request, who: ChatCustomer, svc: Svc) -> HTMLResponse:
    await svc.check_ticket(who, ticket_id)
    body = checked(Rating, await form(request))
    return _composer(await svc.tandem.submit_csat(ticket_id, body.rating, body.comment))


@router.post("/tickets/{ticket_id}/reopen")
async def reopen(ticket_id: str, request: Request, who: ChatCustomer, svc: Svc) -> HTMLResponse:
    await svc.check_ticket(who, ticket_id)
    fields = await form(request)
    body = checked(NewMessage, fields)
    message_id = svc.idempotency.derived_id(who, form_key(fields), f"reopen:{ticket_id}", "m-")
    await svc.tandem.reopen(ticket_id, body.text, message_id=message_id)
    return _composer(await svc.tandem.status(ticket_id), focus=True)


@router.get("/tickets/{ticket_id}/events")
async def events(
    ticket_id: str, request: Request, who: ChatCustomer, svc: Svc, after: int = 0
) -> StreamingResponse:
    await svc.check_ticket(who, ticket_id)
    return live.stream(
        svc,
        request,
        ticket_id,
        after,
        lambda entry: fragment("_message.html", entry=entry, audience="customer"),
        lambda ticket: fragment("chat/_status.html", state=ticket.state),
    )
