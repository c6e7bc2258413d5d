"""SupportConversation: one durable workflow per support ticket (workflow id `ticket-<ticket id>`).

A thin driver around the conversation's rules (tandem.conversation.Conversation): handlers and timers ask the
machine what happens, then carry out the effects it returns (store writes, AI turns). Every state change
goes through `_turn_lock`, so an AI turn in flight always finishes before a person takes over, and the AI
never replies while a person owns or is about to own the conversation.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.store import StoreActivities
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
    from tandem.conversation.machine import Conversation, fresh_state
    from tandem.text_hygiene import message_problem
    from workflows.ai_steps import AiSteps
    from workflows.effects import EffectRunner
    from workflows.promise_handlers import PromiseHandlers
    from workflows.refusals import refusals, rejected
    from workflows.timers import Timers
    from workflows.visibility import Visibility

TRANSCRIPT_TAIL_ON_CONTINUE = 30  # the full transcript lives in the store
WAITING = ConversationState.WAITING_FOR_HUMAN
CLOSED = ConversationState.CLOSED


@workflow.defn
class SupportConversation(PromiseHandlers):
    @workflow.init
    def __init__(self, start: TicketStart) -> None:
        data = start.carried or fresh_state(start.customer, workflow.now())
        timeouts = start.timeouts or ConversationTimeouts()
        self._c = Conversation(start.ticket_id, start.customer, timeouts, start.business_hours, data)
        self._ai_mode = start.ai_mode or AiMode.ON
        self._human_only = set(start.human_only_categories or [])
        self._ai = AiSteps(start.ticket_id, start.customer)
        self._seen = Visibility(start.ticket_id, start.customer)
        self._turn_lock = asyncio.Lock()
        self._opened = start.carried is not None
        self._in_flight: set[str] = set()
        self._effects = EffectRunner(self._c, self._ai, self._seen)
        self._timers = Timers(self._c, self._effects, self._turn_lock, self._in_flight, self._ai_mode)

    @property
    def _d(self) -> CarriedState:
        return self._c.data

    # --- the run loop: timers only ------------------------------------------------------------------

    @workflow.run
    async def run(self, start: TicketStart) -> TicketOutcome:
        if start.carried is None:
            record = TicketRecord(
                ticket_id=self._c.ticket_id,
                customer_id=start.customer.customer_id,
                product=start.customer.product,
                subject=start.subject,
                opened_at=self._d.opened_at,
                simulated=start.simulated,
            )
            await self._effects.store(StoreActivities.open_ticket, record)
            self._opened = True
            if self._ai_mode is not AiMode.ON:
                async with self._turn_lock:
                    await self._effects.apply(self._c.route_to_people(workflow.now(), self._ai_mode))
        self._seen.publish(self._d)
        promises = asyncio.create_task(self._timers.watch_promises())
        while True:
            await self._timers.converse()
            if self._d.state is not CLOSED or not await self._timers.survey_window():
                break
        promises.cancel()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._d.state is not CLOSED:
            workflow.continue_as_new(start.model_copy(update={"carried": self._carry()}))
        d = self._d
        return TicketOutcome(
            ticket_id=self._c.ticket_id,
            resolution=d.resolution or Resolution.RESOLVED_BY_AI,
            closed_by=d.closed_by,
            escalated=d.escalated,
            ai_turns=d.ai_turns,
            messages=d.messages_before_tail + len(d.transcript_tail),
            csat=d.csat,
            reopened=d.reopened,
        )

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
            received = self._c.receive(workflow.now(), message.message_id, message.text)
            if not self._d.categorized and (self._ai_mode is not AiMode.ON or self._human_only):
                # The category decides who answers: known before routing (else the AI turn brings it).
                self._c.categorized_as(await self._ai.category(message.text))
                self._seen.publish(self._d)
            may_answer = self._ai_mode is AiMode.ON and self._d.category not in self._human_only
            effects, held = self._c.route(
                workflow.now(), message.message_id, message.text, may_answer, self._ai_mode
            )
            response = await self._effects.apply([*received, *effects]) or held
        assert response is not None  # the machine answers or holds every message
        self._c.remember(message.message_id, response)
        self._in_flight.discard(message.message_id)
        return response

    @send_message.validator
    def _validate_send_message(self, message: CustomerMessage) -> None:
        if message.message_id in self._d.answered or message.message_id in self._in_flight:
            return  # a retry of an accepted message: answer it again, write nothing
        _validate_text(message.text)
        if message.customer_id is not None and message.customer_id != self._c.customer.customer_id:
            raise rejected("this ticket belongs to another customer")
        with refusals():
            self._c.check_message()

    @workflow.signal
    async def request_human(self, request: HumanRequest) -> None:
        """'Talk to a human' always works: a signal cannot be rejected, and it is a no-op if already done."""
        await workflow.wait_condition(lambda: self._opened)
        async with self._turn_lock:
            await self._effects.apply(self._c.request_human(workflow.now(), request.reason))

    # --- agents -------------------------------------------------------------------------------------

    @workflow.update
    async def take_over(self, request: TakeOver) -> ConversationStatus:
        async with self._turn_lock:  # lets an AI turn in flight finish first
            with refusals():
                effects = self._c.take_over(workflow.now(), request.agent)
            await self._effects.apply(effects)
            return self.status()

    @take_over.validator
    def _validate_take_over(self, request: TakeOver) -> None:
        with refusals():
            self._c.check_take_over(request.agent)

    @workflow.update
    async def reply(self, reply: AgentReply) -> TranscriptEntry:
        async with self._turn_lock:
            if (existing := self._c.entry(reply.message_id)) is not None:
                return existing
            with refusals():
                effects = self._c.agent_reply(workflow.now(), reply.agent, reply.text, reply.message_id)
            entry = self._d.transcript_tail[-1]
            await self._effects.apply(effects)
            return entry

    @reply.validator
    def _validate_reply(self, reply: AgentReply) -> None:
        if self._c.entry(reply.message_id) is None:
            _validate_text(reply.text)
            with refusals():
                self._c.check_owner(reply.agent)

    @workflow.update
    async def hand_back(self, request: HandBack) -> ConversationStatus:
        async with self._turn_lock:
            with refusals():
                effects = self._c.hand_back(workflow.now(), request.agent)
            await self._effects.apply(effects)
            return self.status()

    @hand_back.validator
    def _validate_hand_back(self, request: HandBack) -> None:
        with refusals():
            self._c.check_hand_back(request.agent)

    @workflow.update
    async def close(self, request: CloseRequest) -> ConversationStatus:
        async with self._turn_lock:
            await self._effects.apply(
                self._c.close(workflow.now(), request.resolution, request.by, request.note)
            )
            return self.status()

    @close.validator
    def _validate_close(self, request: CloseRequest) -> None:
        with refusals():
            self._c.check_close(request.resolution, request.by)

    # --- after close -------------------------------------------------------------------------------

    @workflow.update
    async def submit_csat(self, response: CsatResponse) -> ConversationStatus:
        if self._d.csat is None:
            self._d.csat = response
            record = CsatRecord(
                ticket_id=self._c.ticket_id,
                rating=response.rating,
                comment=response.comment,
                at=workflow.now(),
            )
            await self._effects.store(StoreActivities.record_csat, record)
        return self.status()

    @submit_csat.validator
    def _validate_csat(self, response: CsatResponse) -> None:
        if self._d.csat is not None and self._d.csat == response:
            return  # a retry
        if self._d.state is not CLOSED:
            raise rejected("the survey opens when the conversation is closed")
        if not self._c.clocks.survey_open(workflow.now()):
            raise rejected("the survey for this conversation is closed")
        if self._d.csat is not None:
            raise rejected("this conversation has already been rated")

    @workflow.update
    async def reopen(self, request: ReopenRequest) -> SupportResponse:
        """The customer writes again after close: a new episode, without the old escalation."""
        if request.message_id in self._d.answered:
            return self._d.answered[request.message_id]
        async with self._turn_lock:
            await self._effects.apply(self._c.reopen(workflow.now(), request.message_id, request.text))
        return await self.send_message(CustomerMessage(message_id=request.message_id, text=request.text))

    @reopen.validator
    def _validate_reopen(self, request: ReopenRequest) -> None:
        if request.message_id not in self._d.answered:
            _validate_text(request.text)
            with refusals():
                self._c.check_reopen(workflow.now())

    # --- reads --------------------------------------------------------------------------------------

    @workflow.query
    def status(self) -> ConversationStatus:
        return self._c.status()

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

    def _carry(self) -> CarriedState:
        tail = self._d.transcript_tail[-TRANSCRIPT_TAIL_ON_CONTINUE:]
        dropped = len(self._d.transcript_tail) - len(tail)
        return self._d.model_copy(
            update={"transcript_tail": tail, "messages_before_tail": self._d.messages_before_tail + dropped}
        )


def _validate_text(text: str) -> None:
    if problem := message_problem(text):
        raise rejected(problem)
