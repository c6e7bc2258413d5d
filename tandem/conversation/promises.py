"""Promises people make: "I'll call you back tomorrow", recorded with a due time.

The owner of a conversation records a promise; it is kept when they mark it so. One that is still open when
it falls due is missed: the conversation's priority goes up one step, an escalation record with the code
`agent_promise_missed` tells the owner and the queue (and counts in the report's escalation reasons), and an
AI event keeps it for review. Closing the conversation settles the promises still open: nobody is asked to
follow up on a closed ticket. Pure rules over the conversation's state; the workflow keeps the timer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.contracts import (
    AgentPromise,
    ConversationState,
    EscalationReason,
    Priority,
)
from tandem.conversation.effects import Effect
from tandem.conversation.machine import Conversation, Refused

MAX_AHEAD = timedelta(days=60)  # a promise further out is a task for another tool, not a conversation timer
MISSED = "agent_promise_missed"


def check_promise(c: Conversation, agent: str, due_at: datetime, now: datetime) -> None:
    """Refused unless `agent` owns the open conversation and `due_at` lies ahead, within `MAX_AHEAD`."""
    c.check_owner(agent)
    if due_at <= now:
        raise Refused("a promise is due in the future")
    if due_at - now > MAX_AHEAD:
        raise Refused(f"a promise is due within {MAX_AHEAD.days} days")


def make_promise(c: Conversation, now: datetime, agent: str, text: str, due_at: datetime) -> list[Effect]:
    check_promise(c, agent, due_at, now)
    promise = AgentPromise(
        promise_id=f"{c.ticket_id}:promise:{c.journal.next_seq()}",
        agent=agent,
        text=text.strip(),
        made_at=now,
        due_at=due_at,
    )
    c.data.promises = [*c.data.promises, promise]
    return [c.journal.event(now, "promise_made", f"{agent}: {promise.text} (due {due_at:%Y-%m-%d %H:%M %Z})")]


def find(c: Conversation, promise_id: str) -> AgentPromise:
    for promise in c.data.promises:
        if promise.promise_id == promise_id:
            return promise
    raise Refused(f"no promise {promise_id} on this conversation")


def check_keep(c: Conversation, agent: str, promise_id: str) -> None:
    promise = find(c, promise_id)
    if promise.kept_at is None and promise.agent != agent and c.data.agent != agent:
        raise Refused(f"{promise.agent} made this promise, not {agent}")


def keep_promise(c: Conversation, now: datetime, agent: str, promise_id: str) -> list[Effect]:
    """Marks it kept (late or not); keeping it twice changes nothing."""
    check_keep(c, agent, promise_id)
    promise = find(c, promise_id)
    if promise.kept_at is not None:
        return []
    promise.kept_at = now
    return [c.journal.event(now, "promise_kept", f"{agent}: {promise.text}")]


def next_due(c: Conversation) -> datetime | None:
    """When the earliest open promise falls due (None: none open, or the conversation is closed)."""
    if c.data.state is ConversationState.CLOSED:
        return None
    return min((p.due_at for p in c.data.promises if p.open), default=None)


def promises_missed(c: Conversation, now: datetime) -> list[Effect]:
    """Every open promise due by `now` is missed: one priority step up per pass, the owner told."""
    missed = [p for p in c.data.promises if p.open and p.due_at <= now]
    if not missed or c.data.state is ConversationState.CLOSED:
        return []
    for promise in missed:
        promise.missed_at = now
    c.data.priority = Priority(min(c.data.priority + 1, Priority.URGENT))
    reasons = [
        EscalationReason(
            code=MISSED,
            detail=f"{p.agent} promised {p.text!r} by {p.due_at:%Y-%m-%d %H:%M %Z}",
        )
        for p in missed
    ]
    events = [c.journal.event(now, MISSED, f"{p.agent}: {p.text}") for p in missed]
    return [*events, *c.journal.escalation(now, MISSED, reasons), c.journal.status(now)]
