"""Cohere rerank (v2 `/rerank`) behind the knowledge layer's `Reranker` protocol.

Returns (index into `passages`, relevance score in [0, 1]) best first, at most `top_n` of them.
Failures raise `CohereUnavailable` (retry later) or `CohereRequestError` (do not retry); see
`tandem.adapters.cohere_client`.
"""

from __future__ import annotations

from collections.abc import Sequence

import cohere

from tandem.adapters.cohere_client import (
    DEFAULT_TIMEOUT_S,
    NO_RETRIES,
    CohereUnavailable,
    cohere_errors,
    make_cohere_client,
)


class CohereReranker:
    """Re-scores candidate passages for a query with a Cohere rerank model (one request per call).

    Either pass `api_key` (and optionally `base_url`) or a ready `client` from `make_cohere_client`.
    Cohere recommends at most 1,000 documents per request; retrieval hands over far fewer.
    """

    def __init__(
        self,
        api_key: str | None,
        model: str = "rerank-v3.5",
        base_url: str | None = None,
        client: cohere.ClientV2 | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        if client is None:
            if api_key is None:
                raise ValueError("CohereReranker needs an api_key or a client")
            client = make_cohere_client(api_key, base_url=base_url, timeout_s=timeout_s)
        self._client = client
        self.model = model

    def rerank(self, query: str, passages: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        passages = list(passages)
        top_n = min(top_n, len(passages))
        if top_n <= 0:
            return []
        operation = f"rerank ({self.model})"
        with cohere_errors(operation):
            response = self._client.rerank(
                model=self.model,
                query=query,
                documents=passages,
                top_n=top_n,
                request_options=NO_RETRIES,
            )
        results = getattr(response, "results", None)
        if results is None:
            raise CohereUnavailable(
                f"Cohere {operation}: response without results", operation=operation, status_code=200
            )
        ranked: list[tuple[int, float]] = []
        for result in results:
            if not 0 <= result.index < len(passages):
                raise CohereUnavailable(
                    f"Cohere {operation}: result index {result.index} outside 0..{len(passages) - 1}",
                    operation=operation,
                    status_code=200,
                )
            ranked.append((int(result.index), float(result.relevance_score)))
        # The API answers best first; sorting (stable) keeps that promise even if it ever did not.
        ranked.sort(key=lambda item: item[1], reverse=True)
        return ranked[:top_n]
