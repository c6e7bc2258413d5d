"""Knowledge activities: thin adapters over the knowledge service (retrieval runs in the answer activity)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio import activity

from tandem.contracts import CategoryRequest

if TYPE_CHECKING:  # the workflow process imports this module for its activity names: not the index
    from tandem.knowledge.interfaces import KnowledgeBackend
    from tandem.store import TicketStore


class KnowledgeActivities:
    def __init__(self, knowledge: KnowledgeBackend, store: TicketStore) -> None:
        self._knowledge = knowledge
        self._store = store

    @activity.defn
    def categorize(self, request: CategoryRequest) -> str | None:
        """The ticket's category from its first message (similar resolved tickets vote), recorded."""
        category = self._knowledge.predict_category(request.message)
        self._store.set_category(request.ticket_id, category)
        return category
