"""Tickets, for backends (API key, 'tickets' scope) and for customers (their own, with a customer token)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Caller, Kind, Scope
from tandem.api.auth import AnyCaller
from tandem.api.problems import RESPONSES, Problem, not_allowed
from tandem.api.schemas import (
    CustomerTicket,
    CustomerView,
    HumanRequestBody,
    NewMessage,
    OpenedTicket,
    OpenTicket,
    Rating,
)
from tandem.api.services import Svc
from tandem.contracts import (
    ConversationStatus,
    CustomerContext,
    SupportResponse,
    TicketStart,
    TranscriptEntry,
)

router = APIRouter(prefix="/v1", tags=["tickets"], responses=RESPONSES)


def _customer_or_backend(who: Caller) -> None:
    if who.kind is Kind.CUSTOMER or (who.kind is Kind.BACKEND and who.may(Scope.TICKETS)):
        return
    raise not_allowed("for the customer, or a backend with the 'tickets' scope")


@router.post("/tickets", status_code=201, response_model=OpenedTicket)
async def open_ticket(body: OpenTicket, request: Request, who: AnyCaller, svc: Svc) -> Response:
    """Open a ticket, optionally with its first message (then the reply comes back too). Idempotent: by the
    backend's ticket id, and by the Idempotency-Key header."""
    _customer_or_backend(who)
    key = svc.idempotency.key_of(request)
    if who.kind is Kind.CUSTOMER:
        if body.ticket_id is not None or body.customer is not None:
            raise Problem(422, "invalid_request", "Customers cannot choose a ticket id or a customer")
        customer = CustomerContext(customer_id=who.subject, product=body.product)
        ticket_id = svc.idempotency.derived_id(who, key, "ticket", "T-")
    else:
        if body.customer is None:
            raise Problem(422, "invalid_request", "A backend names the customer", "'customer' is required")
        customer = body.customer
        ticket_id = body.ticket_id or svc.idempotency.derived_id(who, key, "ticket", "T-")

    async def produce() -> OpenedTicket:
        await _same_customer(svc, ticket_id, customer.customer_id)
        start = TicketStart(ticket_id=ticket_id, customer=customer, subject=body.subject)
        if body.message is None:
            status = await svc.tandem.open_ticket(start)
            return OpenedTicket(ticket_id=ticket_id, state=status.state)
        message_id = svc.idempotency.derived_id(who, key, "message", "m-")
        reply = await svc.tandem.send_message(ticket_id, body.message, message_id=message_id, start=start)
        return OpenedTicket(ticket_id=ticket_id, state=reply.state, reply=reply)

    return await svc.idempotency.run(request, who, key, 201, produce)


async def _same_customer(svc: Svc, ticket_id: str, customer_id: str) -> None:
    """Opening a ticket id that exists attaches to it only for the same customer."""
    owner = await run_in_threadpool(svc.store.ticket_owner, ticket_id)
    if owner is not None and owner != customer_id:
        raise Problem(409, "ticket_exists", "The ticket id is taken", "it belongs to another customer")


@router.post("/tickets/{ticket_id}/messages", response_model=SupportResponse)
async def send_message(
    ticket_id: str, body: NewMessage, request: Request, who: AnyCaller, svc: Svc
) -> Response:
    """A customer message; the response is the AI's reply, or the notice that a person will answer."""
    _customer_or_backend(who)
    await svc.check_ticket(who, ticket_id)
    key = svc.idempotency.key_of(request)
    message_id = svc.idempotency.derived_id(who, key, f"message:{ticket_id}", "m-")

    took: list[float] = []

    async def produce() -> SupportResponse:
        began = time.perf_counter()
        reply = await svc.tandem.send_message(ticket_id, body.text, message_id=message_id)
        took.append(time.perf_counter() - began)
        return reply

    response = await svc.idempotency.run(request, who, key, 200, produce)
    if took:  # how long the conversation took to answer (the rest of the round trip is the HTTP layer's)
        response.headers["Server-Timing"] = f"conversation;dur={took[0] * 1000:.1f}"
    return response


@router.post("/tickets/{ticket_id}/human", status_code=202)
async def request_human(ticket_id: str, body: HumanRequestBody, who: AnyCaller, svc: Svc) -> dict[str, str]:
    """'Talk to a person': always accepted; doing it twice is the same as once."""
    _customer_or_backend(who)
    await svc.check_ticket(who, ticket_id)
    await svc.tandem.request_human(ticket_id, body.reason)
    return {"ticket_id": ticket_id, "status": "requested"}


@router.post("/tickets/{ticket_id}/csat", response_model=CustomerView)
async def rate(ticket_id: str, body: Rating, request: Request, who: AnyCaller, svc: Svc) -> Response:
    _customer_or_backend(who)
    await svc.check_ticket(who, ticket_id)
    key = svc.idempotency.key_of(request)

    async def produce() -> CustomerView:
        return _view(await svc.tandem.submit_csat(ticket_id, body.rating, body.comment))

    return await svc.idempotency.run(request, who, key, 200, produce)


@router.post("/tickets/{ticket_id}/reopen", response_model=SupportResponse)
async def reopen(ticket_id: str, body: NewMessage, request: Request, who: AnyCaller, svc: Svc) -> Response:
    """Write again after close: the conversation reopens (within the survey window)."""
    _customer_or_backend(who)
    await svc.check_ticket(who, ticket_id)
    key = svc.idempotency.key_of(request)
    message_id = svc.idempotency.derived_id(who, key, f"reopen:{ticket_id}", "m-")

    async def produce() -> SupportResponse:
        return await svc.tandem.reopen(ticket_id, body.text, message_id=message_id)

    return await svc.idempotency.run(request, who, key, 200, produce)


@router.get("/tickets/{ticket_id}", response_model=ConversationStatus | CustomerView)
async def ticket(ticket_id: str, who: AnyCaller, svc: Svc) -> ConversationStatus | CustomerView:
    """The ticket's state. Customers get their view of it; backends and agents the whole status."""
    await svc.check_ticket(who, ticket_id)
    status = await svc.tandem.status(ticket_id)
    return _view(status) if who.kind is Kind.CUSTOMER else status


@router.get("/tickets/{ticket_id}/transcript", response_model=list[TranscriptEntry])
async def transcript(ticket_id: str, who: AnyCaller, svc: Svc) -> list[TranscriptEntry]:
    """Every message of the ticket, in order (from the store: the whole of it, across continue-as-new)."""
    await svc.check_ticket(who, ticket_id)
    stored = await run_in_threadpool(svc.store.transcript, ticket_id)
    return stored or await svc.tandem.transcript(ticket_id)


@router.get("/me/tickets", response_model=list[CustomerTicket])
async def my_tickets(who: AnyCaller, svc: Svc) -> list[CustomerTicket]:
    """A customer's own tickets, newest first."""
    if who.kind is not Kind.CUSTOMER:
        raise not_allowed("with a customer token")
    found = await run_in_threadpool(svc.store.customer_tickets, who.subject)
    return [
        CustomerTicket(ticket_id=t.ticket_id, subject=t.subject, state=t.state, opened_at=t.opened_at)
        for t in found
    ]


def _view(status: ConversationStatus) -> CustomerView:
    return CustomerView(
        ticket_id=status.ticket_id,
        state=status.state,
        agent=status.agent,
        opened_at=status.opened_at,
        resolution=status.resolution,
        csat=status.csat,
        reopened=status.reopened,
    )
