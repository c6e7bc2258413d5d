"""Retrieval activities: thin adapters over the knowledge service."""

from __future__ import annotations

from temporalio import activity

from tandem.contracts import RetrievalRequest, SimilarTicket, SimilarTicketsRequest, SourceRef
from tandem.knowledge.service import KnowledgeService


class KnowledgeActivities:
    def __init__(self, knowledge: KnowledgeService) -> None:
        self._knowledge = knowledge

    @activity.defn
    def retrieve_articles(self, request: RetrievalRequest) -> list[SourceRef]:
        return self._knowledge.search_articles(request.query, product=request.product, limit=request.limit)

    @activity.defn
    def find_similar_tickets(self, request: SimilarTicketsRequest) -> list[SimilarTicket]:
        return self._knowledge.similar_tickets(
            request.query,
            category=request.category,
            limit=request.limit,
            exclude_ticket_id=request.exclude_ticket_id,
        )
