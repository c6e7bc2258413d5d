"""Retrieval activities: thin adapters over the knowledge service."""

from __future__ import annotations

from temporalio import activity

from tandem.contracts import (
    CategoryRequest,
    RetrievalRequest,
    SimilarTicket,
    SimilarTicketsRequest,
    SourceRef,
)
from tandem.knowledge.audience import turn_articles
from tandem.knowledge.interfaces import KnowledgeBackend
from tandem.store import TicketStore


class KnowledgeActivities:
    def __init__(self, knowledge: KnowledgeBackend, store: TicketStore) -> None:
        self._knowledge = knowledge
        self._store = store

    @activity.defn
    def retrieve_articles(self, request: RetrievalRequest) -> list[SourceRef]:
        """`limit` customer articles, plus the internal procedures ranked among them (flagged)."""
        return turn_articles(self._knowledge, request.query, request.product, request.limit)

    @activity.defn
    def find_similar_tickets(self, request: SimilarTicketsRequest) -> list[SimilarTicket]:
        return self._knowledge.similar_tickets(
            request.query,
            category=request.category,
            limit=request.limit,
            exclude_ticket_id=request.exclude_ticket_id,
        )

    @activity.defn
    def categorize(self, request: CategoryRequest) -> str | None:
        """The ticket's category from its first message (similar resolved tickets vote), recorded."""
        category = self._knowledge.predict_category(request.message)
        self._store.set_category(request.ticket_id, category)
        return category
