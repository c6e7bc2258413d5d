"""Jinja2 templates for the pages, the words they use for states and times, and HTML for Server-Sent
Events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tandem.contracts import ConversationState, Priority, SourceRef

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")  # autoescapes: texts are data

# No inline script or style, nothing from another origin: a message's text can never run as code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# The console is never framed (clickjacking); the chat page may be, as a widget on the company's own site.
CONSOLE_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": CSP + "; frame-ancestors 'none'"}
CHAT_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": CSP}

PRIORITY = {Priority.URGENT: "Urgent", Priority.HIGH: "High", Priority.NORMAL: "Normal", Priority.LOW: "Low"}
AGENT_STATE = {
    ConversationState.AI_ACTIVE: "The AI is answering",
    ConversationState.WAITING_FOR_HUMAN: "Waiting for a person",
    ConversationState.HUMAN_ACTIVE: "With {agent}",
    ConversationState.CLOSED: "Closed",
}
CUSTOMER_STATE = {
    ConversationState.AI_ACTIVE: "You are chatting with our assistant. You can ask for a person at any time.",
    ConversationState.WAITING_FOR_HUMAN: "A person from our team will answer here. You can keep writing.",
    ConversationState.HUMAN_ACTIVE: "A person from our team is with you.",
    ConversationState.CLOSED: "This conversation is closed.",
}


def waited(since: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in the fewest words: "under a minute", "4 min", "2 h 5 min", "3 d"."""
    if since is None:
        return ""
    seconds = max(0, int(((now or datetime.now(UTC)) - since).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 1:
        return "under a minute"
    if hours < 1:
        return f"{minutes} min"
    if days < 1:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d"


def clock(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%H:%M UTC")


def agent_state(state: ConversationState, agent: str | None) -> str:
    return AGENT_STATE[state].format(agent=agent or "an agent")


def linkable(source: SourceRef) -> bool:
    return bool(source.url) and str(source.url).startswith(("https://", "http://"))


def words(code: str) -> str:
    """A reason code as words: "explicit_request" -> "Explicit request"."""
    return code.replace("_", " ").capitalize()


TEMPLATES.env.filters.update(waited=waited, clock=clock, words=words, priority=lambda p: PRIORITY[p])
TEMPLATES.env.globals.update(
    agent_state=agent_state,
    linkable=linkable,
    customer_state=lambda s: CUSTOMER_STATE[s],
    States=ConversationState,
)


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    headers: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def fragment(name: str, **context: Any) -> str:
    return TEMPLATES.env.get_template(name).render(**context)


def sse(event: str, html: str, event_id: int | None = None) -> str:
    """One Server-Sent Event carrying HTML (each line of it a `data:` line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    data = "".join(f"data: {line}\n" for line in html.strip().splitlines() or [""])
    return f"{head}event: {event}\n{data}\n"
