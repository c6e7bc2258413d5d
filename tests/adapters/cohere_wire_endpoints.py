"""The endpoints of the loopback Cohere server (tests/adapters/cohere_wire.py): each request body checked as
the API checks it, and the body it answers with."""

from __future__ import annotations

import uuid
from typing import Any

from tests.adapters.cohere_wire_bodies import (
    EMBED_V4_OUTPUT_DIMENSIONS,
    INPUT_TYPES,
    MAX_EMBED_TEXTS,
    TRUNCATE_MODES,
    ChatRequest,
    embed_vector,
    overlap_score,
    words,
)


class WireError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def embed_body(body: dict[str, Any], model_dims: dict[str, int]) -> dict[str, Any]:
    """The `/v2/embed` answer to a request body (`WireError` for one the API would refuse)."""
    model = _require(body, "model", str)
    input_type = _require(body, "input_type", str)
    if input_type not in INPUT_TYPES:
        raise WireError(400, f"invalid request: input_type must be one of {sorted(INPUT_TYPES)}")
    texts = _require(body, "texts", list)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise WireError(400, "invalid request: texts must be a non-empty list of strings")
    if len(texts) > MAX_EMBED_TEXTS:
        raise WireError(
            400,
            f"invalid request: total number of texts must be at most {MAX_EMBED_TEXTS}"
            f" - received {len(texts)}",
        )
    types = body.get("embedding_types") or ["float"]
    if types != ["float"]:
        raise WireError(400, "wire server: only embedding_types ['float'] is implemented")
    truncate = body.get("truncate")
    if truncate is not None and truncate not in TRUNCATE_MODES:
        raise WireError(400, f"invalid request: truncate must be one of {sorted(TRUNCATE_MODES)}")
    if model not in model_dims:
        raise WireError(404, f"model '{model}' not found, make sure the correct model ID was used")
    dim = model_dims[model]
    output_dimension = body.get("output_dimension")
    if output_dimension is not None:
        if model == "embed-v4.0" and output_dimension not in EMBED_V4_OUTPUT_DIMENSIONS:
            raise WireError(
                400,
                f"invalid request: output_dimension must be one of {sorted(EMBED_V4_OUTPUT_DIMENSIONS)}",
            )
        dim = int(output_dimension)
    return {
        "id": str(uuid.uuid4()),
        "embeddings": {"float": [embed_vector(t, dim) for t in texts]},
        "texts": list(texts),
        "meta": {
            "api_version": {"version": "2"},
            "billed_units": {"input_tokens": sum(len(words(t)) for t in texts)},
        },
        "response_type": "embeddings_by_type",
    }


def rerank_body(body: dict[str, Any]) -> dict[str, Any]:
    """The `/v2/rerank` answer to a request body."""
    model = _require(body, "model", str)
    query = _require(body, "query", str)
    documents = _require(body, "documents", list)
    if not documents or not all(isinstance(d, str) for d in documents):
        raise WireError(400, "invalid request: documents must be a non-empty list of strings")
    top_n = body.get("top_n")
    if top_n is not None and (not isinstance(top_n, int) or top_n < 1):
        raise WireError(400, "invalid request: top_n must be a positive integer")
    if not model.startswith("rerank-"):
        raise WireError(404, f"model '{model}' not found, make sure the correct model ID was used")
    scored = sorted(
        ((overlap_score(query, doc), i) for i, doc in enumerate(documents)), key=lambda s: (-s[0], s[1])
    )
    if top_n is not None:
        scored = scored[:top_n]
    return {
        "id": str(uuid.uuid4()),
        "results": [{"index": i, "relevance_score": score} for score, i in scored],
        "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}},
    }


def chat_request(body: dict[str, Any]) -> ChatRequest:
    """A `/v2/chat` request body, checked as the API checks it."""
    model = _require(body, "model", str)
    messages = _require(body, "messages", list)
    if not messages or not all(isinstance(m, dict) and "role" in m for m in messages):
        raise WireError(400, "invalid request: messages must be a non-empty list of messages")
    if body.get("stream"):
        raise WireError(400, "wire server: streaming chat is not implemented")
    if not model.startswith(("command-", "c4ai-")):
        raise WireError(404, f"model '{model}' not found, make sure the correct model ID was used")
    return ChatRequest(body=body, documents=_echoed_documents(body.get("documents")))


def _echoed_documents(documents: Any) -> list[dict[str, Any]]:
    if documents is None:
        return []
    if not isinstance(documents, list):
        raise WireError(400, "invalid request: documents must be a list")
    echoed = []
    for i, doc in enumerate(documents):
        if isinstance(doc, str):
            echoed.append({"id": f"doc:{i}", "text": doc})
        elif isinstance(doc, dict) and isinstance(doc.get("data"), dict):
            doc_id = doc.get("id") or f"doc:{i}"
            echoed.append({"id": doc_id, **doc["data"]})
        else:
            raise WireError(400, f"invalid request: documents[{i}] must be a string or {{'data': {{...}}}}")
    return echoed


def _require(body: dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    if not isinstance(value, kind):
        raise WireError(400, f"invalid request: {key} is required and must be a {kind.__name__}")
    return value
