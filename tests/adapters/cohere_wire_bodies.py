"""What the loopback Cohere server (tests/adapters/cohere_wire.py) says: embedding vectors, rerank scores,
chat replies with citations, and the check that every body it sends matches the SDK's response model."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic

# Float-embedding dimensions of Cohere's text embed models (the API's, not the adapter's, view).
EMBED_MODEL_DIMS: dict[str, int] = {
    "embed-v4.0": 1536,
    "embed-english-v3.0": 1024,
    "embed-multilingual-v3.0": 1024,
    "embed-english-light-v3.0": 384,
    "embed-multilingual-light-v3.0": 384,
}
EMBED_V4_OUTPUT_DIMENSIONS = frozenset({256, 512, 1024, 1536})
MAX_EMBED_TEXTS = 96
INPUT_TYPES = frozenset({"search_document", "search_query", "classification", "clustering", "image"})
TRUNCATE_MODES = frozenset({"NONE", "START", "END"})
# Scale applied to every embedding so that clients must normalise (Cohere does not promise unit vectors).
EMBED_SCALE = 3.0

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens, the unit of every scoring rule here."""
    return _WORD.findall(text.lower())


def embed_vector(text: str, dim: int) -> list[float]:
    """The server's embedding of `text`: a signed hashed bag of words, times EMBED_SCALE (not unit length).

    Texts with no word give the zero vector.
    """
    vector = [0.0] * dim
    for word in words(text):
        digest = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        vector[digest % dim] += EMBED_SCALE if (digest >> 40) & 1 else -EMBED_SCALE
    return vector


# Ignored by `overlap_score`, so that "what is the weather" does not match every document with an "is".
_STOPWORD_TEXT = """
a an the is are am was be to of in on at by for from and or not my your our i you we me it its
do does did how what when where why which who can could with this that there
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def overlap_score(query: str, document: str) -> float:
    """Relevance in [0, 1]: the share of the query's distinct non-stopwords that occur in the document.

    Rerank scores with it, and the default chat handler picks the document to cite with it.
    """
    query_words = set(words(query)) - STOPWORDS
    if not query_words:
        return 0.0
    return round(len(query_words & set(words(document))) / len(query_words), 6)


# ----------------------------------------------------------------------------------------------------
# Strict response-shape check against the SDK's models.


class WireShapeError(AssertionError):
    """A response body does not match the SDK's pydantic model."""


def check_wire_shape(model_cls: type[pydantic.BaseModel], payload: Any) -> pydantic.BaseModel:
    """Validate `payload` with `model_cls` and reject fields the models do not declare.

    The SDK's models accept unknown fields (extra="allow") and the SDK itself parses leniently, so a
    misspelt key would otherwise pass silently; here it fails.
    """
    try:
        parsed = model_cls.model_validate(payload)
    except pydantic.ValidationError as exc:
        raise WireShapeError(f"{model_cls.__name__}: {exc}") from exc
    extras = list(_undeclared_fields(parsed, model_cls.__name__))
    if extras:
        raise WireShapeError(f"{model_cls.__name__}: undeclared fields {extras}")
    return parsed


