"""`tandem replay --since 7d`: what the current knowledge, responder and policy would say to the customer
turns already in the store, in-process (nothing reaches a customer), next to what was said.

A turn is a customer message the AI replied to. Each is replayed with what the conversation knew then (the
ticket's product, the earlier messages, how many AI turns and unsure replies came before) and compared:
- answer: the reply's text differs (its greeting line aside: the customer's name is not stored);
- abstained: it answered before and would now say it is not sure (or the other way round);
- escalated: the policy would now hand over at this turn (or no longer would);
- citations: it would cite other articles.
Account facts a backend passed are not stored, so a turn that depended on them may differ for that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from tandem.contracts import (
    Author,
    CustomerContext,
    EscalationCheck,
    EscalationRecord,
    TranscriptEntry,
    TurnRequest,
)
from tandem.escalation.engine import EscalationEngine
from tandem.escalation.notices import handoff_notice, keeps_answer
from tandem.responder.turn import TurnAnswerer

KINDS = ("answer", "abstained", "escalated", "citations")


@dataclass(frozen=True, slots=True)
class Said:
    """What a turn said, reduced to what replay compares."""

    body: str
    abstained: bool
    escalated: bool
    sources: tuple[str, ...]

    @classmethod
    def of(cls, text: str, sources: Iterable[str], escalated: bool) -> Said:
        sources = tuple(sources)
        return cls(_body(text), abstained=not sources, escalated=escalated, sources=sources)


@dataclass(frozen=True, slots=True)
class TurnChange:
    ticket_id: str
    message_id: str  # the recorded AI reply's
    question: str
    changed: tuple[str, ...]  # of KINDS
    before: Said
    after: Said


@dataclass
class ReplayReport:
    turns: int = 0
    tickets: int = 0
    changes: list[TurnChange] = field(default_factory=list)

    @property
    def by_kind(self) -> dict[str, int]:
        return {k: sum(1 for c in self.changes if k in c.changed) for k in KINDS}

    def as_json(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "turns": self.turns,
            "changed": len(self.changes),
            "by_kind": self.by_kind,
            "changes": [
                {**asdict(c), "before": asdict(c.before), "after": asdict(c.after)} for c in self.changes
            ],
        }


@dataclass(frozen=True, slots=True)
class StoredTurn:
    ticket_id: str
    customer: CustomerContext
    question: TranscriptEntry
    history: list[TranscriptEntry]  # before the question
    reply: TranscriptEntry  # what the AI said
    escalated: bool  # the policy handed over at this turn
    ai_turns: int  # counting this one
    unsure_turns: int  # before this one


def stored_turns(
    ticket_id: str,
    customer_id: str,
    product: str | None,
    transcript: Sequence[TranscriptEntry],
    escalations: Sequence[EscalationRecord],
) -> list[StoredTurn]:
    """A ticket's AI turns: each AI reply that follows a customer message."""
    customer = CustomerContext(customer_id=customer_id, product=product)
    turns: list[StoredTurn] = []
    unsure = 0
    for i, entry in enumerate(transcript):
        if entry.author is not Author.AI or i == 0 or transcript[i - 1].author is not Author.CUSTOMER:
            continue
        question = transcript[i - 1]
        following = next((e.at for e in transcript[i + 1 :] if e.author is Author.CUSTOMER), None)
        escalated = any(
            r.trigger == "turn" and question.at <= r.at and (following is None or r.at < following)
            for r in escalations
        )
        turns.append(
            StoredTurn(
                ticket_id,
                customer,
                question,
                list(transcript[: i - 1]),
                entry,
                escalated,
                len(turns) + 1,
                unsure,
            )
        )
        unsure += int(not entry.sources)
    return turns


def replay_turn(turn: StoredTurn, answerer: TurnAnswerer, engine: EscalationEngine) -> TurnChange | None:
    """The turn answered again; None when nothing compared changed."""
    request = TurnRequest(
        ticket_id=turn.ticket_id, message=turn.question.text, customer=turn.customer, history=turn.history
    )
    reply = answerer.answer(request)
    earlier = [e.text for e in turn.history if e.author is Author.CUSTOMER]
    check = EscalationCheck(
        message=turn.question.text,
        customer=turn.customer,
        confidence=reply.confidence,
        abstained=reply.abstained,
        ai_turns=turn.ai_turns,
        unsure_turns=turn.unsure_turns + int(reply.abstained),
        recent_customer_messages=earlier,
    )
    decision = engine.decide(check, recent_messages=earlier)
    text = reply.text
    sources = [s.id for s in reply.sources]
    if decision.escalate:
        text = handoff_notice(decision, reply)
        sources = sources if keeps_answer(decision, reply) else []
    before = Said.of(turn.reply.text, (s.id for s in turn.reply.sources), turn.escalated)
    after = Said.of(text, sources, decision.escalate)
    changed = tuple(
        kind
        for kind, differs in (
            ("answer", before.body != after.body),
            ("abstained", before.abstained != after.abstained),
            ("escalated", before.escalated != after.escalated),
            ("citations", set(before.sources) != set(after.sources)),
        )
        if differs
    )
    if not changed:
        return None
    return TurnChange(turn.ticket_id, turn.reply.message_id, turn.question.text, changed, before, after)


def replay_store(
    store: Any,
    answerer: TurnAnswerer,
    engine: EscalationEngine,
    since: datetime | None = None,
    *,
    include_simulated: bool = False,
) -> ReplayReport:
    """Every stored AI turn of the tickets opened since `since`, replayed."""
    report = ReplayReport()
    for facts in store.ticket_facts(since=since, include_simulated=include_simulated):
        ticket = store.get_ticket(facts.ticket_id)
        if ticket is None:
            continue
        turns = stored_turns(
            ticket.ticket_id,
            ticket.customer_id,
            ticket.product,
            store.transcript(ticket.ticket_id),
            store.escalations(ticket.ticket_id),
        )
        report.tickets += 1
        for turn in turns:
            report.turns += 1
            change = replay_turn(turn, answerer, engine)
            if change is not None:
                report.changes.append(change)
    return report


def render(report: ReplayReport, limit: int = 50) -> str:
    kinds = ", ".join(f"{k} {n}" for k, n in report.by_kind.items())
    lines = [
        f"Replayed {report.turns} AI turns of {report.tickets} tickets: {len(report.changes)} would change"
        + (f" ({kinds})" if report.changes else "")
    ]
    for c in report.changes[:limit]:
        lines.append(f"  {c.ticket_id}  {c.message_id}  [{', '.join(c.changed)}]")
        lines.append(f"      asked:  {_short(c.question)}")
        lines.append(
            f"      before: {_short(c.before.body)}"
            + (f"  cites {', '.join(c.before.sources)}" if c.before.sources else "")
        )
        lines.append(
            f"      after:  {_short(c.after.body)}"
            + (f"  cites {', '.join(c.after.sources)}" if c.after.sources else "")
        )
    if len(report.changes) > limit:
        lines.append(f"  ... {len(report.changes) - limit} more (--json lists all)")
    return "\n".join(lines)


def _body(text: str) -> str:
    """The reply without its greeting line ("Hi Ada, here is what I found:"), whitespace collapsed."""
    first, _, rest = text.strip().partition("\n")
    kept = rest if first.lower().startswith(("hi", "hello")) and rest else text
    return " ".join(kept.split())


def _short(text: str, n: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
