"""The agent console (/console): sign in, the queue (refreshed every two seconds), and a conversation with
its hand-off, the AI's draft and the agent's actions (take over, reply, hand back, close), new messages
arriving over the ticket's event stream. Actions go through `tandem.api.agent_actions`: the API's rules and
audit trail."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Caller, Kind
from tandem.api import agent_actions as actions
from tandem.api import routes_answers as answers
from tandem.api.problems import Problem, not_allowed
from tandem.api.routes_access import sign_in
from tandem.api.schemas import AgentMessage, ApproveForm, CloseBody, HandBackBody, PromiseForm
from tandem.api.services import Services, Svc
from tandem.contracts import (
    AgentDraft,
    ConversationState,
    ConversationStatus,
    CustomerContext,
    EscalationReason,
    HandoffPackage,
    QueueItem,
    TranscriptEntry,
)
from tandem.store import TicketSummary
from tandem.web import live
from tandem.web.rendering import CONSOLE_HEADERS, fragment, page, waited
from tandem.web.session import (
    CONSOLE,
    LOGIN,
    ConsoleAgent,
    PageRoute,
    checked,
    end_session,
    form,
    form_key,
    new_form_key,
    require_htmx,
    set_session,
)

router = APIRouter(prefix=CONSOLE, route_class=PageRoute, include_in_schema=False)
QUEUE_LIMIT = 100


@router.get("/login")
async def login_page(request: Request, svc: Svc) -> HTMLResponse:
    oidc = svc.gatekeeper.oidc is not None
    return page(request, "console/login.html", {"oidc": oidc, "agent": None}, CONSOLE_HEADERS)


@router.post("/login")
async def login(request: Request, svc: Svc) -> Response:
    """A local account's password, or (any deployment) an agent's token: kept in the console's cookie."""
    require_htmx(request)
    fields = await form(request)
    if token := fields.get("token", "").strip():
        who = svc.gatekeeper.identify(token)
        if who.kind is not Kind.AGENT:
            raise not_allowed("this token is not an agent's")
        svc.gatekeeper.limiter.check(who.key)
        await svc.audit(who, "login", detail="console, token")
        credential = token
    else:
        credential = (await sign_in(svc, fields.get("agent_id", ""), fields.get("password", ""))).token
    response = Response(status_code=204, headers={"HX-Redirect": CONSOLE})
    set_session(request, response, credential, CONSOLE)
    return response


@router.post("/logout")
async def logout(request: Request, who: ConsoleAgent) -> Response:
    response = Response(status_code=204, headers={"HX-Redirect": LOGIN})
    end_session(request, response, CONSOLE)
    return response


# --- the queue ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    item: QueueItem
    subject: str
    category: str | None
    reasons: list[EscalationReason]


