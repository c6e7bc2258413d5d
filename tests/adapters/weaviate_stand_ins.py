"""Stand-ins for the Weaviate backend's collaborators in tests without a server: an embedder that returns one
fixed vector, and a client whose collections record each hybrid query and the tenant it went through."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np


class FixedEmbedder:
    """Every text is the same unit vector: enough where only the wiring is under test."""

    name = "fixed"
    dim = 2

    def embed_documents(self, texts: Any) -> np.ndarray:
        return np.tile(np.asarray([[0.6, 0.8]], dtype=np.float32), (len(texts), 1))

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray([0.6, 0.8], dtype=np.float32)


@dataclass
class RecordingCollection:
    name: str
    results: list[Any] = field(default_factory=list)
    tenant: str | None = None
    calls: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)

    def with_tenant(self, tenant: str) -> RecordingCollection:
        scoped = RecordingCollection(self.name, self.results, tenant, self.calls)
        return scoped

    @property
    def query(self) -> RecordingCollection:
        return self

    def hybrid(self, **kwargs: Any) -> Any:
        self.calls.append((self.tenant, kwargs))
        return SimpleNamespace(objects=self.results)


class RecordingClient:
    def __init__(self) -> None:
        self.made: dict[str, RecordingCollection] = {}
        self.collections = self

    def get(self, name: str) -> RecordingCollection:
        return self.made.setdefault(name, RecordingCollection(name))
