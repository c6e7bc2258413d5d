"""`KnowledgeBackend` on Weaviate: hybrid (BM25 + vector) search over article chunks and resolved tickets.

Selected with `TANDEM_KNOWLEDGE_BACKEND=weaviate`. Vectors come from the injected `Embedder` (the same one
the embedded backend uses); Weaviate stores them (vectorizer none) and fuses its BM25 with them.

With `weaviate_tenant` set, both collections are multi-tenant and every read and write of this instance goes
through that tenant (one tenant per company), so companies sharing a cluster never see each other's data.

The pure parts (filters, query arguments, aggregation, votes) live in `weaviate_queries`; the collections
and records in `weaviate_schema`; connecting and checking an existing collection in `weaviate_connection`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import weaviate
from weaviate.classes.tenants import Tenant, TenantActivityStatus
from weaviate.exceptions import WeaviateBaseError

from tandem.adapters import weaviate_queries as q
from tandem.adapters.weaviate_connection import (
    WeaviateImportError,
    WeaviateSchemaError,
    connect,
    schema_problems,
)
from tandem.adapters.weaviate_schema import (
    ARTICLE_COLLECTION,
    ARTICLE_FIELDS,
    ARTICLE_PROPERTIES,
    TICKET_COLLECTION,
    TICKET_FIELDS,
    TICKET_PROPERTIES,
    ArticleChunk,
    chunk_properties,
    chunk_uuid,
    chunk_vector_text,
    collection_spec,
    ticket_properties,
    ticket_uuid,
    ticket_vector_text,
)
from tandem.contracts import SimilarTicket, SourceRef
from tandem.knowledge.approved import is_approved_answer
from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.knowledge.interfaces import Embedder
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.knowledge.query_analysis import analyze_query, without_chatter
from tandem.knowledge.spelling import Speller

if TYPE_CHECKING:
    from weaviate.collections import Collection

    from tandem.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_ALPHA = 0.5
EMBED_BATCH = 64
IMPORT_BATCH = 100
# Ids per filter (contains_any) and objects per fetch page: far below Weaviate's query maximum (10,000).
IDS_PER_FILTER = 100
FETCH_PAGE = 1000


class WeaviateKnowledge:
    """Articles (as chunks) and resolved tickets in Weaviate, behind the `KnowledgeBackend` protocol.

    Takes an already-connected client and does not close it unless `close()` is called. Queries may run
    from several threads; imports and deletes are serialised (the client's batching is not thread-safe).
    """

    def __init__(
        self,
        client: weaviate.WeaviateClient,
        embedder: Embedder,
        *,
        alpha: float = DEFAULT_ALPHA,
        tenant: str | None = None,
        collection_prefix: str = "",
        batch_size: int = IMPORT_BATCH,
        lexicon: Callable[[], HelpCenterLexicon] | None = None,
        ticket_speller: Callable[[], Speller] | None = None,
        still_quotable: Callable[[list[str]], set[str]] | None = None,
    ) -> None:
        # Approved answers are checked against the store before they are quoted: one withdrawn or expired
        # since Weaviate last heard of it is never shown (tandem.store.answers).
        self._still_quotable = still_quotable
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        self._client = client
        self._embedder = embedder
        self.alpha = alpha
        self.tenant = tenant or None
        self.collection_prefix = collection_prefix
        self.article_collection = f"{collection_prefix}{ARTICLE_COLLECTION}"
        self.ticket_collection = f"{collection_prefix}{TICKET_COLLECTION}"
        self._batch_size = batch_size
        # The help center's acronyms and product names (a `StoreLexicon`): the server holds only chunks.
        self._lexicon = lexicon
        self._ticket_speller = ticket_speller  # the history's words (a `StoreTicketSpeller`)
        self._write_lock = threading.Lock()
        # Kept, not re-derived: a batch's failed objects are read back from the same collection object.
        self._articles = self._scoped(self.article_collection)
        self._tickets = self._scoped(self.ticket_collection)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder, **kwargs: Any) -> WeaviateKnowledge:
        """Connect with `connect(settings)`, check or create the schema, and own the client (`close()`)."""
        client = connect(settings)
        try:
            backend = cls(client, embedder, tenant=settings.weaviate_tenant, **kwargs)
            backend.ensure_schema()
        except BaseException:
            client.close()
            raise
        return backend

    def close(self) -> None:
        self._client.close()

    def _scoped(self, name: str) -> Collection[Any, Any]:
        collection = self._client.collections.get(name)
        return collection.with_tenant(self.tenant) if self.tenant else collection

    # --- schema --------------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create missing collections (multi-tenant when a tenant is set) and the tenant; idempotent.

        An existing collection is checked, never changed: a mismatch raises `WeaviateSchemaError`.
        """
        for name, properties, what in (
            (self.article_collection, ARTICLE_PROPERTIES, "help-center article chunks"),
            (self.ticket_collection, TICKET_PROPERTIES, "resolved tickets"),
        ):
            self._ensure_collection(name, properties, what)
            if self.tenant:
                self._ensure_tenant(name)

    def _ensure_collection(self, name: str, properties: Sequence[Any], what: str) -> None:
        if not self._client.collections.exists(name):
            spec = collection_spec(
                name,
                properties,
                multi_tenant=self.tenant is not None,
                embedder_name=self._embedder.name,
                dim=self._embedder.dim,
                what=what,
            )
            try:
                self._client.collections.create(**spec)
                log.info("created Weaviate collection %s", name)
                return
            except WeaviateBaseError:
                # Another worker may have created it meanwhile; then check it like any existing one.
                if not self._client.collections.exists(name):
                    raise
        config = self._client.collections.get(name).config.get()
        problems = schema_problems(
            name,
            multi_tenant=bool(config.multi_tenancy_config.enabled),
            index_null_state=bool(config.inverted_index_config.index_null_state),
            description=config.description,
            tenant=self.tenant,
            embedder=self._embedder,
        )
        if problems:
            raise WeaviateSchemaError("; ".join(problems))

    def _ensure_tenant(self, name: str) -> None:
        assert self.tenant is not None
        tenants = self._client.collections.get(name).tenants
        existing = tenants.get_by_name(self.tenant)
        if existing is None:
            try:
                tenants.create(Tenant(name=self.tenant))
                log.info("created tenant %s in %s", self.tenant, name)
            except WeaviateBaseError:
                if tenants.get_by_name(self.tenant) is None:
                    raise
        elif existing.activity_status != TenantActivityStatus.ACTIVE:
            tenants.activate(self.tenant)

    # --- writes --------------------------------------------------------------------------------------

    def import_articles(self, chunks: Iterable[ArticleChunk]) -> int:
        """Upsert whole articles given as chunks; returns the number of chunks written.

        Each article must come with all its chunks (chunk_id 0..n-1): chunks beyond n left from a longer
        earlier version are deleted afterwards. Ids are deterministic, so re-imports overwrite.
        """
        chunks = list(chunks)
        counts = q.chunk_counts(chunks)
        if not chunks:
            return 0
        with self._write_lock:
            self._batch_import(
                self._articles,
                chunks,
                properties=chunk_properties,
                uuid=lambda c: chunk_uuid(c.article_id, c.chunk_id),
                text=chunk_vector_text,
                key=lambda c: f"{c.article_id}#{c.chunk_id}",
            )
            ids = sorted(counts)
            for group in q.batched(ids, IDS_PER_FILTER):
                stale = q.stale_chunks_filter({article_id: counts[article_id] for article_id in group})
                if stale is not None:
                    self._delete_where(self._articles, stale)
        return len(chunks)

    def delete_articles(self, article_ids: Iterable[str]) -> int:
        """Delete every chunk of these articles; returns the number of chunks deleted."""
        ids = sorted(set(article_ids))
        deleted = 0
        with self._write_lock:
            for group in q.batched(ids, IDS_PER_FILTER):
                deleted += self._delete_where(self._articles, q.article_ids_filter(group))
        return deleted

    def import_tickets(self, tickets: Iterable[ResolvedTicket]) -> int:
        """Upsert resolved tickets (deterministic ids from ticket_id); returns the number written."""
        tickets = list({t.ticket_id: t for t in tickets}.values())  # the last version of a ticket wins
        if not tickets:
            return 0
        with self._write_lock:
            self._batch_import(
                self._tickets,
                tickets,
                properties=ticket_properties,
                uuid=lambda t: ticket_uuid(t.ticket_id),
                text=ticket_vector_text,
                key=lambda t: t.ticket_id,
            )
        return len(tickets)

    def _batch_import(
        self,
        collection: Collection[Any, Any],
        records: Sequence[Any],
        *,
        properties: Any,
        uuid: Any,
        text: Any,
        key: Any,
    ) -> None:
        keys_by_uuid: dict[str, str] = {}
        with collection.batch.fixed_size(batch_size=self._batch_size) as batch:
            for group in q.batched(records, EMBED_BATCH):
                vectors = np.asarray(self._embedder.embed_documents([text(r) for r in group]))
                for record, vector in zip(group, vectors, strict=True):
                    object_id = uuid(record)
                    keys_by_uuid[object_id] = key(record)
                    batch.add_object(properties=properties(record), uuid=object_id, vector=vector.tolist())
        failed = collection.batch.failed_objects
        if failed:
            failures = [
                (keys_by_uuid.get(str(f.object_.uuid), str(f.object_.uuid)), f.message) for f in failed
            ]
            raise WeaviateImportError(collection.name, len(records), failures)

    @staticmethod
    def _delete_where(collection: Collection[Any, Any], where: Any) -> int:
        deleted = 0
        while True:  # one call deletes at most the server's query maximum; repeat until nothing matches
            result = collection.data.delete_many(where=where)
            if result.failed:
                raise RuntimeError(f"{result.failed} objects could not be deleted from {collection.name}")
            deleted += result.successful
            if result.matches == 0 or result.successful == 0:
                return deleted

    # --- reads (KnowledgeBackend) --------------------------------------------------------------------

    def search_articles(self, query: str, product: str | None, limit: int) -> list[SourceRef]:
        """Best articles for `query`, best first: hybrid over chunks, each article at its best chunk.

        `product` keeps that product's articles plus general ones (no product), as the embedded index does,
        and a long message is searched by the clauses that state the need, as there too (query_analysis).
        With a lexicon, the keyword query carries the long form of the acronyms it uses and articles about
        products other than those the message names are discounted (lexicon.py); the embedded index also
        expands acronyms inside the articles, which the server's BM25 cannot.
        """
        if limit <= 0 or not query.strip():
            return []
        plan = analyze_query(query)
        lexicon = self.lexicon()
        focus = lexicon.speller.correct(plan.focus)
        kwargs = q.hybrid_kwargs(
            lexicon.glossary.expand(focus),
            self._embedder.embed_query(focus),
            alpha=self.alpha,
            limit=q.chunk_hit_limit(limit),
            filters=q.product_filter(product),
            query_properties=q.ARTICLE_QUERY_PROPERTIES,
            return_properties=["article_id", "chunk_id", "title", "text", "url", "internal", "product"],
        )
        result = self._articles.query.hybrid(**kwargs)
        return q.aggregate_chunks(
            q.hits_of(result.objects),
            limit,
            route=product is None,
            title_factors=lambda titles: lexicon.title_factors(titles, focus, question=not plan.is_long),
        )

    def lexicon(self) -> HelpCenterLexicon:
        return self._lexicon() if self._lexicon is not None else HelpCenterLexicon()

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        """Full articles by id (chunk texts joined in chunk order); unknown ids are left out."""
        wanted = list(dict.fromkeys(ids))
        chunks: list[dict[str, Any]] = []
        for group in q.batched(wanted, IDS_PER_FILTER):
            offset = 0
            while True:
                page = self._articles.query.fetch_objects(
                    filters=q.article_ids_filter(group),
                    limit=FETCH_PAGE,
                    offset=offset,
                    return_properties=list(ARTICLE_FIELDS),
                ).objects
                chunks.extend(dict(o.properties) for o in page)
                if len(page) < FETCH_PAGE:
                    break
                offset += FETCH_PAGE
        joined = q.join_chunks(chunks)
        found: dict[str, Article] = {}
        for article_id in wanted:
            if article_id in joined:
                first, body = joined[article_id]
                found[article_id] = Article(
                    id=article_id,
                    title=str(first.get("title") or ""),
                    body=body,
                    product=first.get("product"),
                    url=first.get("url"),
                    category=first.get("category"),
                    source=first.get("source"),
                    internal=bool(first.get("internal")),
                )
        answers = [a.id for a in found.values() if is_approved_answer(a.category)]
        if answers and self._still_quotable is not None:
            current = self._still_quotable(answers)
            found = {k: a for k, a in found.items() if not is_approved_answer(a.category) or k in current}
        return found

    def similar_tickets(
        self, query: str, category: str | None, limit: int, exclude_ticket_id: str | None = None
    ) -> list[SimilarTicket]:
        """Most similar resolved tickets, best first; `category` keeps only that category's tickets."""
        if limit <= 0 or not query.strip():
            return []
        query = self._ticket_query_text(query)
        result = self._tickets.query.hybrid(**self._ticket_query(query, limit, category, exclude_ticket_id))
        return q.similar_from_hits(q.hits_of(result.objects), limit)

    def predict_category(self, query: str, k: int = 5) -> str | None:
        """Category with the largest summed hybrid score among the top-k similar tickets."""
        if k <= 0 or not query.strip():
            return None
        result = self._tickets.query.hybrid(
            **self._ticket_query(self._ticket_query_text(query), k, None, None)
        )
        return q.vote_category(q.hits_of(result.objects))

    def _ticket_query_text(self, query: str) -> str:
        """The message as the embedded ticket index reads it: without chatter, misspellings corrected."""
        text = without_chatter(query)
        return self._ticket_speller().correct(text) if self._ticket_speller is not None else text

    def _ticket_query(
        self, query: str, limit: int, category: str | None, exclude_ticket_id: str | None
    ) -> dict[str, Any]:
        return q.hybrid_kwargs(
            query,
            self._embedder.embed_query(query),
            alpha=self.alpha,
            limit=limit,
            filters=q.ticket_filter(category, exclude_ticket_id),
            query_properties=q.TICKET_QUERY_PROPERTIES,
            return_properties=list(TICKET_FIELDS),
        )
