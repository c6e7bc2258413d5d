"""The knowledge the AI answers from: help-center articles and resolved tickets, both kept in the store.

`KnowledgeService` is the embedded `KnowledgeBackend`: hybrid (BM25 + dense) indexes built from the store.
Indexes are rebuilt lazily when the store's version stamp changes, so `tandem ingest` and closed tickets reach
a running worker without a restart; with an index directory, embeddings persist by content hash, so a rebuild
(or a restart) embeds only what is new or changed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tandem.contracts import SimilarTicket, SourceRef
from tandem.knowledge import snapshots
from tandem.knowledge.documents import Article
from tandem.knowledge.embedding_cache import EmbeddingCache
from tandem.knowledge.embeddings import default_embedder, make_embedder
from tandem.knowledge.hybrid_index import HybridArticleIndex
from tandem.knowledge.interfaces import Embedder, Reranker
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.knowledge.ticket_index import TicketIndex
from tandem.store import TicketStore

if TYPE_CHECKING:
    from tandem.settings import Settings

_Index = TypeVar("_Index")


class KnowledgeService:
    def __init__(
        self,
        store: TicketStore,
        embedder: Embedder | None = None,
        index_dir: Path | None = None,
        reranker: Reranker | None = None,
        *,
        version_ttl: float = 0.0,
    ) -> None:
        """`embedder` defaults to the bundled WordLlama; without `index_dir`, embeddings stay in memory.

        `version_ttl`: seconds a store version stamp is trusted before it is read again (0: every call). A
        turn asks for the index and the lexicon several times; a second of staleness after `tandem ingest`
        costs nothing, an aggregate query per call costs milliseconds."""
        self._store = store
        self._embedder: Embedder = embedder if embedder is not None else default_embedder()
        self._index_dir = index_dir
        self._reranker = reranker
        # One lock per index: a long ticket rebuild must not hold up article searches.
        self._locks = {"_articles": threading.Lock(), "_tickets": threading.Lock()}
        self._articles: tuple[str, HybridArticleIndex] | None = None
        self._tickets: tuple[str, TicketIndex] | None = None
        self._version_ttl = version_ttl
        self._versions: dict[str, tuple[float, str]] = {}

    @classmethod
    def from_settings(
        cls,
        store: TicketStore,
        settings: Settings,
        reranker: Reranker | None = None,
        embedder: Embedder | None = None,
    ) -> KnowledgeService:
        """The service the worker runs and `tandem eval` measures: settings' embedder and index directory.

        `embedder`: one the caller already loaded from the same settings (the worker shares it)."""
        return cls(
            store,
            embedder or make_embedder(settings),
            settings.index_dir,
            reranker,
            version_ttl=settings.knowledge_version_ttl_s,
        )

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def search_articles(
        self,
        query: str,
        product: str | None = None,
        limit: int = 4,
        *,
        timings: dict[str, float] | None = None,
    ) -> list[SourceRef]:
        return self.article_index().search(query, product=product, limit=limit, timings=timings)

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        """The quotable articles among `ids`, from the index built from the store's current articles (no
        database round trip per turn; flagged articles are never in it)."""
        index = self.article_index()
        return {i: article for i in ids if (article := index.get(i)) is not None}

    def similar_tickets(
        self, query: str, category: str | None = None, limit: int = 3, exclude_ticket_id: str | None = None
    ) -> list[SimilarTicket]:
        return self.ticket_index().search(
            query, category=category, limit=limit, exclude_ticket_id=exclude_ticket_id
        )

    def predict_category(self, query: str) -> str | None:
        return self.ticket_index().predict_category(query)

    def lexicon(self) -> HelpCenterLexicon:
        return self.article_index().lexicon

    def warm(self) -> None:
        """Build both indexes now (e.g. at worker start) instead of on the first customer message."""
        self.article_index()
        self.ticket_index()

    def article_index(self) -> HybridArticleIndex:
        return self._current(
            "_articles",
            self._store.knowledge_version,
            lambda: HybridArticleIndex(
                self._store.list_articles(),
                self._embedder,
                cache=self._cache("articles"),
                reranker=self._reranker,
            ),
        )

    def ticket_index(self) -> TicketIndex:
        return self._current(
            "_tickets",
            self._store.tickets_version,
            lambda: TicketIndex(
                self._store.resolved_tickets(),
                self._embedder,
                cache=self._cache("tickets"),
                previous=self._tickets[1] if self._tickets is not None else None,
            ),
        )

    def _current(self, slot: str, version_of: Callable[[], str], build: Callable[[], _Index]) -> _Index:
        version = self._version(slot, version_of)
        with self._locks[slot]:  # one build at a time; concurrent activities wait for it, not duplicate it
            held: tuple[str, _Index] | None = getattr(self, slot)
            if held is None or held[0] != version:
                held = (version, self._snapshot_or_build(slot, version, build))
                setattr(self, slot, held)
            return held[1]

    def _snapshot_or_build(self, slot: str, version: str, build: Callable[[], _Index]) -> _Index:
        """The index for `version`: from its snapshot on disk when there is one, else built (and kept)."""
        if self._index_dir is None:
            return build()
        path = snapshots.path_for(self._index_dir, slot.strip("_"), version, self._embedder.name)
        index = snapshots.load(path)
        if index is not None:
            index.attach(self._embedder, self._reranker)
            return index
        index = build()
        snapshots.save(path, index)
        return index

    def _version(self, slot: str, version_of: Callable[[], str]) -> str:
        now = time.monotonic()
        checked = self._versions.get(slot)
        if checked is not None and now - checked[0] < self._version_ttl:
            return checked[1]
        version = version_of()
        self._versions[slot] = (now, version)
        return version

    def _cache(self, kind: str) -> EmbeddingCache:
        return EmbeddingCache.for_index(self._index_dir, kind, self._embedder)
