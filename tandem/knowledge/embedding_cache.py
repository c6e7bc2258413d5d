"""Embeddings persisted by content hash, so re-indexing embeds only new or changed chunks and tickets.

One `.npz` file per index kind and embedder under the index directory (a different model never reuses
another's vectors). Writes go to a temporary file then `os.replace`, so a crash never leaves half a file;
an unreadable or mismatched file is treated as empty (everything is embedded again, nothing breaks).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tandem.knowledge.interfaces import Embedder

log = logging.getLogger(__name__)


class EmbeddingCache:
    def __init__(self, path: Path | None, model: str, dim: int) -> None:
        self.path = path
        self.model = model
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            self._read(path)

    @classmethod
    def for_index(cls, index_dir: Path | None, kind: str, embedder: Embedder) -> EmbeddingCache:
        """The cache file of one index kind ("articles", "tickets") for this embedder (memory if no dir)."""
        if index_dir is None:
            return cls(None, embedder.name, embedder.dim)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder.name)
        return cls(Path(index_dir) / f"{kind}-{safe}.npz", embedder.name, embedder.dim)

    def __len__(self) -> int:
        return len(self._vectors)

    def vectors(
        self, hashes: Sequence[str], texts: Sequence[str], embedder: Embedder
    ) -> tuple[np.ndarray, int]:
        """One row per hash, embedding only the texts whose hash is not cached; returns (matrix, embedded)."""
        missing = [i for i, h in enumerate(hashes) if h not in self._vectors]
        if missing:
            # Identical texts (repeated tickets, shared boilerplate chunks) are embedded once.
            unique: dict[str, int] = {}
            for i in missing:
                unique.setdefault(hashes[i], i)
            fresh = embedder.embed_documents([texts[i] for i in unique.values()])
            for h, row in zip(unique, fresh, strict=True):
                self._vectors[h] = np.asarray(row, dtype=np.float32)
        matrix = np.zeros((len(hashes), self.dim), dtype=np.float32)
        for i, h in enumerate(hashes):
            matrix[i] = self._vectors[h]
        return matrix, len({hashes[i] for i in missing})

    def save(self, keep: Sequence[str]) -> None:
        """Write the vectors of `keep` (the current index) and forget the rest: the file never grows stale."""
        wanted = [h for h in dict.fromkeys(keep) if h in self._vectors]
        self._vectors = {h: self._vectors[h] for h in wanted}
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        matrix = (
            np.stack([self._vectors[h] for h in wanted]) if wanted else np.zeros((0, self.dim), np.float32)
        )
        fd, tmp = tempfile.mkstemp(prefix=self.path.stem, suffix=".tmp.npz", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    hashes=np.asarray(wanted, dtype=str),
                    vectors=matrix.astype(np.float32),
                    model=np.asarray(self.model),
                    dim=np.asarray(self.dim),
                )
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["model"]) != self.model or int(data["dim"]) != self.dim:
                    return
                hashes, vectors = data["hashes"], data["vectors"]
                self._vectors = {str(h): vectors[i] for i, h in enumerate(hashes)}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
            self._vectors = {}
