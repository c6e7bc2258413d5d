"""The conversation's rules over random sequences of what customers, agents, the AI and the clock do.

Each step is played the way the workflow (workflows/conversation.py) plays the machine: a customer message
is received and routed, and when the AI answers, the AI's reply (any kind, or a failure) and the escalation
policy's decision come back. Properties checked after every step:
- the AI never answers, and nothing is said as the AI, while a person owns or is about to own the ticket;
- every customer message gets exactly one response (an answer, a hand-over or a holding notice), or is
  refused because the ticket is closed;
- "talk to a human" always leaves the ticket with people;
- no state leaves the conversation without a next step (a timer, a person, the queue, the survey window);
- store writes carry unique ids, so a retried write never duplicates.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tandem.contracts import (
    AiMode,
    Author,
    BusinessHours,
    ConversationState,
    ConversationTimeouts,
    CustomerContext,
    EscalationDecision,
    EscalationReason,
    GeneratedReply,
    Priority,
    Resolution,
    SourceRef,
)
from tandem.conversation.effects import AnswerWithAi, WriteEscalation, WriteMessage
from tandem.conversation.machine import Conversation, Refused, fresh_state

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, before opening time
AGENTS = ("grace", "linus")
HOURS = BusinessHours(weekdays=[0, 1, 2, 3, 4], opens=time(9), closes=time(17), timezone="Europe/Berlin")
TIMEOUTS = ConversationTimeouts(
    pickup=timedelta(minutes=5),
    ai_time_limit=timedelta(minutes=20),
    ai_turn_limit=4,
    inactivity=timedelta(minutes=15),
    csat_window=timedelta(hours=6),
)
PEOPLE = (ConversationState.WAITING_FOR_HUMAN, ConversationState.HUMAN_ACTIVE)

answers = st.builds(
    lambda abstained, confidence: GeneratedReply(
        text="I'm not sure." if abstained else "Here is the answer [1].",
        sources=[] if abstained else [SourceRef(id="a-1", title="Fees")],
        confidence=confidence,
        abstained=abstained,
    ),
    st.booleans(),
    st.floats(0, 1),
)
decisions = st.sampled_from(
    ["frustration", "explicit_request", "low_confidence", "cancellation", "high_value"]
)


class ConversationRules(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        customer = CustomerContext(customer_id="c-1")
        self.now = START
        self.c = Conversation("T-1", customer, TIMEOUTS, HOURS, fresh_state(customer, START))
        self.ai_mode = AiMode.ON
        self.responses: dict[str, int] = {}
        self.refused: set[str] = set()
        self.sent = 0
        self.write_ids: list[str] = []
        self.escalation_ids: list[str] = []

    # --- playing effects as the workflow does ---------------------------------------------------

    def _play(self, effects: list, state_before: ConversationState) -> None:
        for effect in effects:
            assert not (isinstance(effect, AnswerWithAi) and state_before in PEOPLE), (
                "AI answered a person's ticket"
            )
            if isinstance(effect, WriteMessage):
                self.write_ids.append(effect.record.entry.message_id)
                if effect.record.entry.author is Author.AI:
                    assert state_before is ConversationState.AI_ACTIVE, "the AI spoke on a person's ticket"
            if isinstance(effect, WriteEscalation):
                self.escalation_ids.append(effect.record.event_id)

    # --- customers ------------------------------------------------------------------------------

    @rule(reply=answers)
    def customer_writes_and_the_ai_answers(self, reply: GeneratedReply) -> None:
        self._customer_message(reply, "none", may_answer=True)

    @rule(reply=answers, decision=decisions)
    def customer_writes_and_the_policy_decides(self, reply: GeneratedReply, decision: str) -> None:
        self._customer_message(reply, decision, may_answer=True)

    @rule()
    def customer_writes_while_the_ai_is_down(self) -> None:
        self._customer_message(None, "none", may_answer=True)

    @rule(reply=answers)
    def customer_writes_on_a_ticket_for_people_only(self, reply: GeneratedReply) -> None:
        self._customer_message(reply, "none", may_answer=False)

    def _customer_message(self, reply: GeneratedReply | None, decision: str, may_answer: bool) -> None:
        self.sent += 1
        message_id = f"m-{self.sent}"
        try:
            self.c.check_message()
        except Refused as refused:
            assert refused.closed and self.c.data.state is ConversationState.CLOSED
            self.refused.add(message_id)
            return
        before = self.c.data.state
        self._play(self.c.receive(self.now, message_id, "hello"), before)
        effects, held = self.c.route(self.now, message_id, "hello", may_answer, self.ai_mode)
        self._play(effects, before)
        asks_ai = [e for e in effects if isinstance(e, AnswerWithAi)]
        assert len(asks_ai) + (held is not None) == 1, "a message is answered by the AI or held, not both"
        if held is not None:
            self.responses[message_id] = self.responses.get(message_id, 0) + 1
            return
        assert before is ConversationState.AI_ACTIVE and self.c.data.state is ConversationState.AI_ACTIVE
        if reply is not None:
            self.c.ai_turn_request(message_id, "hello")
            reasons = [] if decision == "none" else [EscalationReason(code=decision, detail="")]
            verdict = EscalationDecision(escalate=bool(reasons), reasons=reasons)
        else:
            failed = EscalationReason(code="ai_unavailable", detail="down")
            verdict = EscalationDecision(escalate=True, reasons=[failed])
        effects, response = self.c.ai_turn_finished(self.now, message_id, "hello", reply, verdict)
        self._play(effects, ConversationState.AI_ACTIVE)
        assert response.message_id == message_id and response.text
        self.responses[message_id] = self.responses.get(message_id, 0) + 1

    # Answered messages come more often than anything else: long AI episodes get explored.
    customer_writes_and_the_ai_answers_again = customer_writes_and_the_ai_answers

    @rule()
    def customer_asks_for_a_person(self) -> None:
        before = self.c.data.state
        self._play(self.c.request_human(self.now, "customer asked"), before)
        if before is not ConversationState.CLOSED:
            assert self.c.data.state in PEOPLE, "'talk to a human' must reach people"
        if before is ConversationState.AI_ACTIVE:
            assert any(r.code == "explicit_request" for r in self.c.data.escalation_reasons)

    @rule()
    def customer_reopens(self) -> None:
        try:
            self.c.check_reopen(self.now)
        except Refused:
            return
        self._play(self.c.reopen(self.now, f"r-{self.sent}", "again"), self.c.data.state)

    # --- agents ---------------------------------------------------------------------------------

    @rule(agent=st.sampled_from(AGENTS))
    def agent_takes_over(self, agent: str) -> None:
        try:
            self.c.check_take_over(agent)
        except Refused:
            assert self.c.data.state in (ConversationState.CLOSED, ConversationState.HUMAN_ACTIVE)
            return
        before = self.c.data.state
        self._play(self.c.take_over(self.now, agent), before)
        assert self.c.data.state is ConversationState.HUMAN_ACTIVE and self.c.data.agent == agent

    @rule(agent=st.sampled_from(AGENTS))
    def agent_replies(self, agent: str) -> None:
        try:
            effects = self.c.agent_reply(self.now, agent, "hi", None)
        except Refused:
            assert self.c.data.state is not ConversationState.HUMAN_ACTIVE or self.c.data.agent != agent
            return
        self._play(effects, self.c.data.state)

    @rule(agent=st.sampled_from(AGENTS))
    def agent_hands_back(self, agent: str) -> None:
        try:
            self.c.check_hand_back(agent)
        except Refused:
            return
        self._play(self.c.hand_back(self.now, agent), self.c.data.state)
        assert self.c.data.state is ConversationState.AI_ACTIVE and self.c.data.agent is None

    @rule(by=st.sampled_from(["grace", "customer", "system"]), resolution=st.sampled_from(list(Resolution)))
    def someone_closes(self, by: str, resolution: Resolution) -> None:
        try:
            self.c.check_close(resolution, by)
        except Refused:
            assert self.c.data.state is ConversationState.CLOSED
            return
        self._play(self.c.close(self.now, resolution, by), self.c.data.state)
        assert self.c.data.state is ConversationState.CLOSED

    # --- the clock ------------------------------------------------------------------------------

    @rule(minutes=st.integers(0, 30))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: self.c.data.state is ConversationState.AI_ACTIVE)
    @rule()
    def ai_timer_fires(self) -> None:
        self.now = max(self.now, self.c.clocks.ai_deadline())
        before_reasons = len(self.c.data.escalation_reasons)
        self._play(self.c.ai_deadline_passed(self.now), ConversationState.AI_ACTIVE)
        assert (
            self.c.data.state is ConversationState.CLOSED
            or len(self.c.data.escalation_reasons) > before_reasons
        )

    @precondition(lambda self: self.c.clocks.pickup_deadline() is not None)
    @rule()
    def pickup_timer_fires(self) -> None:
        due = self.c.clocks.pickup_deadline()
        assert due is not None
        self.now = max(self.now, due)
        priority = self.c.data.priority
        self._play(self.c.pickup_deadline_passed(self.now), ConversationState.WAITING_FOR_HUMAN)
        assert self.c.data.priority == min(priority + 1, Priority.URGENT)

    # --- what must always hold ------------------------------------------------------------------

    @invariant()
    def every_message_answered_or_refused_once(self) -> None:
        for n in range(1, self.sent + 1):
            message_id = f"m-{n}"
            assert self.responses.get(message_id, 0) + (message_id in self.refused) == 1, message_id

    @invariant()
    def always_a_next_step(self) -> None:
        d = self.c.data
        if d.state is ConversationState.AI_ACTIVE:
            assert self.c.clocks.ai_deadline() is not None and d.agent is None
        elif d.state is ConversationState.WAITING_FOR_HUMAN:
            # In the queue, with a pickup timer until it is as urgent as it gets.
            assert d.escalated and d.waiting_since is not None and d.agent is None
            assert self.c.clocks.pickup_deadline() is not None or d.priority is Priority.URGENT
        elif d.state is ConversationState.HUMAN_ACTIVE:
            assert d.agent in AGENTS and d.escalated
        else:
            assert self.c.clocks.survey_ends_at() is not None and d.resolution is not None

    @invariant()
    def writes_never_duplicate(self) -> None:
        assert len(self.write_ids) == len(set(self.write_ids))
        assert len(self.escalation_ids) == len(set(self.escalation_ids))
        ids = [e.message_id for e in self.c.data.transcript_tail]
        assert len(ids) == len(set(ids))


ConversationRules.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
TestConversationRules = ConversationRules.TestCase
