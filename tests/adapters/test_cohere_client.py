"""The Cohere client factory and error translation, through the REAL `cohere` SDK against the loopback
server in `cohere_wire` (which speaks Cohere's v2 wire format; the real API is unreachable here).

What is proved: the SDK sends exactly one HTTP request per call (its retries are off), errors split into
retryable `CohereUnavailable` and non-retryable `CohereRequestError`, the API key travels as a bearer token,
and a stopped server, a dropped connection or a slow answer surface as `CohereUnavailable`.
"""

from __future__ import annotations

from datetime import timedelta

import cohere
import pytest
from cohere.core import http_client as sdk_http

from tandem.adapters.cohere_client import (
    NO_RETRIES,
    CohereError,
    CohereRequestError,
    CohereUnavailable,
    cohere_errors,
    make_cohere_client,
    to_application_error,
)
from tandem.adapters.cohere_embeddings import CohereEmbedder
from tandem.adapters.cohere_rerank import CohereReranker
from tests.adapters.cohere_wire import CohereWireServer, server_fixture

API_KEY = "test-key-123"


server = server_fixture(API_KEY)


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records every back-off the SDK computes before a retry (there must be none)."""
    calls: list[float] = []

    def spy(original):
        def wrapper(*args, **kwargs):
            delay = original(*args, **kwargs)
            calls.append(delay)
            return delay

        return wrapper

    for name in ("_retry_timeout", "_retry_timeout_from_retries"):
        if hasattr(sdk_http, name):
            monkeypatch.setattr(sdk_http, name, spy(getattr(sdk_http, name)))
    return calls


def _embedder(server: CohereWireServer, **kwargs) -> CohereEmbedder:
    return CohereEmbedder(API_KEY, base_url=server.base_url, **kwargs)


def test_the_harness_would_see_sdk_retries(server: CohereWireServer, retry_sleeps: list[float]) -> None:
    """Control: a default SDK client retries a 503 (here after 1 ms); the server and the spy both see it."""
    server.fail_next(503, headers={"retry-after-ms": "1"})
    client = cohere.ClientV2(API_KEY, base_url=server.base_url)
    client.rerank(model="rerank-v3.5", query="card", documents=["card"])
    assert len(server.requests_to("/v2/rerank")) == 2
    assert retry_sleeps == [0.001]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_retryable_after_one_request(
    server: CohereWireServer, retry_sleeps: list[float], status: int
) -> None:
    server.fail_next(status, times=5)
    with pytest.raises(CohereUnavailable) as caught:
        _embedder(server).embed_query("where is my card")
    assert caught.value.status_code == status
    assert caught.value.retryable
    assert len(server.requests) == 1
    assert retry_sleeps == []


def test_429_carries_retry_after(server: CohereWireServer) -> None:
    server.fail_next(429, {"message": "too many requests"}, headers={"Retry-After": "7"})
    with pytest.raises(CohereUnavailable) as caught:
        CohereReranker(API_KEY, base_url=server.base_url).rerank("card", ["card", "loan"], top_n=1)
    assert caught.value.retry_after_s == 7.0
    assert "HTTP 429" in str(caught.value) and "too many requests" in str(caught.value)
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_client_errors_are_not_retryable(
    server: CohereWireServer, retry_sleeps: list[float], status: int
) -> None:
    server.fail_next(status, {"message": f"nope {status}"})
    with pytest.raises(CohereRequestError) as caught:
        _embedder(server).embed_documents(["a", "b"])
    assert caught.value.status_code == status
    assert not caught.value.retryable
    assert f"nope {status}" in str(caught.value)
    assert len(server.requests) == 1
    assert retry_sleeps == []


def test_validation_error_from_the_server_is_a_request_error(server: CohereWireServer) -> None:
    """Not a scripted fault: the server itself rejects the request (unknown input_type)."""
    client = make_cohere_client(API_KEY, base_url=server.base_url)
    with pytest.raises(CohereRequestError) as caught, cohere_errors("embed"):
        client.embed(model="embed-v4.0", input_type="nonsense", texts=["a"], embedding_types=["float"])  # type: ignore[arg-type]
    assert caught.value.status_code == 400
    assert "input_type" in str(caught.value)


def test_client_level_setting_alone_disables_retries(server: CohereWireServer) -> None:
    """Even a call that forgets request_options=NO_RETRIES is sent once (ClientV2(max_retries=0))."""
    server.fail_next(500, times=3)
    client = make_cohere_client(API_KEY, base_url=server.base_url)
    with pytest.raises(CohereUnavailable), cohere_errors("chat"):
        client.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])
    assert len(server.requests) == 1


def test_api_key_travels_as_bearer_token(server: CohereWireServer) -> None:
    _embedder(server).embed_query("hello")
    (request,) = server.requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["x-client-name"] == "tandem"
    assert request.headers["content-type"] == "application/json"


def test_wrong_api_key_is_a_request_error(server: CohereWireServer) -> None:
    with pytest.raises(CohereRequestError) as caught:
        CohereEmbedder("wrong-key", base_url=server.base_url).embed_query("hello")
    assert caught.value.status_code == 401
    assert "wrong-key" not in str(caught.value)


def test_connection_refused_is_unavailable(retry_sleeps: list[float]) -> None:
    server = CohereWireServer(api_key=API_KEY).start()
    embedder = _embedder(server)
    embedder.embed_query("warm up a keep-alive connection")
    server.stop()
    fresh = _embedder(server)  # nothing pooled: a plain refused connect
    for target in (embedder, fresh):
        with pytest.raises(CohereUnavailable) as caught:
            target.embed_query("hello")
        assert caught.value.status_code is None
    assert retry_sleeps == []  # the SDK's back-off never ran: no retry


def test_dropped_connection_is_unavailable(server: CohereWireServer, retry_sleeps: list[float]) -> None:
    server.drop_next()
    with pytest.raises(CohereUnavailable) as caught:
        CohereReranker(API_KEY, base_url=server.base_url).rerank("card", ["card"], top_n=1)
    assert "RemoteProtocolError" in str(caught.value)
    assert len(server.requests) == 1
    assert retry_sleeps == []


def test_timeout_is_unavailable(server: CohereWireServer) -> None:
    server.delay_next(2.0)
    embedder = _embedder(server, timeout_s=0.2)
    with pytest.raises(CohereUnavailable) as caught:
        embedder.embed_query("slow")
    assert "Timeout" in str(caught.value)
    assert len(server.requests) == 1


def test_bad_base_url_scheme_is_a_request_error() -> None:
    with pytest.raises(CohereRequestError):
        CohereEmbedder(API_KEY, base_url="ftp://127.0.0.1:9").embed_query("hello")


def test_unrelated_exceptions_pass_through() -> None:
    with pytest.raises(KeyError), cohere_errors("embed"):
        raise KeyError("not Cohere's")


def test_factory_refuses_a_missing_key_and_a_bad_timeout() -> None:
    with pytest.raises(ValueError):
        make_cohere_client(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        make_cohere_client(API_KEY, timeout_s=0)


def test_no_retries_option_shape() -> None:
    assert NO_RETRIES == {"max_retries": 0}


@pytest.mark.parametrize(
    ("error", "non_retryable", "delay"),
    [
        (CohereUnavailable("throttled", operation="embed", status_code=429, retry_after_s=3), False, 3),
        (CohereUnavailable("down", operation="embed", status_code=503), False, None),
        (CohereRequestError("bad", operation="rerank", status_code=400), True, None),
    ],
)
def test_application_error_mapping(error: CohereError, non_retryable: bool, delay: float | None) -> None:
    app_error = to_application_error(error)
    assert app_error.non_retryable is non_retryable
    assert app_error.type == type(error).__name__
    assert app_error.message == str(error)
    assert app_error.next_retry_delay == (timedelta(seconds=delay) if delay else None)


def test_proxy_page_with_200_is_unavailable(server: CohereWireServer) -> None:
    server.fail_next(200, b"<html>gateway hiccup</html>")
    with pytest.raises(CohereUnavailable) as caught:
        _embedder(server).embed_query("hello")
    assert caught.value.status_code == 200 and "gateway hiccup" in str(caught.value)


def test_html_error_page_keeps_its_status_class(server: CohereWireServer) -> None:
    server.fail_next(502, b"<html>bad gateway</html>")
    with pytest.raises(CohereUnavailable):
        _embedder(server).embed_query("hello")
    server.fail_next(403, b"<html>forbidden by proxy</html>")
    with pytest.raises(CohereRequestError):
        _embedder(server).embed_query("hello")