def _undeclared_fields(value: Any, where: str) -> Iterator[str]:
    if isinstance(value, pydantic.BaseModel):
        for key in value.model_extra or {}:
            yield f"{where}.{key}"
        for name in type(value).model_fields:
            yield from _undeclared_fields(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _undeclared_fields(item, f"{where}[{i}]")


# ----------------------------------------------------------------------------------------------------
# Chat: request view, reply builders, default handler.


@dataclass(frozen=True)
class ChatRequest:
    """A `/v2/chat` request as a handler sees it."""

    body: dict[str, Any]
    # Documents as the API echoes them in citation sources: {"id": ..., **data}. A document without an id
    # gets "doc:<position>" (as the API does); a plain-string document becomes {"id": ..., "text": str}
    # (an assumption: Cohere documents strings as "content", not how they are echoed).
    documents: list[dict[str, Any]]

    @property
    def model(self) -> str:
        return self.body["model"]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body["messages"]

    @property
    def user_text(self) -> str:
        """The text of the last user message ("" if none)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return message_text(message)
        return ""

    @property
    def system_text(self) -> str:
        return "\n".join(message_text(m) for m in self.messages if m.get("role") == "system")

    def document(self, doc_id: str) -> dict[str, Any]:
        for doc in self.documents:
            if doc["id"] == doc_id:
                return doc
        raise KeyError(f"no document {doc_id!r} in the request (have {[d['id'] for d in self.documents]})")


ChatHandler = Callable[[ChatRequest], dict[str, Any]]


def message_text(message: dict[str, Any]) -> str:
    """The text of a v2 message whose content is a string or a list of {"type": "text", "text": ...}."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def document_text(document: dict[str, Any]) -> str:
    """All string fields of an echoed document but its id, joined: what the model would read."""
    return "\n".join(v for k, v in document.items() if k != "id" and isinstance(v, str))


def document_source(document: dict[str, Any]) -> dict[str, Any]:
    """A citation source for an echoed document: {"type": "document", "id", "document"}."""
    return {"type": "document", "id": document["id"], "document": dict(document)}


def cite(
    answer: str, quote: str, documents: Sequence[dict[str, Any]], *, occurrence: int = 0
) -> dict[str, Any]:
    """A citation of `quote` (which must occur in `answer`) to the given echoed documents.

    start/end are character offsets into the answer text (end exclusive), as the API sends them.
    """
    start = -1
    for _ in range(occurrence + 1):
        start = answer.find(quote, start + 1)
        if start < 0:
            raise ValueError(f"{quote!r} does not occur {occurrence + 1} time(s) in the answer")
    return {
        "start": start,
        "end": start + len(quote),
        "text": quote,
        "sources": [document_source(doc) for doc in documents],
        "type": "TEXT_CONTENT",
    }


def chat_response(
    text: str,
    *,
    citations: Sequence[dict[str, Any]] = (),
    finish_reason: str = "COMPLETE",
    response_id: str | None = None,
    input_tokens: int = 0,
) -> dict[str, Any]:
    """A `V2ChatResponse` body with one text content block; no `citations` key when there are none."""
    message: dict[str, Any] = {"role": "assistant", "content": [{"type": "text", "text": text}]}
    if citations:
        message["citations"] = list(citations)
    output_tokens = len(words(text))
    return {
        "id": response_id or str(uuid.uuid4()),
        "finish_reason": finish_reason,
        "message": message,
        "usage": {
            "billed_units": {"input_tokens": input_tokens, "output_tokens": output_tokens},
            "tokens": {"input_tokens": input_tokens + 40, "output_tokens": output_tokens},
        },
    }


NO_ANSWER = "I could not find this in the provided documents."


def grounded_reply(request: ChatRequest) -> dict[str, Any]:
    """Default chat behaviour: quote the first sentence of the best-overlapping document and cite it.

    The quote comes from the document's snippet/text/content/body field, else from all its string fields.

    No documents, or none sharing a word with the question: NO_ANSWER without citations.
    """
    tokens = len(words(request.user_text)) + sum(len(words(document_text(d))) for d in request.documents)
    scored = [
        (overlap_score(request.user_text, document_text(doc)), i) for i, doc in enumerate(request.documents)
    ]
    best = max(scored, key=lambda s: (s[0], -s[1]), default=(0.0, -1))
    if best[0] <= 0:
        return chat_response(NO_ANSWER, input_tokens=tokens)
    document = request.documents[best[1]]
    body = next((document[k] for k in _BODY_FIELDS if isinstance(document.get(k), str)), None)
    quote = _first_sentence(body or document_text(document))
    answer = f"According to our help center: {quote}"
    return chat_response(answer, citations=[cite(answer, quote, [document])], input_tokens=tokens)


_BODY_FIELDS = ("snippet", "text", "content", "body")


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.search(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


# ----------------------------------------------------------------------------------------------------
# The server.
