"""A Weaviate knowledge backend opened from settings for one piece of work (an ingest, an upload), closed
after it: what the CLI and the API's operator routes share."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tandem.settings import Settings

if TYPE_CHECKING:
    from tandem.adapters.weaviate_backend import WeaviateKnowledge


@contextlib.contextmanager
def weaviate(settings: Settings) -> Iterator[WeaviateKnowledge]:
    from tandem.adapters.weaviate_backend import WeaviateKnowledge
    from tandem.knowledge.embeddings import make_embedder

    backend = WeaviateKnowledge.from_settings(settings, make_embedder(settings))
    try:
        yield backend
    finally:
        backend.close()
