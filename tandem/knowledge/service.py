"""The knowledge the AI answers from: help-center articles and resolved tickets, both kept in the store.

Indexes are rebuilt lazily when the store's version stamp changes, so `tandem ingest` and closed tickets
reach a running worker without a restart.
"""

from __future__ import annotations

import threading

from tandem.contracts import SimilarTicket, SourceRef
from tandem.knowledge.bm25_index import ArticleIndex
from tandem.knowledge.documents import Article
from tandem.knowledge.ticket_index import TicketIndex
from tandem.store import TicketStore


class KnowledgeService:
    def __init__(self, store: TicketStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._articles: tuple[str, ArticleIndex] | None = None
        self._tickets: tuple[str, TicketIndex] | None = None

    def search_articles(self, query: str, product: str | None, limit: int) -> list[SourceRef]:
        return self._article_index().search(query, product=product, limit=limit)

    def articles(self, ids: list[str]) -> dict[str, Article]:
        return self._store.get_articles(ids)

    def similar_tickets(
        self, query: str, category: str | None, limit: int, exclude_ticket_id: str | None = None
    ) -> list[SimilarTicket]:
        return self._ticket_index().search(
            query, category=category, limit=limit, exclude_ticket_id=exclude_ticket_id
        )

    def _article_index(self) -> ArticleIndex:
        version = self._store.knowledge_version()
        with self._lock:
            if self._articles is None or self._articles[0] != version:
                self._articles = (version, ArticleIndex(self._store.list_articles()))
            return self._articles[1]

    def _ticket_index(self) -> TicketIndex:
        version = self._store.tickets_version()
        with self._lock:
            if self._tickets is None or self._tickets[0] != version:
                self._tickets = (version, TicketIndex(self._store.resolved_tickets()))
            return self._tickets[1]
