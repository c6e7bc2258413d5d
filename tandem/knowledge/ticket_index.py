"""Keyword search over resolved tickets: similar past cases for the responder, and a category guess."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tandem.contracts import SimilarTicket
from tandem.knowledge.bm25_index import Bm25Scorer, analyze, shorten
from tandem.knowledge.documents import ResolvedTicket

RESOLUTION_CHARS = 600


class TicketIndex:
    def __init__(self, tickets: Iterable[ResolvedTicket]) -> None:
        self._tickets: list[ResolvedTicket] = list(tickets)
        self._scorer = Bm25Scorer([analyze(_ticket_text(t)) for t in self._tickets])
        self._categories = np.asarray([t.category for t in self._tickets], dtype=object)
        self._ids = np.asarray([t.ticket_id for t in self._tickets], dtype=object)

    def __len__(self) -> int:
        return len(self._tickets)

    def search(
        self,
        query: str,
        category: str | None = None,
        limit: int = 3,
        exclude_ticket_id: str | None = None,
    ) -> list[SimilarTicket]:
        """Most similar tickets, best first; `category` keeps only that category's tickets."""
        if limit <= 0:
            return []
        scores = self._scorer.scores(query)
        if scores is None:
            return []
        if category is not None:
            scores = np.where(self._categories == category, scores, 0.0)
        if exclude_ticket_id is not None:
            # The ticket being answered may already be indexed; it must not be its own "similar case".
            scores = np.where(self._ids == exclude_ticket_id, 0.0, scores)
        results: list[SimilarTicket] = []
        for position in _top(scores, limit):
            ticket = self._tickets[position]
            results.append(
                SimilarTicket(
                    ticket_id=ticket.ticket_id,
                    subject=ticket.subject,
                    category=ticket.category,
                    resolution=shorten(ticket.resolution, RESOLUTION_CHARS, flatten=False),
                    score=float(scores[position]),
                )
            )
        return results

    def predict_category(self, query: str, k: int = 5) -> str | None:
        """Category with the largest summed BM25 score among the top-k similar tickets (None if no match)."""
        scores = self._scorer.scores(query)
        if scores is None or k <= 0:
            return None
        votes: dict[str, float] = {}
        for position in _top(scores, k):
            category = self._tickets[position].category
            if category is not None:
                votes[category] = votes.get(category, 0.0) + float(scores[position])
        if not votes:
            return None
        # max() keeps the first of equal totals, i.e. the category of the better-ranked ticket.
        return max(votes, key=votes.__getitem__)


def _ticket_text(ticket: ResolvedTicket) -> str:
    # Suites often repeat the message as subject and body; counting it twice only inflates term frequency.
    if ticket.body.strip().startswith(ticket.subject.strip()):
        return ticket.body
    return f"{ticket.subject}\n{ticket.body}"


def _top(scores: np.ndarray, limit: int) -> list[int]:
    """Positions of the `limit` best positive scores, best first; a stable sort keeps ties deterministic."""
    best = np.argsort(-scores, kind="stable")[:limit]
    return [int(i) for i in best if scores[i] > 0.0]
