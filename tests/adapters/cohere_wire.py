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

Only `http.server` from the standard library; bound to 127.0.0.1 on an ephemeral port. The bodies it answers
with and the shape check live in cohere_wire_bodies.py, each endpoint's request checks in
cohere_wire_endpoints.py.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pydantic
import pytest
from cohere import EmbedByTypeResponse, V2ChatResponse, V2RerankResponse

from tests.adapters.cohere_wire_bodies import (
    EMBED_MODEL_DIMS,
    ChatHandler,
    WireShapeError,
    check_wire_shape,
    grounded_reply,
)
from tests.adapters.cohere_wire_endpoints import WireError, chat_request, embed_body, rerank_body


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
            "/v2/embed": (lambda body: embed_body(body, self.embed_model_dims), EmbedByTypeResponse),
            "/v2/rerank": (rerank_body, V2RerankResponse),
            "/v2/chat": (self._chat, V2ChatResponse),
        }
        if handler.command != "POST" or path not in routes:
            handler.send_json(404, {"message": f"no route for {handler.command} {path}"})
            return
        endpoint, model_cls = routes[path]
        try:
            if not isinstance(body, dict):
                raise WireError(400, "invalid request: body must be a JSON object")
            payload = endpoint(body)
        except WireError as exc:
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

    def _chat(self, body: dict[str, Any]) -> dict[str, Any]:
        request = chat_request(body)
        with self._lock:
            reply = self._chat_queue.popleft() if self._chat_queue else self.chat_handler
        return reply(request) if callable(reply) else reply


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
