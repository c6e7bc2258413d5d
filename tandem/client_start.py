"""How the client starts a ticket's conversation: its workflow id, its start options (search attributes the
Temporal UI filters on, the one-conversation-per-ticket policy) and the clean-up of a failed
update-with-start."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio.client import WithStartWorkflowOperation
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from tandem import search_attributes as sa
from tandem.contracts import ConversationState, Priority, TicketStart

# A task taken by a worker that died is handed on after this (Temporal's default: 10 s); safe because a worker
# holds few at once (worker.py WORKFLOW_TASK_SLOTS) and the SDK extends one waiting on local activities.
WORKFLOW_TASK_TIMEOUT = timedelta(seconds=4)


def workflow_id(ticket_id: str) -> str:
    return f"ticket-{ticket_id}"


def start_options(start: TicketStart, task_queue: str) -> dict[str, Any]:
    """The options of `Client.start_workflow` (and of an update-with-start's operation) for a ticket: an
    already running conversation is attached to, a closed one never restarted."""
    customer = start.customer
    return {
        "id": workflow_id(start.ticket_id),
        "task_queue": task_queue,
        # One conversation per ticket, ever: a closed ticket is not silently reopened by a retry.
        "id_reuse_policy": WorkflowIDReusePolicy.REJECT_DUPLICATE,
        "task_timeout": WORKFLOW_TASK_TIMEOUT,
        "search_attributes": TypedSearchAttributes(
            [
                SearchAttributePair(sa.TICKET_ID, start.ticket_id),
                SearchAttributePair(sa.CUSTOMER_ID, customer.customer_id),
                SearchAttributePair(sa.PRODUCT, customer.product or "none"),
                SearchAttributePair(sa.STATUS, ConversationState.AI_ACTIVE.value),
                SearchAttributePair(sa.ESCALATED, False),
                SearchAttributePair(
                    sa.PRIORITY, int(Priority.HIGH if customer.high_value else Priority.NORMAL)
                ),
            ]
        ),
        "static_summary": f"Ticket {start.ticket_id} · customer {customer.customer_id}"
        + (f" · {customer.product}" if customer.product else "")
        + (" · high value" if customer.high_value else ""),
        "id_conflict_policy": WorkflowIDConflictPolicy.USE_EXISTING,
    }


def settle_failed_start(operation: WithStartWorkflowOperation[Any, Any]) -> None:
    """Read the error the SDK also stores in a failed operation's workflow-handle future, which nothing
    awaits: otherwise asyncio logs "Future exception was never retrieved" with the traceback of an error the
    client has already retried or reported (the SDK offers no public way to look without waiting)."""
    handle = getattr(operation, "_workflow_handle", None)
    if isinstance(handle, asyncio.Future) and handle.done() and not handle.cancelled():
        handle.exception()
