"""SupportConversation: one durable workflow per support ticket (workflow id `ticket-<ticket id>`).

A thin driver around the conversation's rules (tandem.conversation.Conversation): handlers and timers ask the
machine what happens, then carry out the effects it returns (store writes, AI turns). Every state change
goes through `_turn_lock`, so an AI turn in flight always finishes before a person takes over, and the AI
never replies while a person owns or is about to own the conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.store import STORE_REJECTED, StoreActivities
    from tandem.contracts import (
        AgentDraft,
        AgentReply,
        AiMode,
        CarriedState,
        CloseRequest,
        ConversationState,
        ConversationStatus,
        ConversationTimeouts,
        CsatRecord,
        CsatResponse,
        CustomerMessage,
        EscalationDecision,
        EscalationReason,
        HandBack,
        HandoffPackage,
        HumanRequest,
        ReopenRequest,
        Resolution,
        SupportResponse,
        TakeOver,
        TicketOutcome,
        TicketRecord,
        TicketStart,
        TranscriptEntry,
    )
    from tandem.conversation.effects import AnswerWithAi, Effect, WriteEscalation, WriteEvent, WriteMessage
    from tandem.conversation.machine import Conversation, Refused, fresh_state
    from tandem.text_hygiene import message_problem
    from workflows import activity_policy as policy
    from workflows.ai_steps import AiSteps
    from workflows.visibility import Visibility

TRANSCRIPT_TAIL_ON_CONTINUE = 30  # the full transcript lives in the store
# Error types of rejected updates, so clients can tell "closed" from "invalid" without parsing text.
REJECTED = "RequestRejected"
TICKET_CLOSED = "TicketClosed"
AI = ConversationState.AI_ACTIVE
WAITING = ConversationState.WAITING_FOR_HUMAN
CLOSED = ConversationState.CLOSED


@workflow.defn
class SupportConversation:
    @workflow.init
    def __init__(self, start: TicketStart) -> None:
        self._id = start.ticket_id
        data = start.carried or fresh_state(start.customer, workflow.now())
        timeouts = start.timeouts or ConversationTimeouts()
        self._c = Conversation(start.ticket_id, start.customer, timeouts, start.business_hours, data)
        self._ai_mode = start.ai_mode or AiMode.ON
        self._human_only = set(start.human_only_categories or [])
        self._ai = AiSteps(start.ticket_id, start.customer)
        self._seen = Visibility(start.ticket_id, start.customer)
        self._turn_lock = asyncio.Lock()
        self._opened = start.carried is not None
        self._categorized = start.carried is not None
        self._in_flight: set[str] = set()

    @property
    def _d(self) -> CarriedState:
        return self._c.data

    # --- the run loop: timers only ------------------------------------------------------------------

    @workflow.run
    async def run(self, start: TicketStart) -> TicketOutcome:
        if start.carried is None:
            record = TicketRecord(
                ticket_id=self._id,
                customer_id=start.customer.customer_id,
                product=start.customer.product,
                subject=start.subject,
                opened_at=self._d.opened_at,
            )
            await self._store(StoreActivities.open_ticket, record)
            self._opened = True
            if self._ai_mode is not AiMode.ON:
                async with self._turn_lock:
                    await self._apply(self._c.route_to_people(workflow.now(), self._ai_mode))
        self._seen.publish(self._d)
        while True:
            await self._converse()
            if self._d.state is not CLOSED or not await self._survey_window():
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._d.state is not CLOSED:
            workflow.continue_as_new(start.model_copy(update={"carried": self._carry()}))
        d = self._d
        return TicketOutcome(
            ticket_id=self._id,
            resolution=d.resolution or Resolution.RESOLVED_BY_AI,
            closed_by=d.closed_by,
            escalated=d.escalated,
            ai_turns=d.ai_turns,
            messages=d.messages_before_tail + len(d.transcript_tail),
            csat=d.csat,
            reopened=d.reopened,
        )

    async def _converse(self) -> None:
        """Until the conversation closes (or Temporal suggests continuing as new), watch its timers."""
        while self._d.state is not CLOSED and not self._should_continue_as_new():
            if self._d.state is AI:
                await self._watch_ai()
            elif self._d.state is WAITING:
                await self._watch_pickup()
            else:
                await self._wait_for(
                    lambda: self._d.state is not ConversationState.HUMAN_ACTIVE or self._drafts()
                )
            await self._help_people()

    async def _watch_ai(self) -> None:
        """The customer going quiet closes the ticket; the AI running out of time hands it to a person."""
        seen = self._d.customer_activity
        moved = lambda: self._d.customer_activity != seen or self._d.state is not AI  # noqa: E731
        if await self._wait_for(moved, until=self._c.ai_deadline()):
            return
        async with self._turn_lock:
            arriving = bool(self._in_flight)  # a message is on its way in: the customer is not gone
            if not moved() and not arriving:
                await self._apply(self._c.ai_deadline_passed(workflow.now()))
        if arriving:
            # Its handler has not reached the lock yet (the timer fired in the same activation as the
            # message arrived): yield until it has, or this loop would spin without ever letting it run.
            await workflow.wait_condition(lambda: moved() or not self._in_flight)

    async def _watch_pickup(self) -> None:
        """Nobody picked up in time: raise the priority and tell the customer, once per pickup period."""
        moved = lambda: self._d.state is not WAITING or self._drafts()  # noqa: E731
        due = self._c.pickup_deadline()
        if due is None:  # urgent already: nothing more to raise
            await self._wait_for(moved)
            return
        if await self._wait_for(moved, until=due):
            return
        async with self._turn_lock:
            await self._apply(self._c.pickup_deadline_passed(workflow.now()))

    async def _help_people(self) -> None:
        """A draft of the reply and a hand-off package for the person who has, or will have, the ticket.
        Bounded retries: a failing helper never holds up the timers."""
        if self._drafts():
            self._d.drafted_for_activity = self._d.customer_activity
            self._d.draft = await self._ai.draft(self._d) or self._d.draft
        if self._d.handoff_due:
            self._d.handoff_due = False
            if (package := await self._ai.handoff(self._d)) is not None:
                self._d.handoff = package
                await self._store(StoreActivities.record_handoff, package)
                self._seen.publish(self._d)

    async def _survey_window(self) -> bool:
        """After close the customer may rate the conversation, or reopen it; True when reopened. A rating
        does not end the window, nor does a continue-as-new suggestion."""
        ends = self._c.survey_ends_at() or workflow.now()
        if (remaining := ends - workflow.now()) > timedelta(0):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._d.state is not CLOSED, timeout=remaining)
        return self._d.state is not CLOSED

    async def _wait_for(self, done: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait until `done()` or a continue-as-new suggestion; False when `until` passed first."""
        ready = lambda: done() or self._should_continue_as_new()  # noqa: E731
        remaining = until - workflow.now() if until is not None else None
        if remaining is not None and remaining <= timedelta(0):
            return ready()
        try:
            await workflow.wait_condition(ready, timeout=remaining)
        except TimeoutError:
            return False
        return True

    # --- customers ----------------------------------------------------------------------------------

    @workflow.update
    async def send_message(self, message: CustomerMessage) -> SupportResponse:
        if message.message_id in self._d.answered:
            return self._d.answered[message.message_id]
        if message.message_id in self._in_flight:  # the same message retried while its turn runs
            await workflow.wait_condition(lambda: message.message_id in self._d.answered)
            return self._d.answered[message.message_id]
        self._in_flight.add(message.message_id)
        await workflow.wait_condition(lambda: self._opened)
        async with self._turn_lock:
            await self._apply(self._c.receive(workflow.now(), message.message_id, message.text))
            if not self._categorized:
                self._categorized = True
                self._d.category = await self._ai.category(message.text)
                self._seen.publish(self._d)
            may_answer = self._ai_mode is AiMode.ON and self._d.category not in self._human_only
            effects, held = self._c.route(
                workflow.now(), message.message_id, message.text, may_answer, self._ai_mode
            )
            response = await self._apply(effects) or held
        assert response is not None  # the machine answers or holds every message
        self._c.remember(message.message_id, response)
        self._in_flight.discard(message.message_id)
        return response

    @send_message.validator
    def _validate_send_message(self, message: CustomerMessage) -> None:
        if message.message_id in self._d.answered or message.message_id in self._in_flight:
            return  # a retry of an accepted message: answer it again, write nothing
        _validate_text(message.text)
        with _refusals():
            self._c.check_message()

    @workflow.signal
    async def request_human(self, request: HumanRequest) -> None:
        """'Talk to a human' always works: a signal cannot be rejected, and it is a no-op if already done."""
        await workflow.wait_condition(lambda: self._opened)
        async with self._turn_lock:
            await self._apply(self._c.request_human(workflow.now(), request.reason))

    async def _ai_turn(self, turn: AnswerWithAi) -> SupportResponse:
        try:
            reply = await self._ai.reply(turn.message_id, turn.text, self._d)
            decision = await self._ai.check(self._c.escalation_check(turn.message_id, turn.text, reply))
        except ActivityError as err:
            # Retrieval, the model or the policy check is down: never a dead end, bring in a person.
            workflow.logger.warning("AI turn failed on ticket %s: %s", self._id, err.cause or err)
            reply = None
            reason = EscalationReason(code="ai_unavailable", detail=str(err.cause or err)[:200])
            decision = EscalationDecision(escalate=True, reasons=[reason], priority=self._d.priority)
        effects, response = self._c.ai_turn_finished(
            workflow.now(), turn.message_id, turn.text, reply, decision
        )
        await self._apply(effects)
        return response

    # --- agents -------------------------------------------------------------------------------------

    @workflow.update
    async def take_over(self, request: TakeOver) -> ConversationStatus:
        async with self._turn_lock:  # lets an AI turn in flight finish first
            with _refusals():
                effects = self._c.take_over(workflow.now(), request.agent)
            await self._apply(effects)
            return self.status()

    @take_over.validator
    def _validate_take_over(self, request: TakeOver) -> None:
        with _refusals():
            self._c.check_take_over(request.agent)

    @workflow.update
    async def reply(self, reply: AgentReply) -> TranscriptEntry:
        async with self._turn_lock:
            if (existing := self._c.entry(reply.message_id)) is not None:
                return existing
            with _refusals():
                effects = self._c.agent_reply(workflow.now(), reply.agent, reply.text, reply.message_id)
            entry = self._d.transcript_tail[-1]
            await self._apply(effects)
            return entry

    @reply.validator
    def _validate_reply(self, reply: AgentReply) -> None:
        if self._c.entry(reply.message_id) is None:
            _validate_text(reply.text)
            with _refusals():
                self._c.check_owner(reply.agent)

    @workflow.update
    async def hand_back(self, request: HandBack) -> ConversationStatus:
        async with self._turn_lock:
            with _refusals():
                effects = self._c.hand_back(workflow.now(), request.agent)
            await self._apply(effects)
            return self.status()

    @hand_back.validator
    def _validate_hand_back(self, request: HandBack) -> None:
        with _refusals():
            self._c.check_hand_back(request.agent)

    @workflow.update
    async def close(self, request: CloseRequest) -> ConversationStatus:
        async with self._turn_lock:
            await self._apply(self._c.close(workflow.now(), request.resolution, request.by, request.note))
            return self.status()

    @close.validator
    def _validate_close(self, request: CloseRequest) -> None:
        with _refusals():
            self._c.check_close(request.resolution, request.by)

    # --- after close -------------------------------------------------------------------------------

    @workflow.update
    async def submit_csat(self, response: CsatResponse) -> ConversationStatus:
        if self._d.csat is None:
            self._d.csat = response
            record = CsatRecord(
                ticket_id=self._id, rating=response.rating, comment=response.comment, at=workflow.now()
            )
            await self._store(StoreActivities.record_csat, record)
        return self.status()

    @submit_csat.validator
    def _validate_csat(self, response: CsatResponse) -> None:
        if self._d.csat is not None and self._d.csat == response:
            return  # a retry
        if self._d.state is not CLOSED:
            raise _rejected("the survey opens when the conversation is closed")
        if not self._c.survey_open(workflow.now()):
            raise _rejected("the survey for this conversation is closed")
        if self._d.csat is not None:
            raise _rejected("this conversation has already been rated")

    @workflow.update
    async def reopen(self, request: ReopenRequest) -> SupportResponse:
        """The customer writes again after close: a new episode, without the old escalation."""
        if request.message_id in self._d.answered:
            return self._d.answered[request.message_id]
        async with self._turn_lock:
            await self._apply(self._c.reopen(workflow.now(), request.message_id, request.text))
        return await self.send_message(CustomerMessage(message_id=request.message_id, text=request.text))

    @reopen.validator
    def _validate_reopen(self, request: ReopenRequest) -> None:
        if request.message_id not in self._d.answered:
            _validate_text(request.text)
            with _refusals():
                self._c.check_reopen(workflow.now())

    # --- reads --------------------------------------------------------------------------------------

    @workflow.query
    def status(self) -> ConversationStatus:
        d = self._d
        return ConversationStatus(
            ticket_id=self._id,
            customer_id=self._c.customer.customer_id,
            state=d.state,
            priority=d.priority,
            escalated=d.escalated,
            agent=d.agent,
            ai_turns=d.ai_turns,
            escalation_reasons=d.escalation_reasons,
            resolution=d.resolution,
            opened_at=d.opened_at,
            waiting_since=d.waiting_since,
            timeouts=self._c.timeouts,
            csat=d.csat,
            reopened=d.reopened,
            category=d.category,
        )

    @workflow.query
    def draft(self) -> AgentDraft | None:
        """The AI's suggested reply to the customer's latest message while a person has the ticket."""
        return self._d.draft if self._d.state in (WAITING, ConversationState.HUMAN_ACTIVE) else None

    @workflow.query
    def handoff(self) -> HandoffPackage | None:
        """The package for the person who has, or will pick up, the conversation."""
        return self._d.handoff

    @workflow.query
    def transcript(self) -> list[TranscriptEntry]:
        """The recent transcript (the whole of it until a continue-as-new; the store always has it all)."""
        return self._d.transcript_tail

    # --- carrying out effects -----------------------------------------------------------------------

    async def _apply(self, effects: list[Effect]) -> SupportResponse | None:
        """Carry out what a transition asked for, in order; the response of an AI turn among them."""
        response = None
        for effect in effects:
            if isinstance(effect, AnswerWithAi):
                response = await self._ai_turn(effect)
            elif isinstance(effect, WriteMessage):
                await self._store(StoreActivities.record_message, effect.record)
            elif isinstance(effect, WriteEscalation):
                await self._store(StoreActivities.record_escalation, effect.record)
            elif isinstance(effect, WriteEvent):
                await self._store(StoreActivities.record_ai_event, effect.record)
            else:
                await self._store(StoreActivities.update_status, effect.update)
                self._seen.publish(self._d)
        return response

    async def _store(self, method: Callable[..., None], arg: object) -> None:
        """Write to the store; a write the database refuses for good never wedges the conversation: the
        conversation keeps it in its own state, and a customer the AI is serving goes to a person."""
        try:
            await workflow.execute_activity_method(
                method, arg, start_to_close_timeout=policy.STORE_TIMEOUT, retry_policy=policy.STORE_RETRY
            )
        except ActivityError as err:
            cause = err.cause
            if not (isinstance(cause, ApplicationError) and cause.type == STORE_REJECTED):
                raise
            workflow.logger.error("store refused a write for ticket %s: %s", self._id, cause.message)
            await self._apply(self._c.store_refused(workflow.now(), cause.message))

    def _drafts(self) -> bool:
        return self._c.needs_draft(self._ai_mode)

    def _should_continue_as_new(self) -> bool:
        return workflow.info().is_continue_as_new_suggested()

    def _carry(self) -> CarriedState:
        tail = self._d.transcript_tail[-TRANSCRIPT_TAIL_ON_CONTINUE:]
        dropped = len(self._d.transcript_tail) - len(tail)
        return self._d.model_copy(
            update={"transcript_tail": tail, "messages_before_tail": self._d.messages_before_tail + dropped}
        )


def _validate_text(text: str) -> None:
    if problem := message_problem(text):
        raise _rejected(problem)


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """The machine's refusals as the update errors clients know (closed, or rejected)."""
    try:
        yield
    except Refused as refused:
        raise (_closed() if refused.closed else _rejected(str(refused))) from None


def _rejected(message: str) -> ApplicationError:
    return ApplicationError(message, type=REJECTED, non_retryable=True)


def _closed() -> ApplicationError:
    return ApplicationError("this conversation is closed", type=TICKET_CLOSED, non_retryable=True)
