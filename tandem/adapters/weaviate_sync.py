"""Mirror what `tandem ingest` wrote to the store (the system of record) into Weaviate's collections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tandem.adapters.weaviate_schema import ArticleChunk, article_chunks
from tandem.knowledge.documents import ResolvedTicket
from tandem.store import TicketStore


class ArticleMirror(Protocol):
    def import_articles(self, chunks: Iterable[ArticleChunk]) -> int: ...

    def delete_articles(self, article_ids: Iterable[str]) -> int: ...

    def import_tickets(self, tickets: Iterable[ResolvedTicket]) -> int: ...


def mirror_source(
    store: TicketStore, backend: ArticleMirror, source: str, before: set[str]
) -> tuple[int, int]:
    """Write the source's articles as they now are, and delete those the sync removed.

    `before`: the source's article ids before the sync. Returns (chunks written, chunks deleted).
    """
    current = store.list_articles(source=source)
    written = backend.import_articles(chunk for article in current for chunk in article_chunks(article))
    removed = before - {article.id for article in current}
    deleted = backend.delete_articles(removed) if removed else 0
    return written, deleted
