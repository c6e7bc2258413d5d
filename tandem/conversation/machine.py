"""The conversation's rules as a plain state machine: states, transitions, and the effects each asks for.

    AI_ACTIVE --escalation / "talk to a human" / AI time limit / rollout--> WAITING_FOR_HUMAN
    AI_ACTIVE or WAITING_FOR_HUMAN --take over--> HUMAN_ACTIVE --hand back--> AI_ACTIVE
    any open state --close (or the customer going quiet while the AI has it)--> CLOSED --reopen--> AI_ACTIVE

Every method takes the current time and changes `data` (a `CarriedState`, so continue-as-new carries all of
it) and returns the effects for the workflow to carry out, in order: store writes keyed by ids chosen here,
and `AnswerWithAi`. Nothing here waits, talks to a service or reads a clock, so it runs in tests by the
thousand (tests/conversation). Requests that must be refused raise `Refused` before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.contracts import (
    AiEventRecord,
    AiMode,
    AiTurnRequest,
    Author,
    BusinessHours,
    CarriedState,
    ConversationState,
    ConversationTimeouts,
    CustomerContext,
    EscalationDecision,
    EscalationReason,
    GeneratedReply,
    Priority,
    Resolution,
    SupportResponse,
    TurnRequest,
)
from tandem.conversation.clocks import Clocks
from tandem.conversation.effects import (
    AnswerWithAi,
    Effect,
    WriteEvent,
)
from tandem.conversation.journal import Journal
from tandem.conversation.reads import ConversationReads
from tandem.escalation import business_hours, notices

HISTORY_FOR_CHECKS = 8  # transcript entries the escalation check sees
HUMANS = (ConversationState.WAITING_FOR_HUMAN, ConversationState.HUMAN_ACTIVE)


class Refused(Exception):
    """A request the conversation turns down; `closed` when it is refused because the ticket is closed."""

    def __init__(self, message: str, *, closed: bool = False) -> None:
        super().__init__(message)
        self.closed = closed


def fresh_state(customer: CustomerContext, now: datetime) -> CarriedState:
    return CarriedState(
        state=ConversationState.AI_ACTIVE,
        priority=Priority.HIGH if customer.high_value else Priority.NORMAL,
        escalated=False,
        agent=None,
        ai_turns=0,
        unsure_turns=0,
        episode_started_at=None,
        last_customer_at=None,
        waiting_since=None,
        pickup_misses=0,
        opened_at=now,
        escalation_reasons=[],
        transcript_tail=[],
        messages_before_tail=0,
        answered={},
        seq=0,
    )


@dataclass
class Conversation(ConversationReads):
    ticket_id: str
    customer: CustomerContext
    timeouts: ConversationTimeouts
    hours: BusinessHours | None
    data: CarriedState

    @property
    def journal(self) -> Journal:
        """The record of what happens, also for the rules beside the machine (promises)."""
        return Journal(self.ticket_id, self.data)

    _log = journal

    @property
    def clocks(self) -> Clocks:
        return Clocks(self.data, self.timeouts, self.hours)

    # --- customers --------------------------------------------------------------------------------

    def check_message(self) -> None:
        if self.data.state is ConversationState.CLOSED:
            raise Refused("this conversation is closed", closed=True)

    def receive(self, now: datetime, message_id: str, text: str) -> list[Effect]:
        """A customer message: into the transcript, and the inactivity clock restarts."""
        self.data.last_customer_at = now
        self.data.customer_activity += 1
        return self._log.say(now, Author.CUSTOMER, text.strip(), message_id=message_id)

    def route(
        self, now: datetime, message_id: str, text: str, ai_may_answer: bool, ai_mode: AiMode
    ) -> tuple[list[Effect], SupportResponse | None]:
        """After `receive` (and categorising): the AI answers it, or the customer is told a person will.
        The response is None when the AI answers: `ai_turn_finished` gives it."""
        effects: list[Effect] = []
        if self.data.state is ConversationState.AI_ACTIVE and not ai_may_answer:
            # Rollout holds after a hand-back or a reopen too: these tickets are for people.
            code = "shadow_mode" if ai_mode is AiMode.SHADOW else "ai_off"
            reason = EscalationReason(code=code, detail="the AI does not answer this ticket")
            effects += self._escalate(now, "rollout", EscalationDecision(escalate=True, reasons=[reason]))
        if self.data.state is ConversationState.AI_ACTIVE:
            self.data.ai_turns += 1
            self.data.episode_started_at = self.data.episode_started_at or now
            return [*effects, AnswerWithAi(message_id, text)], None
        text = notices.holding_notice(self.data.state, self.data.agent)
        return effects, self.response(message_id, Author.SYSTEM, text)

    def route_to_people(self, now: datetime, ai_mode: AiMode) -> list[Effect]:
        """Rollout: a ticket that starts with people (AI off), or with the AI drafting only (shadow)."""
        code = "shadow_mode" if ai_mode is AiMode.SHADOW else "ai_off"
        detail = "AI drafts only (shadow mode)" if code == "shadow_mode" else "AI not enabled for this ticket"
        reason = EscalationReason(code=code, detail=detail, strength=1.0)
        return self._escalate(now, "rollout", EscalationDecision(escalate=True, reasons=[reason]))

    def ai_turn_request(self, message_id: str, text: str) -> AiTurnRequest:
        """What the AI turn activity needs: the message with the recent transcript, and what the escalation
        policy weighs besides the reply (turns so far, unsure ones, the customer's earlier messages). An
        uncategorized ticket's turn brings its category too: one activity instead of two."""
        recent = self.data.transcript_tail[-HISTORY_FOR_CHECKS:]
        history = [e for e in recent if e.message_id != message_id]
        return AiTurnRequest(
            turn=TurnRequest(ticket_id=self.ticket_id, message=text, customer=self.customer, history=history),
            ai_turns=self.data.ai_turns,
            unsure_turns=self.data.unsure_turns,
            recent_customer_messages=[e.text for e in history if e.author is Author.CUSTOMER],
            categorize=not self.data.categorized,
        )

    def categorized_as(self, category: str | None) -> None:
        """The ticket's category, asked for once (None: none could be had; the ticket goes on without)."""
        self.data.categorized = True
        self.data.category = category

    def ai_turn_finished(
        self,
        now: datetime,
        message_id: str,
        text: str,
        reply: GeneratedReply | None,
        decision: EscalationDecision,
    ) -> tuple[list[Effect], SupportResponse]:
        """The AI's reply (None: the AI could not answer) and the policy's decision: the customer gets the
        answer, or the answer with a hand-over, or the hand-over alone; never nothing."""
        if reply is not None and reply.abstained:
            self.data.unsure_turns += 1
        if not decision.escalate and self.data.ai_turns >= self.timeouts.ai_turn_limit:
            limit = EscalationReason(
                code="ai_turn_limit", detail=f"not resolved in {self.data.ai_turns} AI turns"
            )
            decision = EscalationDecision(
                escalate=True, reasons=[*decision.reasons, limit], priority=decision.priority
            )
        effects: list[Effect] = []
        if reply is not None:
            effects += self._log.review_events(now, message_id, text, reply, decision)
        confidence = reply.confidence if reply else None
        if reply is not None and not decision.escalate:
            said = self._log.say(now, Author.AI, reply.text, sources=reply.sources, confidence=confidence)
        else:
            sources = reply.sources if reply is not None and notices.keeps_answer(decision, reply) else []
            notice = notices.handoff_notice(decision, reply)
            said = self._log.say(now, Author.AI, notice, sources=sources, confidence=confidence)
        effects += said
        entry = self.data.transcript_tail[-1]
        if decision.escalate:
            effects += self._escalate(now, "turn", decision)
        response = self.response(message_id, Author.AI, entry.text, entry.sources, confidence, decision)
        return effects, response

    def request_human(self, now: datetime, reason: str) -> list[Effect]:
        """'Talk to a human' always works; asked again, or while a person has it, it changes nothing."""
        if self.data.state is not ConversationState.AI_ACTIVE:
            return []
        why = EscalationReason(code="explicit_request", detail=reason)
        decision = EscalationDecision(escalate=True, reasons=[why], priority=self.data.priority)
        return [
            *self._log.say(now, Author.SYSTEM, notices.handoff_notice(decision)),
            *self._escalate(now, "request_human", decision),
        ]

    # --- agents ----------------------------------------------------------------------------------

    def check_take_over(self, agent: str) -> None:
        if self.data.state is ConversationState.HUMAN_ACTIVE and self.data.agent == agent:
            return  # a retried takeover
        if self.data.state is ConversationState.CLOSED:
            raise Refused("this conversation is closed", closed=True)
        if self.data.state is ConversationState.HUMAN_ACTIVE:
            raise Refused(f"{self.data.agent} already owns this conversation")

    def take_over(self, now: datetime, agent: str) -> list[Effect]:
        if self.data.state is ConversationState.HUMAN_ACTIVE and self.data.agent == agent:
            return []
        self.check_take_over(agent)
        came_from_ai = self.data.state is ConversationState.AI_ACTIVE
        self.data.state = ConversationState.HUMAN_ACTIVE
        self.data.agent = agent
        self.data.escalated = True
        effects: list[Effect] = []
        if came_from_ai:
            reason = EscalationReason(code="agent_takeover", detail=f"{agent} joined proactively")
            effects += self._log.escalation(now, "agent_takeover", [reason])
            self.data.handoff_due = True
        return [
            *effects,
            *self._log.say(now, Author.SYSTEM, notices.takeover_notice(agent)),
            self._log.status(now),
        ]

    def check_owner(self, agent: str) -> None:
        if self.data.state is ConversationState.CLOSED:
            raise Refused("this conversation is closed", closed=True)
        if self.data.state is not ConversationState.HUMAN_ACTIVE:
            raise Refused(f"no agent owns this conversation (state {self.data.state.value})")
        if self.data.agent != agent:
            raise Refused(f"{self.data.agent} owns this conversation, not {agent}")

    def agent_reply(self, now: datetime, agent: str, text: str, message_id: str | None) -> list[Effect]:
        self.check_owner(agent)
        return self._log.say(now, Author.AGENT, text.strip(), message_id=message_id, author_name=agent)

    def check_hand_back(self, agent: str) -> None:
        if self.data.state is not ConversationState.AI_ACTIVE:
            self.check_owner(agent)

    def hand_back(self, now: datetime, agent: str) -> list[Effect]:
        if self.data.state is ConversationState.AI_ACTIVE:
            return []  # a retried hand-back
        self.check_owner(agent)
        d = self.data
        d.state = ConversationState.AI_ACTIVE
        d.agent = None
        d.ai_turns = d.unsure_turns = d.pickup_misses = 0
        d.episode_started_at = d.waiting_since = None
        d.last_customer_at = now  # the customer gets a full inactivity window after the handover
        return [
            *self._log.say(now, Author.SYSTEM, notices.hand_back_notice(agent)),
            self._log.status(now),
        ]

    def check_close(self, resolution: Resolution, by: str) -> None:
        retried = by == self.data.closed_by and resolution is self.data.resolution
        if self.data.state is ConversationState.CLOSED and not retried:
            raise Refused("this conversation is closed", closed=True)

    def close(self, now: datetime, resolution: Resolution, by: str, note: str = "") -> list[Effect]:
        if self.data.state is ConversationState.CLOSED:
            return []
        d = self.data
        d.state = ConversationState.CLOSED
        d.resolution = resolution
        d.closed_by = by
        d.closed_at = now
        abandoned = resolution is Resolution.ABANDONED
        return [
            *self._log.say(now, Author.SYSTEM, notices.closed_notice(abandoned)),
            self._log.status(now, note),
        ]

    # --- after close ----------------------------------------------------------------------------

    def check_reopen(self, now: datetime) -> None:
        if self.data.state is ConversationState.CLOSED and not self.clocks.survey_open(now):
            raise Refused("this conversation is closed", closed=True)

    def reopen(self, now: datetime, message_id: str, text: str) -> list[Effect]:
        """The customer writes again after close: a new episode, without the old escalation."""
        if self.data.state is not ConversationState.CLOSED:
            return []
        d = self.data
        d.reopened += 1
        d.state = ConversationState.AI_ACTIVE
        d.escalated = False
        d.escalation_reasons = []
        d.priority = Priority.HIGH if self.customer.high_value else Priority.NORMAL
        d.agent = None
        d.ai_turns = d.unsure_turns = d.pickup_misses = 0
        d.episode_started_at = d.waiting_since = d.promised_by = None
        d.last_customer_at = now  # a full inactivity window for the new episode
        d.resolution = None
        d.closed_by = ""
        d.closed_at = None
        d.handoff = None
        d.draft = None
        event = AiEventRecord(
            ticket_id=self.ticket_id,
            event_id=f"{self.ticket_id}:reopen:{d.reopened}",
            at=now,
            kind="reopened",
            detail=text[:200],
            message_id=message_id,
        )
        return [
            *self._log.say(now, Author.SYSTEM, notices.reopened_notice()),
            self._log.status(now),
            WriteEvent(event),
        ]

    # --- timers ---------------------------------------------------------------------------------

    def ai_deadline_passed(self, now: datetime) -> list[Effect]:
        if self.data.state is not ConversationState.AI_ACTIVE:
            return []
        if now >= self.clocks.inactivity_due():
            return self.close(now, Resolution.ABANDONED, by="system")
        limit = self.clocks.ai_limit_due()
        if limit is not None and now >= limit:
            minutes = int(self.timeouts.ai_time_limit.total_seconds() // 60)
            reason = EscalationReason(code="ai_time_limit", detail=f"not resolved within {minutes} min")
            return self._escalate(now, "ai_time_limit", EscalationDecision(escalate=True, reasons=[reason]))
        return []

    def pickup_deadline_passed(self, now: datetime) -> list[Effect]:
        """Nobody picked up in time: raise the priority and tell the customer, once per pickup period."""
        d = self.data
        if d.state is not ConversationState.WAITING_FOR_HUMAN:
            return []
        d.pickup_misses += 1
        d.priority = Priority(min(d.priority + 1, Priority.URGENT))
        effects = self._log.say(now, Author.SYSTEM, notices.pickup_delay_notice())
        if d.promised_by is not None and now >= d.promised_by:
            promised = d.promised_by
            d.promised_by = None
            reason = EscalationReason(
                code="promise_missed",
                detail=f"told the customer a person would pick up by {promised:%Y-%m-%d %H:%M %Z}",
            )
        else:
            reason = EscalationReason(
                code="pickup_timeout",
                detail=f"no agent picked up within {self.timeouts.pickup * d.pickup_misses}",
            )
        return [*effects, *self._log.escalation(now, reason.code, [reason]), self._log.status(now)]

    def needs_draft(self, ai_mode: AiMode) -> bool:
        """A person has (or is about to have) it and the customer wrote since the last draft."""
        if ai_mode is AiMode.OFF:
            return False
        return self.data.state in HUMANS and self.data.customer_activity != self.data.drafted_for_activity

    # --- what every transition shares -------------------------------------------------------------

    def _escalate(self, now: datetime, trigger: str, decision: EscalationDecision) -> list[Effect]:
        d = self.data
        d.state = ConversationState.WAITING_FOR_HUMAN
        d.escalated = True
        d.priority = max(d.priority, decision.priority)
        d.waiting_since = now
        d.pickup_misses = 0
        d.handoff_due = True
        effects = [*self._log.escalation(now, trigger, decision.reasons), self._log.status(now)]
        if self.hours is not None and not business_hours.is_open(self.hours, now):
            # A promise the conversation keeps: the pickup timer fires at this moment, and a miss is recorded.
            d.promised_by = self.clocks.pickup_due(now, self.timeouts.pickup)
            local = d.promised_by.astimezone(business_hours.zone(self.hours))
            text = notices.out_of_hours_notice(business_hours.describe(self.hours), f"{local:%A %H:%M %Z}")
            effects += self._log.say(now, Author.SYSTEM, text)
        return effects

    def store_refused(self, now: datetime, detail: str) -> list[Effect]:
        """The store refused a write for good: a customer the AI serves goes to a person, once."""
        if self.data.state is not ConversationState.AI_ACTIVE or self.data.store_refused:
            return []
        self.data.store_refused = True
        reason = EscalationReason(code="store_error", detail=detail[:200], strength=1.0)
        return self._escalate(now, "store_error", EscalationDecision(escalate=True, reasons=[reason]))
