"""A Weaviate knowledge backend opened from settings for one piece of work (an ingest, an upload), closed
after it: what the CLI and the API's operator routes share."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tandem.settings import Settings

if TYPE_CHECKING:
    from tandem.adapters.weaviate_backend import WeaviateKnowledge
    from tandem.store import TicketStore


@contextlib.contextmanager
def weaviate(settings: Settings) -> Iterator[WeaviateKnowledge]:
    from tandem.adapters.weaviate_backend import WeaviateKnowledge
    from tandem.knowledge.embeddings import make_embedder

    backend = WeaviateKnowledge.from_settings(settings, make_embedder(settings))
    try:
        yield backend
    finally:
        backend.close()


def mirror_answers_if_weaviate(settings: Settings, store: TicketStore) -> tuple[int, int] | None:
    """With Weaviate as the knowledge backend, make it hold exactly the active approved answers (replies also
    check the store before quoting one, so this keeps search results tidy); (written, deleted), or None."""
    if settings.knowledge_backend != "weaviate":
        return None
    from tandem.adapters.weaviate_sync import mirror_answers

    with weaviate(settings) as backend:
        return mirror_answers(store, backend)
