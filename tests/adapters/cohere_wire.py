"""A loopback HTTP server speaking the Cohere v2 wire format, because the real Cohere API is unreachable here.

Tests point the real `cohere` SDK at it (`base_url=server.base_url`), so everything from request
serialisation to response parsing and error mapping runs as it would against api.cohere.com:

* `POST /v2/embed`  -> `EmbedByTypeResponse`: deterministic hashed bag-of-words vectors, deliberately not
  unit length, of the model's real dimension (embed-v4.0: 1536, or `output_dimension`); at most 96 texts.
* `POST /v2/rerank` -> `V2RerankResponse`: relevance = share of the query's (non-stop)words in the document,
  best first (ties: lower index first), cut to `top_n`.
* `POST /v2/chat`   -> `V2ChatResponse` (non-streaming): scriptable. Queue canned replies or handlers with
  `queue_chat`, or set `chat_handler`; the default (`grounded_reply`) quotes the best-overlapping document
  and cites it, and answers without citations when no document matches. Build replies with
  `chat_response` and `cite`, which compute citation offsets from the answer text.

Every success body is checked against the SDK's pydantic response model before it is sent
(`check_wire_shape`: required fields, types, and no field the model does not declare); a mismatch is
answered with a 500 and kept in `server.shape_errors`.

Requests are recorded (`server.requests`: method, path, lower-cased headers, JSON body). Faults are
scripted per request: `fail_next(status, body, times=N)` answers the next N requests with that status,
`drop_next()` closes the connection without answering, `delay_next(seconds)` answers late.
When the server was given an `api_key`, a request without `Authorization: Bearer <key>` gets a 401.

Only `http.server` from the standard library; bound to 127.0.0.1 on an ephemeral port.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pydantic
import pytest
from cohere import EmbedByTypeResponse, V2ChatResponse, V2RerankResponse

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


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    json: Any  # the decoded body (None when there was none or it was not JSON)


@dataclass
class _Fault:
    kind: str  # "status" | "drop" | "delay"
    remaining: int
    path: str | None
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class _WireError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_DEFAULT_ERROR_MESSAGES = {
    400: "invalid request",
    401: "invalid api token",
    404: "not found",
    422: "unprocessable entity",
    429: "You are using a Trial key, which is limited to 10 API calls / minute.",
    500: "internal server error",
    503: "service unavailable",
}


class CohereWireServer:
    """The loopback Cohere v2 server; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        embed_model_dims: dict[str, int] | None = None,
        strict: bool = True,
    ) -> None:
        self.api_key = api_key
        self.embed_model_dims = dict(EMBED_MODEL_DIMS if embed_model_dims is None else embed_model_dims)
        self.strict = strict
        self.chat_handler: ChatHandler = grounded_reply
        self.shape_errors: list[str] = []
        self._requests: list[RecordedRequest] = []
        self._faults: list[_Fault] = []
        self._chat_queue: deque[dict[str, Any] | ChatHandler] = deque()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> CohereWireServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.wire = self  # type: ignore[attr-defined]
        httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._httpd = httpd
        self._port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="cohere-wire", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut open keep-alive connections: later calls get connection errors."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> CohereWireServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Stays valid after stop(), so tests can hit the closed port."""
        if self._port is None:
            raise RuntimeError("the server has not been started")
        return f"http://127.0.0.1:{self._port}"

    # -- inspection ----------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def clear(self) -> None:
        """Forget recorded requests, pending faults and queued chat replies."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            self._chat_queue.clear()
            self.shape_errors.clear()

    # -- scripting -----------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        body: Any = None,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next `times` requests (to `path`, or any) with `status` and a JSON `body`.

        The default body is Cohere's error shape, {"message": ...}; a `bytes` body is sent raw, as text/html.
        """
        if body is None:
            body = {"message": _DEFAULT_ERROR_MESSAGES.get(status, f"error {status}")}
        self._add_fault(_Fault("status", times, path, status=status, body=body, headers=dict(headers or {})))

    def drop_next(self, *, times: int = 1, path: str | None = None) -> None:
        """Close the connection of the next `times` requests without sending a response."""
        self._add_fault(_Fault("drop", times, path))

    def delay_next(self, seconds: float, *, times: int = 1, path: str | None = None) -> None:
        """Answer the next `times` requests normally, but only after `seconds`."""
        self._add_fault(_Fault("delay", times, path, delay_s=seconds))

    def queue_chat(self, *replies: dict[str, Any] | ChatHandler) -> None:
        """Answer the next chat requests, in order, with these bodies (checked now) or handler results."""
        for reply in replies:
            if not callable(reply) and self.strict:
                check_wire_shape(V2ChatResponse, reply)
        with self._lock:
            self._chat_queue.extend(replies)

    def _add_fault(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path == path:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- request handling ----------------------------------------------------------------------------

    def _track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(conn)

    def _handle(self, handler: _Handler) -> None:
        path = handler.path.split("?", 1)[0]
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self._requests.append(RecordedRequest(handler.command, path, headers, body))

        fault = self._take_fault(path)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay_s)
        elif fault is not None and fault.kind == "drop":
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        elif fault is not None:
            handler.send_json(fault.status, fault.body, fault.headers)
            return

        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            handler.send_json(401, {"message": "invalid api token"})
            return
        routes: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], type[pydantic.BaseModel]]] = {
            "/v2/embed": (self._embed, EmbedByTypeResponse),
            "/v2/rerank": (self._rerank, V2RerankResponse),
            "/v2/chat": (self._chat, V2ChatResponse),
        }
        if handler.command != "POST" or path not in routes:
            handler.send_json(404, {"message": f"no route for {handler.command} {path}"})
            return
        endpoint, model_cls = routes[path]
        try:
            if not isinstance(body, dict):
                raise _WireError(400, "invalid request: body must be a JSON object")
            payload = endpoint(body)
        except _WireError as exc:
            handler.send_json(exc.status, {"message": exc.message})
            return
        if self.strict:
            try:
                check_wire_shape(model_cls, payload)
            except WireShapeError as exc:
                with self._lock:
                    self.shape_errors.append(str(exc))
                handler.send_json(500, {"message": f"wire server: response does not match the SDK: {exc}"})
                return
        handler.send_json(200, payload)

    # -- endpoints -----------------------------------------------------------------------------------

    def _embed(self, body: dict[str, Any]) -> dict[str, Any]:
        model = _require(body, "model", str)
        input_type = _require(body, "input_type", str)
        if input_type not in INPUT_TYPES:
            raise _WireError(400, f"invalid request: input_type must be one of {sorted(INPUT_TYPES)}")
        texts = _require(body, "texts", list)
        if not texts or not all(isinstance(t, str) for t in texts):
            raise _WireError(400, "invalid request: texts must be a non-empty list of strings")
        if len(texts) > MAX_EMBED_TEXTS:
            raise _WireError(
                400,
                f"invalid request: total number of texts must be at most {MAX_EMBED_TEXTS}"
                f" - received {len(texts)}",
            )
        types = body.get("embedding_types") or ["float"]
        if types != ["float"]:
            raise _WireError(400, "wire server: only embedding_types ['float'] is implemented")
        truncate = body.get("truncate")
        if truncate is not None and truncate not in TRUNCATE_MODES:
            raise _WireError(400, f"invalid request: truncate must be one of {sorted(TRUNCATE_MODES)}")
        if model not in self.embed_model_dims:
            raise _WireError(404, f"model '{model}' not found, make sure the correct model ID was used")
        dim = self.embed_model_dims[model]
        output_dimension = body.get("output_dimension")
        if output_dimension is not None:
            if model == "embed-v4.0" and output_dimension not in EMBED_V4_OUTPUT_DIMENSIONS:
                raise _WireError(
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

    def _rerank(self, body: dict[str, Any]) -> dict[str, Any]:
        model = _require(body, "model", str)
        query = _require(body, "query", str)
        documents = _require(body, "documents", list)
        if not documents or not all(isinstance(d, str) for d in documents):
            raise _WireError(400, "invalid request: documents must be a non-empty list of strings")
        top_n = body.get("top_n")
        if top_n is not None and (not isinstance(top_n, int) or top_n < 1):
            raise _WireError(400, "invalid request: top_n must be a positive integer")
        if not model.startswith("rerank-"):
            raise _WireError(404, f"model '{model}' not found, make sure the correct model ID was used")
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

    def _chat(self, body: dict[str, Any]) -> dict[str, Any]:
        model = _require(body, "model", str)
        messages = _require(body, "messages", list)
        if not messages or not all(isinstance(m, dict) and "role" in m for m in messages):
            raise _WireError(400, "invalid request: messages must be a non-empty list of messages")
        if body.get("stream"):
            raise _WireError(400, "wire server: streaming chat is not implemented")
        if not model.startswith(("command-", "c4ai-")):
            raise _WireError(404, f"model '{model}' not found, make sure the correct model ID was used")
        request = ChatRequest(body=body, documents=_echoed_documents(body.get("documents")))
        with self._lock:
            reply = self._chat_queue.popleft() if self._chat_queue else self.chat_handler
        return reply(request) if callable(reply) else reply


def _echoed_documents(documents: Any) -> list[dict[str, Any]]:
    if documents is None:
        return []
    if not isinstance(documents, list):
        raise _WireError(400, "invalid request: documents must be a list")
    echoed = []
    for i, doc in enumerate(documents):
        if isinstance(doc, str):
            echoed.append({"id": f"doc:{i}", "text": doc})
        elif isinstance(doc, dict) and isinstance(doc.get("data"), dict):
            doc_id = doc.get("id") or f"doc:{i}"
            echoed.append({"id": doc_id, **doc["data"]})
        else:
            raise _WireError(400, f"invalid request: documents[{i}] must be a string or {{'data': {{...}}}}")
    return echoed


def _require(body: dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    if not isinstance(value, kind):
        raise _WireError(400, f"invalid request: {key} is required and must be a {kind.__name__}")
    return value


def server_fixture(api_key: str) -> Any:
    """A pytest fixture named `server`: a `CohereWireServer` that requires `api_key`, and that must have sent
    nothing but bodies in the SDK's own shapes by the end of the test. Use: `server = server_fixture(KEY)`."""

    @pytest.fixture
    def server() -> Iterator[CohereWireServer]:
        with CohereWireServer(api_key=api_key) as wire:
            yield wire
        assert not wire.shape_errors

    return server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API; stop() cuts open connections

    def setup(self) -> None:
        super().setup()
        self.server.wire._track(self.connection, True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            with contextlib.suppress(OSError):
                super().finish()
        finally:
            self.server.wire._track(self.connection, False)  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.wire._handle(self)  # type: ignore[attr-defined]

    do_GET = do_POST

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """`body` as JSON; bytes are sent as they are, as text/html (a proxy's error page, say)."""
        raw = isinstance(body, bytes)
        data = body if raw else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if raw else "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout) or the server is stopping
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass
