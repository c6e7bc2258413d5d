"""What every AI reply goes through: a responder, then conversation context, then guardrails."""

from __future__ import annotations

from typing import Protocol

from tandem.contracts import GeneratedReply, GenerationRequest, GuardrailNote
from tandem.knowledge.approved import QUOTABLE_KINDS
from tandem.knowledge.audience import customer_facing
from tandem.knowledge.documents import Article
from tandem.responder.context import (
    known_facts,
    previous_ticket_line,
    related_previous_ticket,
    without_known_asks,
)
from tandem.responder.guardrails import guard_reply


class Responder(Protocol):
    def respond(self, request: GenerationRequest, passages: dict[str, Article]) -> GeneratedReply: ...


class ReplyPipeline:
    def __init__(self, responder: Responder) -> None:
        self._responder = responder

    def reply(self, request: GenerationRequest, passages: dict[str, Article]) -> GeneratedReply:
        # Internal procedures inform people, never the customer: the responder does not see them.
        public = customer_facing(request.articles)
        procedures = [ref for ref in request.articles if ref.internal]
        if procedures:
            request = request.model_copy(update={"articles": public})
            passages = {k: a for k, a in passages.items() if not a.internal}
        draft = self._responder.respond(request, passages)
        facts = known_facts(request.customer, request.history, request.message)
        # Asking which product is meant is the point of a clarifying reply, even when its line is known.
        text, referred = (draft.text, []) if draft.clarifying else without_known_asks(draft.text, facts)
        earlier = related_previous_ticket(request.message, request.customer.previous_tickets)
        if earlier is not None:
            first_line, _, rest = text.partition("\n")
            text = (
                f"{first_line}\n{previous_ticket_line(earlier)}\n{rest}"
                if rest
                else f"{text}\n{previous_ticket_line(earlier)}"
            )
        # Only what the reply cites may license a promise: the cited articles and approved answers.
        cited = {s.id for s in draft.sources if s.kind in QUOTABLE_KINDS}
        source_texts = [a.body for a in passages.values() if a.id in cited]
        guarded = guard_reply(text, source_texts)
        return draft.model_copy(
            update={
                "text": guarded.text,
                "guardrails": [GuardrailNote(kind=e.kind, sentence=e.sentence) for e in guarded.events],
                "facts_referred": [f.kind for f in referred],
                "procedures": procedures,
            }
        )
