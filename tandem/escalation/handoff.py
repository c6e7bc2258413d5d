"""The handoff package: everything a person needs to pick a conversation up without asking again.

The offline summary is extractive and templated: the customer's own words for the problem, what the AI
answered and from which sources, and why it was escalated. No model is needed; a hosted summariser can
replace `summarize` behind the same activity.
"""

from __future__ import annotations

from datetime import datetime

from tandem.contracts import (
    AgentDraft,
    Author,
    CustomerContext,
    EscalationReason,
    HandoffAnswer,
    HandoffPackage,
    PreviousTicket,
    TranscriptEntry,
)
from tandem.snippets import shorten

QUOTE_CHARS = 240
MAX_PREVIOUS_TICKETS = 5
ANSWER_CHARS = 300


def build_handoff(
    ticket_id: str,
    customer: CustomerContext,
    transcript: list[TranscriptEntry],
    reasons: list[EscalationReason],
    category: str | None,
    suggested_reply: AgentDraft | None,
    created_at: datetime,
) -> HandoffPackage:
    answers = [
        HandoffAnswer(
            message_id=e.message_id,
            text=shorten(e.text, ANSWER_CHARS),
            source_titles=[s.title for s in e.sources],
        )
        for e in transcript
        if e.author is Author.AI and e.sources
    ]
    return HandoffPackage(
        ticket_id=ticket_id,
        created_at=created_at,
        summary=summarize(customer, transcript, reasons, category),
        customer=customer,
        category=category,
        reasons=reasons,
        customer_messages=[shorten(e.text, QUOTE_CHARS) for e in transcript if e.author is Author.CUSTOMER],
        ai_answers=answers,
        suggested_reply=suggested_reply,
    )


def summarize(
    customer: CustomerContext,
    transcript: list[TranscriptEntry],
    reasons: list[EscalationReason],
    category: str | None,
) -> str:
    said = [e for e in transcript if e.author is Author.CUSTOMER]
    answered = [e for e in transcript if e.author is Author.AI and e.sources]
    who = customer.name or customer.customer_id
    traits = [
        t
        for t in (
            customer.tier if customer.tier != "standard" else "",
            "high value" if customer.high_value else "",
        )
        if t
    ]
    lines = [
        f"{who}"
        + (f" ({', '.join(traits)})" if traits else "")
        + (f", product {customer.product}" if customer.product else "")
        + "."
    ]
    if said:
        lines.append(
            f'Asked: "{shorten(said[0].text, QUOTE_CHARS)}"'
            + (f" (category {category})." if category else ".")
        )
    if len(said) > 1:
        lines.append(f'Latest: "{shorten(said[-1].text, QUOTE_CHARS)}"')
    if answered:
        titles = list(dict.fromkeys(s.title for e in answered for s in e.sources))
        lines.append(f"The AI answered {len(answered)} time(s) from: {'; '.join(titles[:5])}.")
    else:
        lines.append("The AI gave no sourced answer.")
    if reasons:
        lines.append("Escalated because: " + "; ".join(f"{r.code} ({r.detail})" for r in reasons) + ".")
    if customer.previous_tickets:
        lines.append(
            "Previous tickets: "
            + "; ".join(_previous(t) for t in customer.previous_tickets[:MAX_PREVIOUS_TICKETS])
            + "."
        )
    return " ".join(lines)


def _previous(ticket: PreviousTicket) -> str:
    about = f' about "{shorten(ticket.subject, QUOTE_CHARS)}"' if ticket.subject else ""
    ended = f", {ticket.outcome}" if ticket.outcome else ""
    note = f": {shorten(ticket.resolution, QUOTE_CHARS)}" if ticket.resolution else ""
    return f"{ticket.ticket_id}{about}{ended}{note}"
