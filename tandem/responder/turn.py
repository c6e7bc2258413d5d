"""One AI turn's answer: decide what the message is about, retrieve for it, then run the reply pipeline.

The answer activity runs exactly this, and so does `tandem eval`'s answers part, so what is measured is what
customers get. The focus (tandem.responder.focus) is decided before retrieval: a follow-up ("how much is an
outgoing wire?") is searched with the product named one message earlier, or the one on the customer's account.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tandem.contracts import Author, GeneratedReply, GenerationRequest, TurnRequest
from tandem.knowledge.audience import customer_facing, turn_articles
from tandem.knowledge.interfaces import KnowledgeBackend
from tandem.responder.focus import decide_focus
from tandem.responder.pipeline import ReplyPipeline

ARTICLES_PER_TURN = 4
SIMILAR_TICKETS_PER_TURN = 3

_T = TypeVar("_T")


class TurnAnswerer:
    """Focus, article retrieval, similar tickets and the reply pipeline for one customer message."""

    def __init__(
        self,
        knowledge: KnowledgeBackend,
        pipeline: ReplyPipeline,
        *,
        articles_per_turn: int = ARTICLES_PER_TURN,
        tickets_per_turn: int = SIMILAR_TICKETS_PER_TURN,
    ) -> None:
        self._knowledge = knowledge
        self._pipeline = pipeline
        self.articles_per_turn = articles_per_turn
        self.tickets_per_turn = tickets_per_turn

    def answer(self, request: TurnRequest, timings: dict[str, float] | None = None) -> GeneratedReply:
        """The reply to `request.message`; `timings` (seconds per stage) is filled when given."""
        stages: dict[str, float] = timings if timings is not None else {}
        earlier = [e.text for e in request.history if e.author is Author.CUSTOMER]
        lexicon = self._knowledge.lexicon()
        focus = _timed(
            stages,
            "focus",
            lambda: decide_focus(
                request.message,
                earlier,
                request.customer,
                lexicon.names,
                lexicon.line_words,
                lexicon.vocabulary,
            ),
        )
        query = f"{request.message} {focus.query_names}".strip()
        # Without a product in focus, read twice as many articles: whether products answer differently
        # (and the customer must say which one) shows only with several of them.
        limit = self.articles_per_turn if focus.names else self.articles_per_turn * 2
        refs = _timed(stages, "articles", lambda: turn_articles(self._knowledge, query, focus.product, limit))
        similar = _timed(
            stages,
            "tickets",
            lambda: self._knowledge.similar_tickets(
                request.message, limit=self.tickets_per_turn, exclude_ticket_id=request.ticket_id
            ),
        )
        # Only ids travel through workflow history; the passages are read here, and only those a customer
        # reply may quote (internal procedures are never shown to the responder).
        passages = _timed(
            stages, "passages", lambda: self._knowledge.articles([a.id for a in customer_facing(refs)])
        )
        generation = GenerationRequest(
            ticket_id=request.ticket_id,
            message=request.message,
            customer=request.customer,
            articles=refs,
            similar_tickets=similar,
            history=request.history,
            focus=focus,
        )
        reply = _timed(stages, "reply", lambda: self._pipeline.reply(generation, passages))
        if reply.abstained and reply.confidence == 0.0 and limit == self.articles_per_turn:
            # Nothing in the best articles states anything asked: read the next ones before saying "not
            # sure" (their weaker retrieval lowers the confidence of what they answer).
            more = _timed(
                stages, "articles", lambda: turn_articles(self._knowledge, query, focus.product, limit * 2)
            )
            extra = _timed(
                stages, "passages", lambda: self._knowledge.articles([a.id for a in customer_facing(more)])
            )
            generation = generation.model_copy(update={"articles": more})
            reply = _timed(stages, "reply", lambda: self._pipeline.reply(generation, extra))
        return reply


def _timed(stages: dict[str, float], stage: str, call: Callable[[], _T]) -> _T:
    started = time.perf_counter()
    try:
        return call()
    finally:
        stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - started