@router.get("")
async def queue_page(request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    context = {"agent": who.subject, **await _queue(svc, who)}
    return page(request, "console/queue.html", context, CONSOLE_HEADERS)


@router.get("/queue")
async def queue_part(who: ConsoleAgent, svc: Svc, v: str = "") -> Response:
    context = await _queue(svc, who)
    if context["version"] == v:
        return Response(status_code=204)  # nothing moved: the page (and the agent's focus) stays as it is
    return HTMLResponse(fragment("console/_queue.html", **context), headers=CONSOLE_HEADERS)


async def _queue(svc: Services, who: Caller) -> dict[str, Any]:
    """Who is waiting (from Temporal's visibility, like the API's queue) with each ticket's subject,
    category and the reasons of its latest escalation (from the store); and the agent's own tickets."""
    items = await svc.tandem.queue(limit=QUEUE_LIMIT)

    def details() -> tuple[list[QueueRow], list[TicketSummary]]:
        rows = []
        for item in items:
            ticket = svc.store.get_ticket(item.ticket_id)
            escalations = svc.store.escalations(item.ticket_id)
            rows.append(
                QueueRow(
                    item=item,
                    subject=ticket.subject if ticket else "",
                    category=ticket.category if ticket else None,
                    reasons=escalations[-1].reasons if escalations else [],
                )
            )
        active = svc.store.list_tickets(ConversationState.HUMAN_ACTIVE, limit=500)
        return rows, [ticket for ticket in active if ticket.agent == who.subject]

    rows, mine = await run_in_threadpool(details)
    now = datetime.now(UTC)
    shown = [
        (r.item.ticket_id, r.item.priority, waited(r.item.waiting_since, now), r.subject, r.category)
        for r in rows
    ]
    shown += [(r.item.product, r.item.customer_id, str(r.reasons)) for r in rows]
    shown += [(t.ticket_id, t.subject, t.customer_id, waited(t.updated_at, now)) for t in mine]
    version = hashlib.sha256(repr(shown).encode()).hexdigest()[:16]
    return {"rows": rows, "mine": mine, "version": version}


# --- a conversation -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketView:
    status: ConversationStatus
    handoff: HandoffPackage | None
    draft: AgentDraft | None
    mode: str  # "open" (anyone may take it), "mine", "other" (another agent's), "closed"

    @property
    def version(self) -> str:
        """Changes whenever the hand-off panel would: the page asks for it again only then."""
        parts = [self.mode, str(self.status.escalation_reasons), self.status.category or ""]
        if self.handoff is not None:
            parts.append(self.handoff.created_at.isoformat())
        if self.draft is not None:
            parts += [self.draft.for_message_id, self.draft.at.isoformat()]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def help_context(self) -> dict[str, object]:
        handoff = self.handoff
        return {
            "ticket_id": self.status.ticket_id,
            "version": self.version,
            "mode": self.mode,
            "handoff": handoff,
            "draft": self.draft,
            "reasons": handoff.reasons if handoff else self.status.escalation_reasons,
            "customer": handoff.customer if handoff else CustomerContext(customer_id=self.status.customer_id),
            "category": (handoff.category if handoff else None) or self.status.category,
        }


def mode_of(status: ConversationStatus, who: Caller) -> str:
    if status.state is ConversationState.CLOSED:
        return "closed"
    if status.state is ConversationState.HUMAN_ACTIVE:
        return "mine" if status.agent == who.subject else "other"
    return "open"


async def _view(svc: Services, who: Caller, ticket_id: str) -> TicketView:
    status, handoff, draft = await asyncio.gather(
        svc.tandem.status(ticket_id), svc.tandem.handoff(ticket_id), svc.tandem.draft(ticket_id)
    )
    return TicketView(status, handoff, draft, mode_of(status, who))


def _controls(status: ConversationStatus, who: Caller, focus: bool = False, approved: str = "") -> str:
    return fragment(
        "console/_controls.html",
        ticket_id=status.ticket_id,
        mode=mode_of(status, who),
        owner=status.agent,
        resolution=status.resolution,
        promises=status.promises,
        approved=approved,
        reply_key=new_form_key(),
        focus=focus,
    )


@router.get("/tickets/{ticket_id}")
async def ticket_page(ticket_id: str, request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    view = await _view(svc, who, ticket_id)
    transcript, last_seq = await run_in_threadpool(live.transcript, svc, ticket_id)
    ticket = await run_in_threadpool(svc.store.get_ticket, ticket_id)
    status = view.status
    context = {
        **view.help_context(),
        "agent": who.subject,
        "subject": ticket.subject if ticket else "",
        "transcript": transcript,
        "last_seq": last_seq,
        "audience": "agent",
        "state": status.state,
        "priority": status.priority,
        "owner": status.agent,
        "resolution": status.resolution,
        "reply_key": new_form_key(),
        "focus": False,
    }
    return page(request, "console/ticket.html", context, CONSOLE_HEADERS)


@router.get("/tickets/{ticket_id}/controls")
async def controls(ticket_id: str, who: ConsoleAgent, svc: Svc, mode: str = "") -> Response:
    status = await svc.tandem.status(ticket_id)
    if mode_of(status, who) == mode:
        return Response(status_code=204)  # unchanged: whatever the agent is typing stays
    return HTMLResponse(_controls(status, who), headers=CONSOLE_HEADERS)


@router.get("/tickets/{ticket_id}/help")
async def help_panel(ticket_id: str, who: ConsoleAgent, svc: Svc, v: str = "") -> Response:
    view = await _view(svc, who, ticket_id)
    if view.version == v:
        return Response(status_code=204)
    return HTMLResponse(fragment("console/_help.html", **view.help_context()), headers=CONSOLE_HEADERS)


@router.get("/tickets/{ticket_id}/events")
async def events(
    ticket_id: str, request: Request, who: ConsoleAgent, svc: Svc, after: int = 0
) -> StreamingResponse:
    await svc.tandem.status(ticket_id)  # an unknown ticket: 404 now, not an empty stream
    return live.stream(
        svc,
        request,
        ticket_id,
        after,
        lambda entry: fragment("_message.html", entry=entry, audience="agent"),
        lambda ticket: fragment(
            "console/_status.html", state=ticket.state, agent=ticket.agent, priority=ticket.priority
        ),
    )


@router.post("/tickets/{ticket_id}/take-over")
async def take_over(ticket_id: str, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    status = await actions.take_over(svc, who, ticket_id)
    return HTMLResponse(_controls(status, who, focus=True), headers=CONSOLE_HEADERS)


@router.post("/tickets/{ticket_id}/replies")
async def reply(ticket_id: str, request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    """The reply goes out; the page gets an empty reply box (the message itself comes over the stream). The
    form's key makes a double submit one reply."""
    fields = await form(request)
    body = checked(AgentMessage, fields)
    key = form_key(fields)
    message_id = svc.idempotency.derived_id(who, key, f"reply:{ticket_id}", "a-")

    async def produce() -> TranscriptEntry:
        return await actions.reply(
            svc, who, ticket_id, body.text, used_draft=body.used_draft, message_id=message_id
        )

    await svc.idempotency.run(request, who, key, 200, produce)  # sent twice: one reply, one audit entry
    html = fragment("console/_reply_form.html", ticket_id=ticket_id, reply_key=new_form_key(), focus=True)
    return HTMLResponse(html, headers=CONSOLE_HEADERS)


@router.post("/tickets/{ticket_id}/hand-back")
async def hand_back(ticket_id: str, request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    body = checked(HandBackBody, await form(request))
    status = await actions.hand_back(svc, who, ticket_id, body.note)
    return HTMLResponse(_controls(status, who, focus=True), headers=CONSOLE_HEADERS)


@router.post("/tickets/{ticket_id}/close")
async def close(ticket_id: str, request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    body = checked(CloseBody, await form(request))
    status = await actions.close(svc, who, ticket_id, body.resolution, body.note)
    return HTMLResponse(_controls(status, who, focus=True), headers=CONSOLE_HEADERS)


@router.post("/tickets/{ticket_id}/promises")
async def promise(ticket_id: str, request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    fields = await form(request)
    body = checked(PromiseForm, fields)
    due = datetime.now(UTC) + timedelta(hours=body.hours)
    await actions.promise(svc, who, ticket_id, body.text, due)
    return HTMLResponse(_controls(await svc.tandem.status(ticket_id), who), headers=CONSOLE_HEADERS)


@router.post("/tickets/{ticket_id}/approve-answer")
async def approve_answer(ticket_id: str, request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    """The closed ticket's resolution note becomes the team's answer (tandem.knowledge.approved)."""
    body = checked(ApproveForm, await form(request))
    ticket = await run_in_threadpool(svc.store.get_ticket, ticket_id)
    if ticket is None or not (ticket.resolution_text or "").strip():
        raise Problem(422, "not_approvable", "Not an approvable answer", "the ticket has no resolution note")
    answer = await answers.approve_answer(
        svc,
        who,
        title=body.title,
        body=ticket.resolution_text or "",
        product=ticket.product,
        question=ticket.subject,
        from_ticket_id=ticket_id,
    )
    status = await svc.tandem.status(ticket_id)
    return HTMLResponse(_controls(status, who, approved=answer.answer_id), headers=CONSOLE_HEADERS)


@router.get("/answers")
async def answers_page(request: Request, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    found = await run_in_threadpool(svc.store.approved_answers)
    return page(request, "console/answers.html", {"agent": who.subject, "answers": found}, CONSOLE_HEADERS)


@router.post("/answers/{answer_id}/withdraw")
async def withdraw_answer(answer_id: str, who: ConsoleAgent, svc: Svc) -> HTMLResponse:
    await answers.withdraw_answer(svc, who, answer_id)
    found = await run_in_threadpool(svc.store.approved_answers)
    return HTMLResponse(fragment("console/_answers.html", answers=found), headers=CONSOLE_HEADERS)
