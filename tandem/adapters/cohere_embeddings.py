"""Cohere embeddings (v2 `/embed`) behind the knowledge layer's `Embedder` protocol.

Documents are embedded with input_type "search_document", queries with "search_query" (Cohere's
embeddings are asymmetric: mixing them up degrades retrieval). Inputs go in batches of at most 96 texts,
the API's limit per call; rows come back in input order, L2-normalised, float32.

Failures raise `CohereUnavailable` (retry later) or `CohereRequestError` (do not retry); see
`tandem.adapters.cohere_client`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import cohere
import numpy as np

from tandem.adapters.cohere_client import (
    DEFAULT_TIMEOUT_S,
    NO_RETRIES,
    CohereRequestError,
    CohereUnavailable,
    cohere_errors,
    make_cohere_client,
)

# The v2 embed endpoint accepts at most 96 texts per request.
MAX_TEXTS_PER_CALL = 96

# Output dimension of the float embeddings of Cohere's text models (v4 also offers 256/512/1024 through
# `output_dimension`). Models not listed learn their dimension from the first response.
KNOWN_DIMS: dict[str, int] = {
    "embed-v4.0": 1536,
    "embed-english-v3.0": 1024,
    "embed-multilingual-v3.0": 1024,
    "embed-english-light-v3.0": 384,
    "embed-multilingual-light-v3.0": 384,
}


class CohereEmbedder:
    """Dense embeddings from a Cohere embed model, for the embedded index and for Weaviate.

    Either pass `api_key` (and optionally `base_url`) or a ready `client` from `make_cohere_client`.
    `name` identifies the vector space (model and dimension), so an index built with one model is never
    queried with another.
    """

    def __init__(
        self,
        api_key: str | None,
        model: str = "embed-v4.0",
        base_url: str | None = None,
        client: cohere.ClientV2 | None = None,
        *,
        output_dimension: int | None = None,
        batch_size: int = MAX_TEXTS_PER_CALL,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        if not 1 <= batch_size <= MAX_TEXTS_PER_CALL:
            raise ValueError(f"batch_size must be within 1..{MAX_TEXTS_PER_CALL}, got {batch_size}")
        if client is None:
            if api_key is None:
                raise ValueError("CohereEmbedder needs an api_key or a client")
            client = make_cohere_client(api_key, base_url=base_url, timeout_s=timeout_s)
        self._client = client
        self.model = model
        self.output_dimension = output_dimension
        self.batch_size = batch_size
        self.name = f"cohere-{model}" + (f"-{output_dimension}" if output_dimension else "")
        self._dim: int | None = output_dimension or KNOWN_DIMS.get(model)
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """The embedding dimension; for a model of unknown dimension, asking before any call makes one."""
        if self._dim is None:
            self.embed_query("dimension probe")
        assert self._dim is not None
        return self._dim

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised row per text, in order; empty input makes no call."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = [
            self._embed(texts[start : start + self.batch_size], "search_document")
            for start in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(batches, axis=0)

    def embed_query(self, text: str) -> np.ndarray:
        """One normalised vector (1-D) for a search query."""
        return self._embed([text], "search_query")[0]

    def _embed(self, texts: list[str], input_type: str) -> np.ndarray:
        operation = f"embed ({self.model}, {input_type})"
        kwargs = {"output_dimension": self.output_dimension} if self.output_dimension else {}
        with cohere_errors(operation):
            response = self._client.embed(
                model=self.model,
                input_type=input_type,
                texts=texts,
                embedding_types=["float"],
                truncate="END",
                request_options=NO_RETRIES,
                **kwargs,
            )
        embeddings = getattr(response, "embeddings", None)
        floats = getattr(embeddings, "float_", None) if embeddings is not None else None
        if floats is None or len(floats) != len(texts):
            got = "no float embeddings" if floats is None else f"{len(floats)} embeddings"
            raise CohereUnavailable(
                f"Cohere {operation}: {got} for {len(texts)} texts", operation=operation, status_code=200
            )
        try:
            vectors = np.asarray(floats, dtype=np.float32)
        except (TypeError, ValueError) as exc:  # ragged rows or non-numbers
            raise CohereUnavailable(
                f"Cohere {operation}: malformed embeddings ({exc})", operation=operation, status_code=200
            ) from exc
        if vectors.ndim != 2 or not np.isfinite(vectors).all():
            raise CohereUnavailable(
                f"Cohere {operation}: malformed embeddings", operation=operation, status_code=200
            )
        self._check_dim(vectors.shape[1], operation)
        return _normalize_rows(vectors)

    def _check_dim(self, got: int, operation: str) -> None:
        with self._lock:
            if self._dim is None:
                self._dim = got
                return
        if got != self._dim:
            # Deterministic (model or output_dimension mismatch): retrying cannot fix it.
            raise CohereRequestError(
                f"Cohere {operation}: expected {self._dim}-dimensional embeddings, got {got}",
                operation=operation,
                status_code=200,
            )


def _normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows scaled to unit length; an all-zero row stays zero instead of NaN."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
