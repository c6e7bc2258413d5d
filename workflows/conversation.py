"""SupportConversation: one durable workflow per support ticket (workflow id `ticket-<ticket id>`).

States: AI_ACTIVE -> WAITING_FOR_HUMAN -> HUMAN_ACTIVE -> (hand back) AI_ACTIVE ... -> CLOSED.
The run loop only watches timers; handlers change state. Every state change that customers or agents can
cause goes through `_turn_lock`, so an AI turn in flight always finishes before a person takes over, and the
AI never replies while a person owns or is about to own the conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.escalation import EscalationActivities
    from activities.generation import GenerationActivities
    from activities.handoff import HandoffActivities
    from activities.knowledge import KnowledgeActivities
    from activities.store import STORE_REJECTED, StoreActivities
    from tandem import search_attributes as sa
    from tandem.contracts import (
        AgentDraft,
        AgentReply,
        AiEventRecord,
        AiMode,
        Author,
        CarriedState,
        CategoryRequest,
        CloseRequest,
        ConversationState,
        ConversationStatus,
        ConversationTimeouts,
        CsatRecord,
        CsatResponse,
        CustomerMessage,
        EscalationCheck,
        EscalationDecision,
        EscalationReason,
        EscalationRecord,
        GeneratedReply,
        HandBack,
        HandoffPackage,
        HandoffRequest,
        HumanRequest,
        MessageRecord,
        Priority,
        ReopenRequest,
        Resolution,
        SourceRef,
        SupportResponse,
        TakeOver,
        TicketOutcome,
        TicketRecord,
        TicketStart,
        TicketStatusUpdate,
        TranscriptEntry,
        TurnRequest,
    )
    from tandem.escalation import business_hours, notices
    from tandem.responder.drafts import draft_for_agent
    from tandem.text_hygiene import message_problem

# Activity timeouts: store writes are quick; generation may call a remote model.
STORE_TIMEOUT = timedelta(seconds=10)
RETRIEVAL_TIMEOUT = timedelta(seconds=15)
GENERATION_TIMEOUT = timedelta(seconds=60)
ESCALATION_CHECK_TIMEOUT = timedelta(seconds=15)
# Store writes retry until the database is back (a message is never lost); an AI turn gives up after a
# few attempts and hands the customer to a person instead of leaving them waiting.
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
TURN_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=3)

HISTORY_FOR_GENERATION = 8  # transcript entries the responder sees
TRANSCRIPT_TAIL_ON_CONTINUE = 30  # the full transcript lives in the store
ANSWERS_KEPT_FOR_DEDUP = 50

DRAFT_TRIES = 2  # the latest customer message, then the one before it
HANDOFF_TIMEOUT = timedelta(seconds=30)

_UNPUBLISHED = object()

# Error types of rejected updates, so clients can tell "closed" from "invalid" without parsing text.
REJECTED = "RequestRejected"
TICKET_CLOSED = "TicketClosed"


@workflow.defn
class SupportConversation:
    @workflow.init
    def __init__(self, start: TicketStart) -> None:
        self._ticket_id = start.ticket_id
        self._customer = start.customer
        self._subject = start.subject
        self._timeouts = start.timeouts or ConversationTimeouts()
        self._hours = start.business_hours
        self._ai_mode = start.ai_mode or AiMode.ON
        self._human_only_categories = set(start.human_only_categories or [])
        self._turn_lock = asyncio.Lock()
        self._opened = start.carried is not None
        self._published: dict[str, object] = {}
        self._resolution: Resolution | None = None
        self._closed_by = ""
        self._closed_at: datetime | None = None
        self._survey_open = False
        self._csat: CsatResponse | None = None
        self._category: str | None = start.carried.category if start.carried else None
        self._categorized = start.carried is not None
        self._in_flight: set[str] = set()
        self._customer_activity = 0  # bumps on every customer message; restarts the inactivity timer
        self._drafted_for_activity = 0
        self._draft: AgentDraft | None = start.carried.draft if start.carried else None
        self._handoff: HandoffPackage | None = start.carried.handoff if start.carried else None
        self._handoff_due = False  # set by every escalation or takeover: a person needs a fresh package
        self._store_refused = False  # the store refused a write for good: the ticket went to a person
        carried = start.carried or CarriedState(
            state=ConversationState.AI_ACTIVE,
            priority=Priority.HIGH if start.customer.high_value else Priority.NORMAL,
            escalated=False,
            agent=None,
            ai_turns=0,
            unsure_turns=0,
            episode_started_at=None,
            last_customer_at=None,
            waiting_since=None,
            pickup_misses=0,
            opened_at=workflow.now(),
            escalation_reasons=[],
            transcript_tail=[],
            messages_before_tail=0,
            answered={},
            seq=0,
        )
        self._s = carried

    # --- the run loop: timers only ------------------------------------------------------------------

    @workflow.run
    async def run(self, start: TicketStart) -> TicketOutcome:
        if start.carried is None:
            await self._store(
                StoreActivities.open_ticket,
                TicketRecord(
                    ticket_id=self._ticket_id,
                    customer_id=self._customer.customer_id,
                    product=self._customer.product,
                    subject=self._subject,
                    opened_at=self._s.opened_at,
                ),
            )
            self._opened = True
            if self._ai_mode is not AiMode.ON:
                await self._route_to_people()
        self._publish()

        while True:
            await self._converse()
            if self._s.state is not ConversationState.CLOSED:
                break
            if not await self._survey_window():
                break  # no reopen: the conversation is over

        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._s.state is not ConversationState.CLOSED:
            workflow.continue_as_new(start.model_copy(update={"carried": self._carry()}))
        return TicketOutcome(
            ticket_id=self._ticket_id,
            resolution=self._resolution or Resolution.RESOLVED_BY_AI,
            closed_by=self._closed_by,
            escalated=self._s.escalated,
            ai_turns=self._s.ai_turns,
            messages=self._s.messages_before_tail + len(self._s.transcript_tail),
            csat=self._csat,
            reopened=self._s.reopened,
        )

    def _ai_may_answer(self) -> bool:
        return self._ai_mode is AiMode.ON and self._category not in self._human_only_categories

    async def _route_to_people(self) -> None:
        """Rollout: this ticket goes to people from the start; in shadow mode the AI only drafts for them."""
        async with self._turn_lock:
            code = "shadow_mode" if self._ai_mode is AiMode.SHADOW else "ai_off"
            detail = (
                "AI drafts only (shadow mode)" if code == "shadow_mode" else "AI not enabled for this ticket"
            )
            reason = EscalationReason(code=code, detail=detail, strength=1.0)
            await self._escalate("rollout", EscalationDecision(escalate=True, reasons=[reason]))

    async def _converse(self) -> None:
        """Until the conversation closes (or Temporal suggests continuing as new), watch its timers."""
        while self._s.state is not ConversationState.CLOSED and not self._should_continue_as_new():
            if self._s.state is ConversationState.AI_ACTIVE:
                await self._watch_ai_episode()
            elif self._s.state is ConversationState.WAITING_FOR_HUMAN:
                await self._watch_pickup()
            else:
                await self._wait_for(
                    lambda: self._s.state is not ConversationState.HUMAN_ACTIVE or self._needs_draft()
                )
            if self._needs_draft():
                await self._prepare_draft()
            if self._handoff_due:
                await self._prepare_handoff()

    async def _survey_window(self) -> bool:
        """After close the customer may rate the conversation, or reopen it; True when reopened.

        A timer ends the window (settings: csat_window), and with it the workflow."""
        until = (self._closed_at or workflow.now()) + self._timeouts.csat_window
        # A rating does not end the window: retries stay answerable and the customer may still reopen.
        # Nor does a continue-as-new suggestion (`_wait_for` would stop on one): a closed conversation is
        # not carried over, and its window holds only a rating or a reopen.
        remaining = until - workflow.now()
        if remaining > timedelta(0):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._s.state is not ConversationState.CLOSED, timeout=remaining
                )
        self._survey_open = False
        return self._s.state is not ConversationState.CLOSED

    async def _watch_ai_episode(self) -> None:
        """Close as abandoned when the customer goes quiet; escalate when the AI runs out of time."""
        inactivity_due = (self._s.last_customer_at or self._s.opened_at) + self._timeouts.inactivity
        ai_limit_due = (
            self._s.episode_started_at + self._timeouts.ai_time_limit if self._s.episode_started_at else None
        )
        due = min(d for d in (inactivity_due, ai_limit_due) if d is not None)
        seen = self._customer_activity
        timed_out = not await self._wait_for(
            lambda: self._customer_activity != seen or self._s.state is not ConversationState.AI_ACTIVE,
            until=due,
        )
        if not timed_out:
            return
        async with self._turn_lock:
            if self._s.state is not ConversationState.AI_ACTIVE or self._customer_activity != seen:
                return
            arriving = bool(self._in_flight)  # a message is on its way in: the customer is not gone
            if not arriving and workflow.now() >= inactivity_due:
                await self._close(Resolution.ABANDONED, by="system")
            elif not arriving and ai_limit_due is not None and workflow.now() >= ai_limit_due:
                minutes = int(self._timeouts.ai_time_limit.total_seconds() // 60)
                reason = EscalationReason(code="ai_time_limit", detail=f"not resolved within {minutes} min")
                await self._escalate("ai_time_limit", EscalationDecision(escalate=True, reasons=[reason]))
        if arriving:
            # Its handler has not reached the lock yet (the timer fired in the same activation as the
            # message arrived): yield until it has, or this loop would spin without ever letting it run.
            await workflow.wait_condition(
                lambda: (
                    self._customer_activity != seen
                    or not self._in_flight
                    or self._s.state is not ConversationState.AI_ACTIVE
                )
            )

    async def _watch_pickup(self) -> None:
        """Nobody picked up in time: raise the priority and tell the customer, once per pickup period."""
        waiting_since = self._s.waiting_since or workflow.now()
        due = self._pickup_due(waiting_since, self._timeouts.pickup * (self._s.pickup_misses + 1))
        if self._s.priority >= Priority.URGENT:
            await self._wait_for(
                lambda: self._s.state is not ConversationState.WAITING_FOR_HUMAN or self._needs_draft()
            )
            return
        waiting = ConversationState.WAITING_FOR_HUMAN
        if await self._wait_for(lambda: self._s.state is not waiting or self._needs_draft(), until=due):
            return
        async with self._turn_lock:
            if self._s.state is not ConversationState.WAITING_FOR_HUMAN:
                return
            self._s.pickup_misses += 1
            self._s.priority = Priority(min(self._s.priority + 1, Priority.URGENT))
            await self._say(Author.SYSTEM, notices.pickup_delay_notice())
            if self._s.promised_by is not None and workflow.now() >= self._s.promised_by:
                promised = self._s.promised_by
                self._s.promised_by = None
                reason = EscalationReason(
                    code="promise_missed",
                    detail=f"told the customer a person would pick up by {promised:%Y-%m-%d %H:%M %Z}",
                )
            else:
                reason = EscalationReason(
                    code="pickup_timeout",
                    detail=f"no agent picked up within {self._timeouts.pickup * self._s.pickup_misses}",
                )
            await self._record_escalation(reason.code, [reason])
            await self._sync_status()

    def _pickup_due(self, since: datetime, pickup: timedelta) -> datetime:
        """When a person should have picked up: business time when the deployment has business hours."""
        if self._hours is None:
            return since + pickup
        return business_hours.add_business_time(self._hours, since, pickup)

    async def _wait_for(self, done: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait until `done()` or a continue-as-new suggestion; False when `until` passed first."""

        def ready() -> bool:
            return done() or self._should_continue_as_new()

        if until is None:
            await workflow.wait_condition(ready)
            return True
        remaining = until - workflow.now()
        if remaining <= timedelta(0):
            return ready()
        try:
            await workflow.wait_condition(ready, timeout=remaining)
        except TimeoutError:
            return False
        return True

    # --- customer -----------------------------------------------------------------------------------

    @workflow.update
    async def send_message(self, message: CustomerMessage) -> SupportResponse:
        if message.message_id in self._s.answered:
            return self._s.answered[message.message_id]
        if message.message_id in self._in_flight:  # the same message retried while its turn runs
            await workflow.wait_condition(lambda: message.message_id in self._s.answered)
            return self._s.answered[message.message_id]
        self._in_flight.add(message.message_id)
        await workflow.wait_condition(lambda: self._opened)
        async with self._turn_lock:
            now = workflow.now()
            self._s.last_customer_at = now
            self._customer_activity += 1
            await self._say(Author.CUSTOMER, message.text.strip(), message_id=message.message_id)
            if not self._categorized:
                await self._categorize(message.text)
            if self._s.state is ConversationState.AI_ACTIVE and not self._ai_may_answer():
                # Rollout holds after a hand-back or a reopen too: these tickets are for people.
                code = "shadow_mode" if self._ai_mode is AiMode.SHADOW else "ai_off"
                reason = EscalationReason(code=code, detail="the AI does not answer this ticket")
                await self._escalate("rollout", EscalationDecision(escalate=True, reasons=[reason]))
            if self._s.state is ConversationState.AI_ACTIVE:
                response = await self._ai_turn(message)
            else:
                text = notices.holding_notice(self._s.state, self._s.agent)
                response = self._response(message.message_id, Author.SYSTEM, text)
        self._remember(message.message_id, response)
        self._in_flight.discard(message.message_id)
        return response

    @send_message.validator
    def _validate_send_message(self, message: CustomerMessage) -> None:
        if message.message_id in self._s.answered or message.message_id in self._in_flight:
            return  # a retry of an accepted message: answer it again, write nothing
        _validate_text(message.text)
        if self._s.state is ConversationState.CLOSED:
            raise _closed()

    @workflow.signal
    async def request_human(self, request: HumanRequest) -> None:
        """'Talk to a human' always works: a signal cannot be rejected, and it is a no-op if already done."""
        await workflow.wait_condition(lambda: self._opened)
        async with self._turn_lock:
            if self._s.state is not ConversationState.AI_ACTIVE:
                return
            reason = EscalationReason(code="explicit_request", detail=request.reason)
            decision = EscalationDecision(escalate=True, reasons=[reason], priority=self._s.priority)
            await self._say(Author.SYSTEM, notices.handoff_notice(decision))
            await self._escalate("request_human", decision)

    async def _ai_turn(self, message: CustomerMessage) -> SupportResponse:
        self._s.ai_turns += 1
        self._s.episode_started_at = self._s.episode_started_at or workflow.now()
        try:
            reply, decision = await self._answer(message)
        except ActivityError as err:
            # Retrieval, the model or the policy check is down: never a dead end, bring in a person.
            workflow.logger.warning("AI turn failed on ticket %s: %s", self._ticket_id, err.cause or err)
            reply = None
            reason = EscalationReason(code="ai_unavailable", detail=str(err.cause or err)[:200])
            decision = EscalationDecision(escalate=True, reasons=[reason], priority=self._s.priority)
        if not decision.escalate and self._s.ai_turns >= self._timeouts.ai_turn_limit:
            limit = EscalationReason(
                code="ai_turn_limit", detail=f"not resolved in {self._s.ai_turns} AI turns"
            )
            decision = EscalationDecision(
                escalate=True, reasons=[*decision.reasons, limit], priority=decision.priority
            )

        if reply is not None:
            await self._record_review_events(message, reply, decision)
        confidence = reply.confidence if reply else None
        if reply is not None and not decision.escalate:
            entry = await self._say(Author.AI, reply.text, sources=reply.sources, confidence=confidence)
        else:
            sources = reply.sources if reply is not None and notices.keeps_answer(decision, reply) else []
            text = notices.handoff_notice(decision, reply)
            entry = await self._say(Author.AI, text, sources=sources, confidence=confidence)
            await self._escalate("turn", decision)
        return self._response(message.message_id, Author.AI, entry.text, entry.sources, confidence, decision)

    async def _record_review_events(
        self, message: CustomerMessage, reply: GeneratedReply, decision: EscalationDecision
    ) -> None:
        """Abstentions (with the question: content gaps) and guardrail rewrites, for `tandem review`."""
        # "Can I talk to a person?" is no question an article should answer: not a content gap.
        asked_for_person = any(r.code == "explicit_request" for r in decision.reasons)
        events = [("abstained", message.text)] if reply.abstained and not asked_for_person else []
        events += [(f"guardrail:{note.kind}", note.sentence) for note in reply.guardrails]
        for kind, detail in events:
            record = AiEventRecord(
                ticket_id=self._ticket_id,
                event_id=f"{self._ticket_id}:ai:{self._next_seq()}",
                at=workflow.now(),
                kind=kind,
                detail=detail,
                message_id=message.message_id,
            )
            await self._store(StoreActivities.record_ai_event, record)

    async def _categorize(self, text: str) -> None:
        """The ticket's category, from its first message: recorded on the ticket, the UI and the handoff."""
        self._categorized = True
        try:
            self._category = await workflow.execute_activity_method(
                KnowledgeActivities.categorize,
                CategoryRequest(ticket_id=self._ticket_id, message=text),
                start_to_close_timeout=RETRIEVAL_TIMEOUT,
                retry_policy=TURN_RETRY,
            )
        except ActivityError as err:  # a missing category must never block the customer's answer
            workflow.logger.warning("no category for ticket %s: %s", self._ticket_id, err.cause or err)
        self._publish()

    async def _answer(self, message: CustomerMessage) -> tuple[GeneratedReply, EscalationDecision]:
        """A grounded reply to the message, and whether a person should take over."""
        reply = await self._generate(message)
        if reply.abstained:
            self._s.unsure_turns += 1
        decision = await workflow.execute_activity_method(
            EscalationActivities.check_escalation,
            EscalationCheck(
                message=message.text,
                customer=self._customer,
                confidence=reply.confidence,
                abstained=reply.abstained,
                ai_turns=self._s.ai_turns,
                unsure_turns=self._s.unsure_turns,
                recent_customer_messages=[
                    e.text
                    for e in self._s.transcript_tail[-HISTORY_FOR_GENERATION:]
                    if e.author is Author.CUSTOMER and e.message_id != message.message_id
                ],
            ),
            start_to_close_timeout=ESCALATION_CHECK_TIMEOUT,
            retry_policy=TURN_RETRY,
        )
        return reply, decision

    async def _generate(self, message: CustomerMessage | TranscriptEntry) -> GeneratedReply:
        """A grounded, cited reply: the activity decides what the message is about (its product, an earlier
        message's, the account's), retrieves for it and answers, in one step."""
        history = [
            e for e in self._s.transcript_tail[-HISTORY_FOR_GENERATION:] if e.message_id != message.message_id
        ]
        return await workflow.execute_activity_method(
            GenerationActivities.answer_turn,
            TurnRequest(
                ticket_id=self._ticket_id, message=message.text, customer=self._customer, history=history
            ),
            start_to_close_timeout=GENERATION_TIMEOUT,
            retry_policy=TURN_RETRY,
        )

    def _needs_draft(self) -> bool:
        humans = (ConversationState.WAITING_FOR_HUMAN, ConversationState.HUMAN_ACTIVE)
        # With the AI off for this ticket, it does not draft either; in shadow mode drafting is all it does.
        if self._ai_mode is AiMode.OFF:
            return False
        return self._s.state in humans and self._customer_activity != self._drafted_for_activity

    async def _prepare_draft(self) -> None:
        """Suggest a reply to the customer's latest message for the person who has (or will have) it.

        An "I'm not sure" draft helps nobody: then the message before it (often the real question, when the
        latest one just asked for a person) is tried, and without an answer there is no draft."""
        self._drafted_for_activity = self._customer_activity
        said = [e for e in reversed(self._s.transcript_tail) if e.author is Author.CUSTOMER]
        if not said:
            return
        candidates = said[:DRAFT_TRIES]
        for message in candidates:
            try:
                reply = await self._generate(message)
            except ActivityError as err:  # a draft is a convenience; the agent can always write their own
                workflow.logger.warning("no draft for ticket %s: %s", self._ticket_id, err.cause or err)
                return
            resolved = any(t.snippet for t in reply.similar_tickets)
            if not reply.abstained or resolved or len(candidates) == 1:
                text, sources = draft_for_agent(reply)
                self._draft = AgentDraft(
                    for_message_id=message.message_id,
                    text=text,
                    sources=sources,
                    confidence=reply.confidence,
                    at=workflow.now(),
                    procedures=reply.procedures,
                )
                return

    async def _prepare_handoff(self) -> None:
        self._handoff_due = False
        self._handoff = await workflow.execute_activity_method(
            HandoffActivities.prepare_handoff,
            HandoffRequest(
                ticket_id=self._ticket_id,
                customer=self._customer,
                transcript=self._s.transcript_tail,
                reasons=self._s.escalation_reasons,
                category=self._category,
                suggested_reply=self._draft,
            ),
            start_to_close_timeout=HANDOFF_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        await self._store(StoreActivities.record_handoff, self._handoff)
        self._publish()

    # --- agents -------------------------------------------------------------------------------------

    @workflow.update
    async def take_over(self, request: TakeOver) -> ConversationStatus:
        async with self._turn_lock:  # lets an AI turn in flight finish first
            if self._s.state is ConversationState.HUMAN_ACTIVE and self._s.agent == request.agent:
                return self.status()
            self._check_can_take_over(request)
            came_from_ai = self._s.state is ConversationState.AI_ACTIVE
            self._s.state = ConversationState.HUMAN_ACTIVE
            self._s.agent = request.agent
            self._s.escalated = True
            if came_from_ai:
                reason = EscalationReason(code="agent_takeover", detail=f"{request.agent} joined proactively")
                await self._record_escalation("agent_takeover", [reason])
                self._handoff_due = True
            await self._say(Author.SYSTEM, notices.takeover_notice(request.agent))
            await self._sync_status()
            return self.status()

    @take_over.validator
    def _validate_take_over(self, request: TakeOver) -> None:
        if self._s.state is ConversationState.HUMAN_ACTIVE and self._s.agent == request.agent:
            return
        self._check_can_take_over(request)

    def _check_can_take_over(self, request: TakeOver) -> None:
        if self._s.state is ConversationState.CLOSED:
            raise _closed()
        if self._s.state is ConversationState.HUMAN_ACTIVE:
            raise _rejected(f"{self._s.agent} already owns this conversation")

    @workflow.update
    async def reply(self, reply: AgentReply) -> TranscriptEntry:
        async with self._turn_lock:
            existing = self._entry(reply.message_id)
            if existing is not None:
                return existing
            self._check_owner(reply.agent)
            return await self._say(
                Author.AGENT, reply.text.strip(), message_id=reply.message_id, author_name=reply.agent
            )

    @reply.validator
    def _validate_reply(self, reply: AgentReply) -> None:
        if self._entry(reply.message_id) is not None:
            return
        _validate_text(reply.text)
        self._check_owner(reply.agent)

    @workflow.update
    async def hand_back(self, request: HandBack) -> ConversationStatus:
        async with self._turn_lock:
            if self._s.state is ConversationState.AI_ACTIVE:
                return self.status()  # a retried hand-back
            self._check_owner(request.agent)
            now = workflow.now()
            self._s.state = ConversationState.AI_ACTIVE
            self._s.agent = None
            self._s.ai_turns = 0
            self._s.unsure_turns = 0
            self._s.episode_started_at = None
            self._s.waiting_since = None
            self._s.pickup_misses = 0
            self._s.last_customer_at = now  # the customer gets a full inactivity window after the handover
            await self._say(Author.SYSTEM, notices.hand_back_notice(request.agent))
            await self._sync_status()
            return self.status()

    @hand_back.validator
    def _validate_hand_back(self, request: HandBack) -> None:
        if self._s.state is not ConversationState.AI_ACTIVE:
            self._check_owner(request.agent)

    def _check_owner(self, agent: str) -> None:
        if self._s.state is ConversationState.CLOSED:
            raise _closed()
        if self._s.state is not ConversationState.HUMAN_ACTIVE:
            raise _rejected(f"no agent owns this conversation (state {self._s.state.value})")
        if self._s.agent != agent:
            raise _rejected(f"{self._s.agent} owns this conversation, not {agent}")

    @workflow.update
    async def close(self, request: CloseRequest) -> ConversationStatus:
        async with self._turn_lock:
            if self._s.state is not ConversationState.CLOSED:
                await self._close(request.resolution, by=request.by, note=request.note)
            return self.status()

    @close.validator
    def _validate_close(self, request: CloseRequest) -> None:
        retried = request.by == self._closed_by and request.resolution is self._resolution
        if self._s.state is ConversationState.CLOSED and not retried:
            raise _closed()

    # --- after close -------------------------------------------------------------------------------

    @workflow.update
    async def submit_csat(self, response: CsatResponse) -> ConversationStatus:
        if self._csat is None:
            self._csat = response
            await self._store(
                StoreActivities.record_csat,
                CsatRecord(
                    ticket_id=self._ticket_id,
                    rating=response.rating,
                    comment=response.comment,
                    at=workflow.now(),
                ),
            )
        return self.status()

    @submit_csat.validator
    def _validate_csat(self, response: CsatResponse) -> None:
        if self._csat is not None and self._csat == response:
            return  # a retry
        if self._s.state is not ConversationState.CLOSED:
            raise _rejected("the survey opens when the conversation is closed")
        if not self._survey_open:
            raise _rejected("the survey for this conversation is closed")
        if self._csat is not None:
            raise _rejected("this conversation has already been rated")

    @workflow.update
    async def reopen(self, request: ReopenRequest) -> SupportResponse:
        """The customer writes again after close: a new episode, without the old escalation."""
        if request.message_id in self._s.answered:
            return self._s.answered[request.message_id]
        async with self._turn_lock:
            if self._s.state is ConversationState.CLOSED:
                self._s.reopened += 1
                self._s.state = ConversationState.AI_ACTIVE
                self._s.escalated = False
                self._s.escalation_reasons = []
                self._s.priority = Priority.HIGH if self._customer.high_value else Priority.NORMAL
                self._s.agent = None
                self._s.ai_turns = 0
                self._s.unsure_turns = 0
                self._s.episode_started_at = None
                self._s.waiting_since = None
                self._s.pickup_misses = 0
                self._s.promised_by = None
                self._s.last_customer_at = workflow.now()  # a full inactivity window for the new episode
                self._resolution = None
                self._handoff = None
                self._draft = None
                await self._say(Author.SYSTEM, notices.reopened_notice())
                await self._sync_status()
                reopened = AiEventRecord(
                    ticket_id=self._ticket_id,
                    event_id=f"{self._ticket_id}:reopen:{self._s.reopened}",
                    at=workflow.now(),
                    kind="reopened",
                    detail=request.text[:200],
                    message_id=request.message_id,
                )
                await self._store(StoreActivities.record_ai_event, reopened)
        return await self.send_message(CustomerMessage(message_id=request.message_id, text=request.text))

    @reopen.validator
    def _validate_reopen(self, request: ReopenRequest) -> None:
        if request.message_id in self._s.answered:
            return
        _validate_text(request.text)
        if self._s.state is ConversationState.CLOSED and not self._survey_open:
            raise _closed()

    # --- reads --------------------------------------------------------------------------------------

    @workflow.query
    def status(self) -> ConversationStatus:
        return ConversationStatus(
            ticket_id=self._ticket_id,
            customer_id=self._customer.customer_id,
            state=self._s.state,
            priority=self._s.priority,
            escalated=self._s.escalated,
            agent=self._s.agent,
            ai_turns=self._s.ai_turns,
            escalation_reasons=self._s.escalation_reasons,
            resolution=self._resolution,
            opened_at=self._s.opened_at,
            waiting_since=self._s.waiting_since,
            timeouts=self._timeouts,
            csat=self._csat,
            reopened=self._s.reopened,
            category=self._category,
        )

    @workflow.query
    def draft(self) -> AgentDraft | None:
        """The AI's suggested reply to the customer's latest message while a person has the ticket."""
        if self._s.state in (ConversationState.WAITING_FOR_HUMAN, ConversationState.HUMAN_ACTIVE):
            return self._draft
        return None

    @workflow.query
    def handoff(self) -> HandoffPackage | None:
        """The package for the person who has, or will pick up, the conversation."""
        return self._handoff

    @workflow.query
    def transcript(self) -> list[TranscriptEntry]:
        """The recent transcript (the whole of it until a continue-as-new; the store always has it all)."""
        return self._s.transcript_tail

    # --- state changes with side effects ------------------------------------------------------------

    async def _escalate(self, trigger: str, decision: EscalationDecision) -> None:
        self._s.state = ConversationState.WAITING_FOR_HUMAN
        self._s.escalated = True
        self._s.priority = max(self._s.priority, decision.priority)
        self._s.waiting_since = workflow.now()
        self._s.pickup_misses = 0
        self._handoff_due = True
        await self._record_escalation(trigger, decision.reasons)
        await self._sync_status()
        if self._hours is not None and not business_hours.is_open(self._hours, workflow.now()):
            # A promise the workflow keeps: the pickup timer fires at this moment, and a miss is recorded.
            self._s.promised_by = self._pickup_due(workflow.now(), self._timeouts.pickup)
            local = self._s.promised_by.astimezone(business_hours.zone(self._hours))
            text = notices.out_of_hours_notice(business_hours.describe(self._hours), f"{local:%A %H:%M %Z}")
            await self._say(Author.SYSTEM, text)

    async def _close(self, resolution: Resolution, by: str, note: str = "") -> None:
        self._s.state = ConversationState.CLOSED
        self._resolution = resolution
        self._closed_by = by
        self._closed_at = workflow.now()
        self._survey_open = True  # from this moment, even if the run loop is still busy elsewhere
        await self._say(Author.SYSTEM, notices.closed_notice(resolution is Resolution.ABANDONED))
        await self._sync_status(note=note)

    async def _record_escalation(self, trigger: str, reasons: list[EscalationReason]) -> None:
        self._s.escalation_reasons = [*self._s.escalation_reasons, *reasons]
        record = EscalationRecord(
            event_id=f"{self._ticket_id}:esc:{self._next_seq()}",
            ticket_id=self._ticket_id,
            at=workflow.now(),
            trigger=trigger,
            reasons=reasons,
            priority=self._s.priority,
        )
        await self._store(StoreActivities.record_escalation, record)

    async def _say(
        self,
        author: Author,
        text: str,
        *,
        message_id: str | None = None,
        sources: list[SourceRef] | None = None,
        confidence: float | None = None,
        author_name: str = "",
    ) -> TranscriptEntry:
        """Append to the transcript and write it to the store under a deterministic id (retries dedupe)."""
        entry = TranscriptEntry(
            message_id=message_id or f"{self._ticket_id}:{author.value}:{self._next_seq()}",
            author=author,
            text=text,
            at=workflow.now(),
            author_name=author_name,
            sources=sources or [],
        )
        self._s.transcript_tail.append(entry)
        await self._store(
            StoreActivities.record_message,
            MessageRecord(ticket_id=self._ticket_id, entry=entry, confidence=confidence),
        )
        return entry

    async def _sync_status(self, note: str = "") -> None:
        await self._store(
            StoreActivities.update_status,
            TicketStatusUpdate(
                ticket_id=self._ticket_id,
                state=self._s.state,
                priority=self._s.priority,
                escalated=self._s.escalated,
                agent=self._s.agent,
                resolution=self._resolution,
                resolution_note=note,
                at=workflow.now(),
            ),
        )
        self._publish()

    async def _store(self, method: Callable[..., None], arg: object) -> None:
        """Write to the store; a write the database refuses for good never wedges the conversation: the
        conversation keeps it in its own state, and a customer the AI is serving goes to a person."""
        try:
            await workflow.execute_activity_method(
                method, arg, start_to_close_timeout=STORE_TIMEOUT, retry_policy=ACTIVITY_RETRY
            )
        except ActivityError as err:
            cause = err.cause
            if not (isinstance(cause, ApplicationError) and cause.type == STORE_REJECTED):
                raise
            workflow.logger.error("store refused a write for ticket %s: %s", self._ticket_id, cause.message)
            if self._s.state is ConversationState.AI_ACTIVE and not self._store_refused:
                self._store_refused = True  # one hand-over; its own writes may be refused too
                reason = EscalationReason(code="store_error", detail=cause.message[:200], strength=1.0)
                await self._escalate("store_error", EscalationDecision(escalate=True, reasons=[reason]))

    def _publish(self) -> None:
        """Keep search attributes and the UI's details line current, writing only what changed."""
        values: dict[SearchAttributeKey, object] = {
            sa.TICKET_ID: self._ticket_id,
            sa.CUSTOMER_ID: self._customer.customer_id,
            sa.PRODUCT: self._customer.product or "none",
            sa.STATUS: self._s.state.value,
            sa.ESCALATED: self._s.escalated,
            sa.PRIORITY: int(self._s.priority),
        }
        if self._category is not None:
            values[sa.CATEGORY] = self._category
        if self._s.waiting_since is not None:
            # Kept after pickup (the queue filters on Status); unsetting a Datetime trips some servers.
            values[sa.WAITING_SINCE] = self._s.waiting_since
        changed = [
            key.value_set(v) for key, v in values.items() if self._published.get(key.name, _UNPUBLISHED) != v
        ]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._published.update({key.name: v for key, v in values.items()})
        reasons = ", ".join(dict.fromkeys(r.code for r in self._s.escalation_reasons)) or "none"
        details = (
            f"**{self._s.state.value}** · priority {self._s.priority.name} · agent {self._s.agent or '-'}"
            f" · AI turns {self._s.ai_turns} · escalation reasons: {reasons}"
        )
        if self._handoff is not None:
            details += f"\n\n**Handoff:** {self._handoff.summary}"
        workflow.set_current_details(details)

    # --- small helpers ------------------------------------------------------------------------------

    def _response(
        self,
        message_id: str,
        author: Author,
        text: str,
        sources: list[SourceRef] | None = None,
        confidence: float | None = None,
        decision: EscalationDecision | None = None,
    ) -> SupportResponse:
        return SupportResponse(
            ticket_id=self._ticket_id,
            message_id=message_id,
            text=text,
            author=author,
            sources=sources or [],
            confidence=confidence,
            escalation=decision or EscalationDecision(escalate=False),
            state=self._s.state,
        )

    def _remember(self, message_id: str, response: SupportResponse) -> None:
        self._s.answered[message_id] = response
        while len(self._s.answered) > ANSWERS_KEPT_FOR_DEDUP:
            self._s.answered.pop(next(iter(self._s.answered)))

    def _entry(self, message_id: str | None) -> TranscriptEntry | None:
        if message_id is None:
            return None
        return next((e for e in self._s.transcript_tail if e.message_id == message_id), None)

    def _next_seq(self) -> int:
        self._s.seq += 1
        return self._s.seq

    def _should_continue_as_new(self) -> bool:
        return workflow.info().is_continue_as_new_suggested()

    def _carry(self) -> CarriedState:
        tail = self._s.transcript_tail[-TRANSCRIPT_TAIL_ON_CONTINUE:]
        dropped = len(self._s.transcript_tail) - len(tail)
        return self._s.model_copy(
            update={
                "transcript_tail": tail,
                "messages_before_tail": self._s.messages_before_tail + dropped,
                "category": self._category,
                "handoff": self._handoff,
                "draft": self._draft,
            }
        )


def _validate_text(text: str) -> None:
    if problem := message_problem(text):
        raise _rejected(problem)


def _rejected(message: str) -> ApplicationError:
    return ApplicationError(message, type=REJECTED, non_retryable=True)


def _closed() -> ApplicationError:
    return ApplicationError("this conversation is closed", type=TICKET_CLOSED, non_retryable=True)
