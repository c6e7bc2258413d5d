"""What Tandem keeps in Weaviate: two collections, their properties, chunk records and deterministic ids.

Vectors are brought by Tandem (vectorizer "none"/self-provided): the same `Embedder` serves the embedded and
the Weaviate backend, so switching backends never changes what a query is compared against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from weaviate.classes.config import Configure, DataType, Property, Tokenization
from weaviate.util import generate_uuid5

from tandem.knowledge.documents import Article, ResolvedTicket

ARTICLE_COLLECTION = "TandemArticleChunk"
TICKET_COLLECTION = "TandemTicket"

# Marker in the collection description, checked by ensure_schema so vectors of another embedder are caught.
_EMBEDDER_TAG = re.compile(r"\[embedder=(?P<name>[^;\]]*);dim=(?P<dim>\d+)\]")


@dataclass(frozen=True, slots=True)
class ArticleChunk:
    """One retrievable piece of an article; `chunk_id` is its 0-based position in the article.

    `articles()` rebuilds an article by joining its chunk texts in `chunk_id` order, so chunks must not
    overlap. Every chunk carries the article's metadata; `content_hash` is the chunker's hash of the chunk.
    """

    article_id: str
    chunk_id: int
    title: str
    text: str
    product: str | None = None
    category: str | None = None
    url: str | None = None
    source: str | None = None
    internal: bool = False
    content_hash: str = ""
    # What gets embedded; empty means title and text.
    embed_text: str = ""


def _id_property(name: str) -> Property:
    # Exact-match keys: field tokenization (an `equal` on "rho-bank" must not match "rho"), not in BM25.
    return Property(
        name=name,
        data_type=DataType.TEXT,
        tokenization=Tokenization.FIELD,
        index_filterable=True,
        index_searchable=False,
    )


def _text_property(name: str) -> Property:
    return Property(name=name, data_type=DataType.TEXT, tokenization=Tokenization.WORD)


ARTICLE_PROPERTIES: tuple[Property, ...] = (
    _id_property("article_id"),
    Property(name="chunk_id", data_type=DataType.INT, index_filterable=True),
    _text_property("title"),
    _text_property("text"),
    _id_property("product"),
    _id_property("category"),
    _id_property("url"),
    _id_property("source"),
    # Agent-only procedures (tandem.knowledge.audience): returned flagged, never quoted to customers.
    Property(name="internal", data_type=DataType.BOOL, index_filterable=True),
    _id_property("content_hash"),
)

TICKET_PROPERTIES: tuple[Property, ...] = (
    _id_property("ticket_id"),
    _text_property("subject"),
    _text_property("body"),
    _id_property("category"),
    # Returned with similar tickets but kept out of keyword search, as in the embedded ticket index.
    Property(name="resolution", data_type=DataType.TEXT, index_searchable=False, index_filterable=False),
)

ARTICLE_FIELDS: tuple[str, ...] = tuple(p.name for p in ARTICLE_PROPERTIES)
TICKET_FIELDS: tuple[str, ...] = tuple(p.name for p in TICKET_PROPERTIES)


def embedder_tag(name: str, dim: int) -> str:
    return f"[embedder={name};dim={dim}]"


def tagged_embedder(description: str | None) -> tuple[str, int] | None:
    """(name, dim) of the embedder recorded in a collection description, or None if none is recorded."""
    match = _EMBEDDER_TAG.search(description or "")
    return (match["name"], int(match["dim"])) if match else None


def collection_spec(
    name: str, properties: Sequence[Property], *, multi_tenant: bool, embedder_name: str, dim: int, what: str
) -> dict[str, Any]:
    """Keyword arguments for `client.collections.create` (pure, so its shape is unit-tested)."""
    return {
        "name": name,
        "description": f"Tandem {what} {embedder_tag(embedder_name, dim)}",
        "properties": list(properties),
        "vector_config": Configure.Vectors.self_provided(),
        # index_null_state: `product IS NULL` (general articles) must be filterable.
        "inverted_index_config": Configure.inverted_index(index_null_state=True),
        "multi_tenancy_config": Configure.multi_tenancy(enabled=True) if multi_tenant else None,
    }


# --- records -----------------------------------------------------------------------------------------


class ChunkLike(Protocol):
    """What `article_chunks` reads from a chunker's output (`tandem.knowledge.chunking.Chunk` fits)."""

    position: int
    text: str
    content_hash: str

    @property
    def indexed_text(self) -> str: ...


def article_chunks(
    article: Article, chunker: Callable[[Article], Sequence[ChunkLike]] | None = None
) -> list[ArticleChunk]:
    """The article as Weaviate chunk records, each carrying the article's metadata.

    `chunker` defaults to the knowledge layer's heading-aware `chunk_article`, so both backends index the
    same pieces; its `indexed_text` (title and heading path, then text) is what gets embedded.
    """
    if chunker is None:
        from tandem.knowledge.chunking import chunk_article

        chunker = chunk_article
    return [
        ArticleChunk(
            article_id=article.id,
            chunk_id=chunk.position,
            title=article.title,
            text=chunk.text,
            product=article.product,
            category=article.category,
            url=article.url,
            source=article.source,
            internal=article.internal,
            content_hash=chunk.content_hash,
            embed_text=chunk.indexed_text,
        )
        for chunk in chunker(article)
    ]


def chunk_uuid(article_id: str, chunk_id: int) -> str:
    # A separator that ids do not contain, so ("a:1", 0) and ("a", "1:0") cannot collide.
    return generate_uuid5(f"{article_id}\x1f{chunk_id}", ARTICLE_COLLECTION)


def ticket_uuid(ticket_id: str) -> str:
    return generate_uuid5(ticket_id, TICKET_COLLECTION)


def chunk_properties(chunk: ArticleChunk) -> dict[str, Any]:
    """Weaviate properties of a chunk; a missing value is left out, i.e. stored as null."""
    values: dict[str, Any] = {
        "article_id": chunk.article_id,
        "chunk_id": chunk.chunk_id,
        "title": chunk.title,
        "text": chunk.text,
        "product": chunk.product,
        "category": chunk.category,
        "url": chunk.url,
        "source": chunk.source,
        "internal": chunk.internal or None,  # absent (null) reads back as public
        "content_hash": chunk.content_hash or None,
    }
    return {k: v for k, v in values.items() if v is not None}


def chunk_vector_text(chunk: ArticleChunk) -> str:
    # Every chunk is embedded with (at least) its title: a section means little without it.
    return chunk.embed_text or f"{chunk.title}\n{chunk.text}"


def ticket_properties(ticket: ResolvedTicket) -> dict[str, Any]:
    values: dict[str, Any] = {
        "ticket_id": ticket.ticket_id,
        "subject": ticket.subject,
        "body": ticket.body,
        "category": ticket.category,
        "resolution": ticket.resolution,
    }
    return {k: v for k, v in values.items() if v is not None}


def ticket_vector_text(ticket: ResolvedTicket) -> str:
    # Suites often repeat the message as subject and body; embedding it twice adds nothing.
    if ticket.body.strip().startswith(ticket.subject.strip()):
        return ticket.body
    return f"{ticket.subject}\n{ticket.body}"
