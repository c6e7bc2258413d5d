"""Mirror what `tandem ingest` wrote to the store (the system of record) into Weaviate's collections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tandem.adapters.weaviate_schema import ArticleChunk, article_chunks
from tandem.knowledge.approved import APPROVED_SOURCE
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


def mirror_answers(store: TicketStore, backend: ArticleMirror) -> tuple[int, int]:
    """Make Weaviate hold exactly the active approved answers (tandem.store.answers): each approve,
    withdraw or listing calls it, which also removes those expired since. Returns (written, deleted)."""
    every = store.approved_answers(include_inactive=True)
    active = store.list_articles(source=APPROVED_SOURCE)
    written = backend.import_articles(chunk for article in active for chunk in article_chunks(article))
    gone = {f"answer/{a.answer_id}" for a in every} - {a.id for a in active}
    return written, backend.delete_articles(gone) if gone else 0
