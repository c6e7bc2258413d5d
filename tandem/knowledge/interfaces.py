"""The seams of the knowledge layer, so embedded and hosted parts (Weaviate, Cohere) are interchangeable.

Activities depend on `KnowledgeBackend`; the embedded backend is the default, Weaviate the production option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from tandem.contracts import SimilarTicket, SourceRef
from tandem.knowledge.documents import Article

if TYPE_CHECKING:
    from tandem.knowledge.lexicon import HelpCenterLexicon


class Embedder(Protocol):
    """Turns text into L2-normalised vectors (rows) of a fixed dimension."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class Reranker(Protocol):
    """Re-scores candidate passages for a query; returns (candidate index, relevance) best first."""

    def rerank(self, query: str, passages: Sequence[str], top_n: int) -> list[tuple[int, float]]: ...


class KnowledgeBackend(Protocol):
    """What the workflow's retrieval and generation activities need."""

    def search_articles(self, query: str, product: str | None, limit: int) -> list[SourceRef]: ...

    def articles(self, ids: Sequence[str]) -> dict[str, Article]: ...

    def similar_tickets(
        self, query: str, category: str | None, limit: int, exclude_ticket_id: str | None = None
    ) -> list[SimilarTicket]: ...

    def predict_category(self, query: str) -> str | None: ...

    def lexicon(self) -> HelpCenterLexicon:
        """The acronyms and product names of the help center searched (the responder's product check)."""
        ...
