"""The escalation engine: every signal of a customer turn, whether a person should take over, how urgently.

Signals come in two kinds, and every one found is recorded as an `EscalationReason` (code, detail, strength)
even when it does not escalate, so agents and analytics see the whole picture:

- immediate, any one escalates: an explicit request for a person (`explicit_request`), one of the
  deployment's always-human topics (`topic`), a legal or regulatory threat (`legal_threat`), self-harm or
  violence (`safety`), and the reasons the workflow passes in from its timers and failures
  (`ai_time_limit`, `ai_turn_limit`, `pickup_timeout`, `ai_unavailable`; see `timer_reason`);
- weighed, added up as weight x strength against the policy threshold: `frustration`, `cancellation`,
  `complaint`, `high_value`, `low_confidence`, `multi_issue`, `repeated_failure` (the customer asks the same
  again, says they have asked before, or the AI was unsure twice). A code counts once, at its strongest.

Priority: a matched topic's priority (normal by default); at least high for a high-value customer or for
frustration, churn or a complaint; urgent for a legal or safety signal, or a high-value customer who is
frustrated, leaving or complaining.

Build one engine per policy (and history) version and reuse it: construction embeds the topic texts and the
history; a decision then costs one query embedding and a few regular expressions (about a millisecond).

    engine = EscalationEngine.from_files(policy_file, tickets_jsonl, embedder=make_embedder(settings))
    # or: EscalationEngine(load_policy(path), embedder=embedder, history=resolved_tickets)
    decision = engine.decide(check, recent_messages=earlier_customer_messages)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tandem.contracts import (
    CustomerContext,
    EscalationCheck,
    EscalationDecision,
    EscalationReason,
    Priority,
)
from tandem.escalation import repeats
from tandem.escalation import signals as sig
from tandem.escalation.policy import Policy, default_policy, load_policy
from tandem.escalation.repeats import timer_reason
from tandem.escalation.signals import Signal
from tandem.escalation.topics import TopicMatch, TopicMatcher
from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.interfaces import Embedder

__all__ = ["EscalationEngine", "timer_reason"]

UNSURE_TURNS_LIMIT = 2
_ANONYMOUS = CustomerContext(customer_id="anonymous")
_EPSILON = 1e-9  # 0.5 + 0.5 must reach 1.0 whatever the float rounding
_EMOTIONAL = frozenset({sig.FRUSTRATION, sig.CANCELLATION, sig.COMPLAINT})


class EscalationEngine:
    """Decides, on every AI turn, whether a person should take over. Thread-safe once built."""

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        embedder: Embedder | None = None,
        history: Sequence[ResolvedTicket] = (),
        topic_matcher: TopicMatcher | None = None,
    ) -> None:
        """`embedder` is needed only when the policy has topics (WordLlama is loaded if none is given);
        `history` is the deployment's resolved tickets with categories, used to route topics; a prebuilt
        `topic_matcher` (for the same policy) replaces both."""
        self.policy = policy or default_policy()
        if topic_matcher is None:
            if self.policy.topics and embedder is None:
                from tandem.knowledge.embeddings import default_embedder

                embedder = default_embedder()
            topic_matcher = TopicMatcher(self.policy.topics, embedder, history)
        self.topics = topic_matcher

    @classmethod
    def from_files(
        cls,
        policy_file: str | Path | None,
        tickets_file: str | Path | None = None,
        *,
        embedder: Embedder | None = None,
    ) -> EscalationEngine:
        """The engine for a policy file (None: the default policy) and an optional tickets.jsonl history."""
        from tandem.knowledge.loaders import load_tickets_jsonl

        policy = load_policy(policy_file) if policy_file else default_policy()
        history = load_tickets_jsonl(tickets_file) if tickets_file and policy.topics else []
        return cls(policy, embedder=embedder, history=history)

    # --- decisions -----------------------------------------------------------------------------------------

    def decide(
        self,
        check: EscalationCheck,
        *,
        recent_messages: Sequence[str] = (),
        extra_reasons: Sequence[EscalationReason] = (),
    ) -> EscalationDecision:
        """The decision for one AI turn. `recent_messages`: the customer's earlier messages in this
        conversation (oldest first, without this one); `extra_reasons`: timer or failure reasons."""
        return self.assess(
            check.message,
            check.customer,
            confidence=check.confidence,
            abstained=check.abstained,
            unsure_turns=check.unsure_turns,
            recent_messages=recent_messages,
            extra_reasons=extra_reasons,
        )

    def first_message(self, message: str, customer: CustomerContext | None = None) -> EscalationDecision:
        """The decision on a conversation's first message, before any AI answer (confidence unknown)."""
        return self.assess(message, customer)

    def assess(
        self,
        message: str,
        customer: CustomerContext | None = None,
        *,
        confidence: float | None = None,
        abstained: bool = False,
        unsure_turns: int = 0,
        recent_messages: Sequence[str] = (),
        extra_reasons: Sequence[EscalationReason] = (),
    ) -> EscalationDecision:
        """All signals of a message in context; `confidence` None means no AI answer yet (not low)."""
        customer = customer or _ANONYMOUS
        policy = self.policy
        immediate: list[Signal] = []
        weighed: list[Signal] = []

        for detect in (sig.explicit_request, sig.legal_threat, sig.safety_concern):
            found = detect(message)
            if found:
                immediate.append(found)
        topic = self._topic(message)
        if topic is not None:
            immediate.append(
                Signal(
                    sig.TOPIC,
                    f"{topic.topic.name}: {topic.evidence} ({topic.via}, {topic.score:.2f})",
                    min(1.0, topic.score),
                )
            )

        for detect in (
            sig.frustration,
            sig.cancellation,
            sig.complaint,
            sig.multi_issue,
            repeats.claimed_repeat,
        ):
            found = detect(message)
            if found:
                weighed.append(found)
        repeated = repeats.repeated_question(message, recent_messages)
        if repeated:
            weighed.append(repeated)
        unsure = repeats.unsure_turns(unsure_turns, UNSURE_TURNS_LIMIT)
        if unsure:
            weighed.append(unsure)
        if customer.high_value:
            weighed.append(Signal(sig.HIGH_VALUE, f"high-value customer ({customer.tier})"))
        if abstained:
            weighed.append(Signal(sig.LOW_CONFIDENCE, "the AI abstained"))
        elif confidence is not None and confidence < policy.low_confidence:
            weighed.append(Signal(sig.LOW_CONFIDENCE, f"answer confidence {confidence:.2f}"))

        strongest: dict[str, float] = {}
        for found in weighed:
            strongest[found.code] = max(strongest.get(found.code, 0.0), found.strength)
        score = sum(policy.weight(code) * strength for code, strength in strongest.items())
        escalate = bool(immediate or extra_reasons) or score >= policy.threshold - _EPSILON

        codes = {s.code for s in (*immediate, *weighed)}
        priority = topic.topic.priority if topic is not None else Priority.NORMAL
        if customer.high_value or codes & _EMOTIONAL:
            priority = max(priority, Priority.HIGH)
        if codes & {sig.LEGAL_THREAT, sig.SAFETY} or (customer.high_value and codes & _EMOTIONAL):
            priority = Priority.URGENT

        reasons = [s.reason() for s in (*immediate, *weighed)] + list(extra_reasons)
        return EscalationDecision(escalate=escalate, reasons=reasons, priority=Priority(priority))

    def _topic(self, message: str) -> TopicMatch | None:
        if not self.topics:
            return None
        best = next(iter(self.topics.scores(message)), None)
        if best is None or best.score < self.policy.topic_threshold:
            return None
        return best
