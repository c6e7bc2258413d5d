"""What a backend imports to drive support conversations: open tickets, send messages, agent actions.

Every call is safe to retry: tickets are keyed by id (workflow id `ticket-<id>`), customer messages by
their message id (also the update id, so Temporal dedupes them), agent replies by theirs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from tandem import search_attributes as sa
from tandem.client_errors import (
    RequestRejected,
    TandemError,
    TandemUnavailable,
    TicketClosedError,
    UnknownTicketError,
    built,
    connect_failed,
    transient,
)
from tandem.client_start import settle_failed_start, start_options, workflow_id
from tandem.contracts import (
    REJECTED,
    TICKET_CLOSED,
    AgentDraft,
    AgentPromise,
    AgentReply,
    AiMode,
    BusinessHours,
    CloseRequest,
    ConversationState,
    ConversationStatus,
    ConversationTimeouts,
    CsatResponse,
    CustomerMessage,
    HandBack,
    HandoffPackage,
    HumanRequest,
    Priority,
    PromiseKept,
    PromiseRequest,
    QueueItem,
    ReopenRequest,
    Resolution,
    SupportResponse,
    TakeOver,
    TicketStart,
    TranscriptEntry,
)
from tandem.settings import Settings
from tandem.text_hygiene import message_problem

__all__ = [
    "RequestRejected",
    "TandemClient",
    "TandemError",
    "TandemUnavailable",
    "TicketClosedError",
    "UnknownTicketError",
    "workflow_id",
]


_T = TypeVar("_T")
RETRY_FIRST_DELAY_S = 0.2
RETRY_MAX_DELAY_S = 5.0


# The workflow by name, so a backend imports neither it nor the worker's dependencies: its type, its
# signals, and the result type of each update and query (what the pydantic converter decodes into).
# tests/test_thin_client.py holds these to the definition of workflows.conversation.SupportConversation.
WORKFLOW_TYPE = "SupportConversation"
_UPDATES: dict[str, Any] = {
    "send_message": SupportResponse,
    "take_over": ConversationStatus,
    "reply": TranscriptEntry,
    "hand_back": ConversationStatus,
    "close": ConversationStatus,
    "submit_csat": ConversationStatus,
    "reopen": SupportResponse,
    "promise": AgentPromise,
    "keep_promise": AgentPromise,
}
_QUERIES: dict[str, Any] = {
    "status": ConversationStatus,
    "draft": AgentDraft | None,
    "handoff": HandoffPackage | None,
    "transcript": list[TranscriptEntry],
}
_SIGNALS = frozenset({"request_human"})


class TandemClient:
    def __init__(
        self,
        client: Client,
        task_queue: str,
        default_timeouts: ConversationTimeouts | None = None,
        business_hours: BusinessHours | None = None,
        rollout: Callable[[str, str | None], AiMode] | None = None,
        human_only_categories: list[str] | None = None,
        retry_for: timedelta = timedelta(seconds=90),
    ) -> None:
        self._client = client
        self._retry_for = retry_for  # how long transient failures are retried before TandemUnavailable
        self._task_queue = task_queue
        self._default_timeouts = default_timeouts or ConversationTimeouts()
        self._business_hours = business_hours
        self._rollout = rollout
        self._human_only_categories = human_only_categories or []

    @property
    def task_queue(self) -> str:
        return self._task_queue

    @classmethod
    def from_settings(cls, client: Client, settings: Settings) -> TandemClient:
        return cls(
            client,
            settings.task_queue,
            settings.default_timeouts(),
            settings.parsed_business_hours(),
            settings.ai_mode_for,
            settings.human_only_categories,
        )

    # --- customers ----------------------------------------------------------------------------------

    async def open_ticket(self, start: TicketStart) -> ConversationStatus:
        """Start the ticket's conversation, or attach to it if it is already running."""
        start = self._with_defaults(start)
        options = start_options(start, self._task_queue)
        await self._call(
            start.ticket_id, lambda: self._client.start_workflow(WORKFLOW_TYPE, start, **options)
        )
        return await self._query(start.ticket_id, "status")

    async def send_message(
        self, ticket_id: str, text: str, *, message_id: str | None = None, start: TicketStart | None = None
    ) -> SupportResponse:
        """Send a customer message and wait for the reply. With `start`, the message may open the ticket.

        A message the conversation would refuse (empty, too long, a bad id) is refused here, before
        anything starts: a rejected first message leaves no workflow and no ticket behind."""
        message = built(CustomerMessage, message_id=message_id or uuid.uuid4().hex, text=text)
        if problem := message_problem(message.text):
            raise RequestRejected(problem)
        update_id = f"msg-{message.message_id}"
        if start is None:
            return await self._update(ticket_id, "send_message", message, update_id)
        if start.ticket_id != ticket_id:
            raise RequestRejected("start.ticket_id must equal ticket_id")
        start = self._with_defaults(start)
        message = message.model_copy(update={"customer_id": start.customer.customer_id})

        async def with_start() -> SupportResponse:
            operation = WithStartWorkflowOperation(  # one per attempt: an operation is used once
                WORKFLOW_TYPE, start, **start_options(start, self._task_queue)
            )
            try:
                return await self._client.execute_update_with_start_workflow(
                    "send_message",
                    message,
                    start_workflow_operation=operation,
                    id=update_id,
                    result_type=_UPDATES["send_message"],
                )
            except BaseException:
                settle_failed_start(operation)
                raise

        return await self._call(ticket_id, with_start)

    async def request_human(self, ticket_id: str, reason: str = "customer asked for a person") -> None:
        await self._signal(ticket_id, "request_human", built(HumanRequest, reason=reason))

    async def submit_csat(self, ticket_id: str, rating: int, comment: str = "") -> ConversationStatus:
        """The customer's 1-5 rating after close, while the survey window is open."""
        return await self._update(
            ticket_id, "submit_csat", built(CsatResponse, rating=rating, comment=comment)
        )

    async def reopen(self, ticket_id: str, text: str, *, message_id: str | None = None) -> SupportResponse:
        """Write again after close: within the survey window the conversation reopens as a new episode."""
        request = built(ReopenRequest, message_id=message_id or uuid.uuid4().hex, text=text)
        return await self._update(ticket_id, "reopen", request)

    # --- agents -------------------------------------------------------------------------------------

    async def take_over(self, ticket_id: str, agent: str) -> ConversationStatus:
        return await self._update(ticket_id, "take_over", built(TakeOver, agent=agent))

    async def reply(
        self, ticket_id: str, agent: str, text: str, *, message_id: str | None = None
    ) -> TranscriptEntry:
        request = built(AgentReply, agent=agent, text=text, message_id=message_id or uuid.uuid4().hex)
        update_id = f"reply-{request.message_id}"  # a retried reply is one reply, even after continue-as-new
        return await self._update(ticket_id, "reply", request, update_id=update_id)

    async def hand_back(self, ticket_id: str, agent: str, note: str = "") -> ConversationStatus:
        return await self._update(ticket_id, "hand_back", built(HandBack, agent=agent, note=note))

    async def close(
        self, ticket_id: str, resolution: Resolution, by: str, note: str = ""
    ) -> ConversationStatus:
        request = built(CloseRequest, resolution=resolution, by=by, note=note)
        return await self._update(ticket_id, "close", request)

    async def promise(self, ticket_id: str, agent: str, text: str, due_at: datetime) -> AgentPromise:
        """Record a follow-up promised to the customer; missing it raises the ticket's priority."""
        request = built(PromiseRequest, agent=agent, text=text, due_at=due_at)
        return await self._update(ticket_id, "promise", request)

    async def keep_promise(self, ticket_id: str, agent: str, promise_id: str) -> AgentPromise:
        request = built(PromiseKept, agent=agent, promise_id=promise_id)
        return await self._update(ticket_id, "keep_promise", request)

    # --- reads --------------------------------------------------------------------------------------

    async def status(self, ticket_id: str) -> ConversationStatus:
        return await self._query(ticket_id, "status")

    async def draft(self, ticket_id: str) -> AgentDraft | None:
        """The AI's suggested reply for the agent, while a person has the conversation."""
        return await self._query(ticket_id, "draft")

    async def handoff(self, ticket_id: str) -> HandoffPackage | None:
        """The handoff package of an escalated conversation (summary, context, reasons, suggested reply)."""
        return await self._query(ticket_id, "handoff")

    async def transcript(self, ticket_id: str) -> list[TranscriptEntry]:
        return await self._query(ticket_id, "transcript")

    async def queue(self, limit: int = 100) -> list[QueueItem]:
        """Conversations waiting for a person: most urgent first, then longest waiting (from visibility)."""
        query = (
            f'WorkflowType="{WORKFLOW_TYPE}" AND ExecutionStatus="Running" '
            f'AND `{sa.STATUS.name}`="{ConversationState.WAITING_FOR_HUMAN.value}"'
        )
        return await self._call(None, lambda: self._list_queue(query, limit))

    async def _list_queue(self, query: str, limit: int) -> list[QueueItem]:
        items: list[QueueItem] = []
        async for execution in self._client.list_workflows(query, limit=limit):
            attrs = execution.typed_search_attributes
            waiting_since = attrs.get(sa.WAITING_SINCE)
            if waiting_since is None:  # started before WaitingSince existed: use when the run began
                waiting_since = execution.start_time
            product = attrs.get(sa.PRODUCT)
            items.append(
                QueueItem(
                    ticket_id=attrs.get(sa.TICKET_ID) or execution.id.removeprefix("ticket-"),
                    customer_id=attrs.get(sa.CUSTOMER_ID) or "",
                    product=None if product in (None, "none") else product,
                    priority=Priority(attrs.get(sa.PRIORITY) or Priority.NORMAL),
                    waiting_since=waiting_since,
                )
            )
        return sorted(items, key=lambda item: (-item.priority, item.waiting_since))

    # --- plumbing -----------------------------------------------------------------------------------

    def _with_defaults(self, start: TicketStart) -> TicketStart:
        """The deployment's timeouts and business hours, unless the ticket brings its own."""
        return start.model_copy(
            update={
                "timeouts": start.timeouts or self._default_timeouts,
                "business_hours": start.business_hours or self._business_hours,
                "ai_mode": start.ai_mode
                or (self._rollout(start.ticket_id, start.customer.product) if self._rollout else AiMode.ON),
                "human_only_categories": start.human_only_categories
                if start.human_only_categories is not None
                else self._human_only_categories,
            }
        )

    def _handle(self, ticket_id: str) -> WorkflowHandle[Any, Any]:
        return self._client.get_workflow_handle(workflow_id(ticket_id))

    async def _update(self, ticket_id: str, update: str, arg: Any, update_id: str | None = None) -> Any:
        result_type = _UPDATES[update]
        # A fixed update id: a retry after a lost connection is the same update, never a second one.
        update_id = update_id or f"{update}-{uuid.uuid4().hex}"
        return await self._call(
            ticket_id,
            lambda: self._handle(ticket_id).execute_update(
                update, arg, id=update_id, result_type=result_type
            ),
        )

    async def _signal(self, ticket_id: str, signal: str, arg: Any) -> None:
        if signal not in _SIGNALS:  # a signal the workflow does not define would be dropped silently
            raise KeyError(signal)
        await self._call(ticket_id, lambda: self._handle(ticket_id).signal(signal, arg))

    async def _query(self, ticket_id: str, query: str) -> Any:
        result_type = _QUERIES[query]
        return await self._call(
            ticket_id, lambda: self._handle(ticket_id).query(query, result_type=result_type)
        )

    async def _call(self, ticket_id: str | None, operation: Callable[[], Awaitable[_T]]) -> _T:
        """Run `operation` on a ticket (None: on the queue), retrying what a restart of Temporal or a worker
        causes (unreachable server, a workflow task being retried) with backoff for up to `retry_for`;
        callers see only TandemErrors."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self._retry_for.total_seconds()
        delay = RETRY_FIRST_DELAY_S
        while True:
            try:
                return await operation()
            except (WorkflowUpdateFailedError, RPCError, WorkflowAlreadyStartedError) as err:
                translated = await self._translate(ticket_id, err) if ticket_id is not None else err
                if isinstance(translated, TandemError):
                    raise translated from err
                failure = err
            except WorkflowUpdateRPCTimeoutOrCancelledError as err:  # the server's long poll ran out
                failure = err
            except RuntimeError as err:  # a lazily connected client's server is unreachable
                if not connect_failed(err):
                    raise
                failure = err
            if not transient(failure) or loop.time() + delay > give_up:
                subject = f"ticket {ticket_id!r}" if ticket_id is not None else "the queue"
                raise TandemUnavailable(f"{subject}: {failure}") from failure
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_DELAY_S)

    async def _translate(self, ticket_id: str, err: Exception) -> Exception:
        """Turn Temporal's errors into ones a backend can show: rejected, closed, or unknown."""
        if isinstance(err, WorkflowUpdateFailedError):
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == TICKET_CLOSED:
                return TicketClosedError(ticket_id)
            if isinstance(cause, ApplicationError) and cause.type == REJECTED:
                return RequestRejected(cause.message)
            return TandemUnavailable(f"ticket {ticket_id!r}: the conversation failed the request: {cause}")
        if isinstance(err, WorkflowAlreadyStartedError):
            return TicketClosedError(ticket_id)
        if isinstance(err, RPCError) and err.status in (
            RPCStatusCode.NOT_FOUND,
            RPCStatusCode.FAILED_PRECONDITION,
        ):
            try:
                description = await self._handle(ticket_id).describe()
            except RPCError as described:
                if described.status is RPCStatusCode.NOT_FOUND:
                    return UnknownTicketError(ticket_id)
                return described
            if description.raw_description.workflow_execution_info.status != (
                WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
            ):
                return TicketClosedError(ticket_id)
        return err
