"""`CohereEmbedder`, through the REAL `cohere` SDK against the loopback server in `cohere_wire` (which speaks
Cohere's v2 wire format and returns deterministic hashed bag-of-words vectors; the real API is unreachable
here): request bodies, input types, normalisation, order, batching at 96 texts, and dimensions.
"""

from __future__ import annotations

import numpy as np
import pytest

from tandem.adapters.cohere_client import CohereRequestError, CohereUnavailable, make_cohere_client
from tandem.adapters.cohere_embeddings import MAX_TEXTS_PER_CALL, CohereEmbedder
from tests.adapters.cohere_wire import CohereWireServer, server_fixture
from tests.adapters.cohere_wire_bodies import embed_vector

API_KEY = "embed-key"


server = server_fixture(API_KEY)


def _unit(vector: list[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float64)
    return v / np.linalg.norm(v)


def test_documents_request_body(server: CohereWireServer) -> None:
    CohereEmbedder(API_KEY, base_url=server.base_url).embed_documents(["Reset my PIN", "Card blocked"])
    (request,) = server.requests
    assert request.method == "POST" and request.path == "/v2/embed"
    assert request.json == {
        "model": "embed-v4.0",
        "input_type": "search_document",
        "texts": ["Reset my PIN", "Card blocked"],
        "embedding_types": ["float"],
        "truncate": "END",
    }


def test_query_request_body_and_shape(server: CohereWireServer) -> None:
    embedder = CohereEmbedder(API_KEY, "embed-multilingual-v3.0", base_url=server.base_url)
    vector = embedder.embed_query("how do I reset my PIN?")
    (request,) = server.requests
    assert request.json["model"] == "embed-multilingual-v3.0"
    assert request.json["input_type"] == "search_query"
    assert request.json["texts"] == ["how do I reset my PIN?"]
    assert vector.shape == (1024,) and vector.dtype == np.float32
    assert embedder.dim == 1024


def test_rows_are_normalised_and_in_input_order(server: CohereWireServer) -> None:
    texts = ["freeze my card", "open a savings account", "card card card", "transfer limits abroad"]
    rows = CohereEmbedder(API_KEY, base_url=server.base_url).embed_documents(texts)
    assert rows.shape == (4, 1536) and rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-6)
    # The server's raw vectors are 3x longer than unit: the rows are the normalised server vectors, in order.
    assert np.linalg.norm(embed_vector(texts[2], 1536)) > 2
    for row, text in zip(rows, texts, strict=True):
        np.testing.assert_allclose(row, _unit(embed_vector(text, 1536)), rtol=1e-5, atol=1e-7)


def test_query_matches_its_document_twin(server: CohereWireServer) -> None:
    embedder = CohereEmbedder(API_KEY, base_url=server.base_url)
    docs = embedder.embed_documents(["lost card", "mortgage rates", "lost my card abroad"])
    query = embedder.embed_query("I lost my card")
    scores = docs @ query
    assert int(np.argmax(scores)) == 2
    assert scores[2] > scores[0] > scores[1]


def test_large_inputs_are_batched_at_the_api_limit(server: CohereWireServer) -> None:
    texts = [f"ticket number {i} about card {i % 7}" for i in range(200)]
    rows = CohereEmbedder(API_KEY, base_url=server.base_url).embed_documents(texts)
    sent = [r.json["texts"] for r in server.requests_to("/v2/embed")]
    assert [len(batch) for batch in sent] == [MAX_TEXTS_PER_CALL, MAX_TEXTS_PER_CALL, 8] == [96, 96, 8]
    assert [t for batch in sent for t in batch] == texts
    assert all(r.json["input_type"] == "search_document" for r in server.requests)
    assert rows.shape == (200, 1536)
    for i in (0, 95, 96, 191, 192, 199):
        np.testing.assert_allclose(rows[i], _unit(embed_vector(texts[i], 1536)), rtol=1e-5, atol=1e-7)


def test_exactly_96_texts_is_one_call_and_97_two(server: CohereWireServer) -> None:
    embedder = CohereEmbedder(API_KEY, base_url=server.base_url)
    embedder.embed_documents([f"t{i}" for i in range(96)])
    assert len(server.requests) == 1
    embedder.embed_documents([f"t{i}" for i in range(97)])
    assert [len(r.json["texts"]) for r in server.requests[1:]] == [96, 1]


def test_server_refuses_more_than_96_texts(server: CohereWireServer) -> None:
    """The loopback server enforces the API's limit, so the batching test above is meaningful."""
    client = make_cohere_client(API_KEY, base_url=server.base_url)
    embedder = CohereEmbedder(None, client=client, batch_size=96)
    embedder.batch_size = 97  # bypass the constructor's guard to hit the server's
    with pytest.raises(CohereRequestError) as caught:
        embedder.embed_documents(["x"] * 97)
    assert caught.value.status_code == 400 and "at most 96" in str(caught.value)


def test_custom_batch_size(server: CohereWireServer) -> None:
    CohereEmbedder(API_KEY, base_url=server.base_url, batch_size=10).embed_documents(["a b"] * 25)
    assert [len(r.json["texts"]) for r in server.requests] == [10, 10, 5]
    with pytest.raises(ValueError):
        CohereEmbedder(API_KEY, base_url=server.base_url, batch_size=97)


def test_empty_input_makes_no_call(server: CohereWireServer) -> None:
    rows = CohereEmbedder(API_KEY, base_url=server.base_url).embed_documents([])
    assert rows.shape == (0, 1536) and rows.dtype == np.float32
    assert server.requests == []


def test_text_without_words_gives_a_zero_row_not_nan(server: CohereWireServer) -> None:
    rows = CohereEmbedder(API_KEY, base_url=server.base_url).embed_documents(["?!", "card"])
    assert not np.isnan(rows).any()
    assert np.all(rows[0] == 0) and np.isclose(np.linalg.norm(rows[1]), 1.0)


def test_known_model_dimension_and_name_without_a_call(server: CohereWireServer) -> None:
    embedder = CohereEmbedder(API_KEY, base_url=server.base_url)
    assert embedder.dim == 1536
    assert embedder.name == "cohere-embed-v4.0"
    assert server.requests == []


def test_output_dimension_is_requested_and_used(server: CohereWireServer) -> None:
    embedder = CohereEmbedder(API_KEY, base_url=server.base_url, output_dimension=256)
    assert embedder.dim == 256 and embedder.name == "cohere-embed-v4.0-256"
    rows = embedder.embed_documents(["hello there"])
    assert rows.shape == (1, 256)
    assert server.requests[0].json["output_dimension"] == 256


def test_unknown_model_learns_its_dimension_from_the_first_response() -> None:
    with CohereWireServer(api_key=API_KEY, embed_model_dims={"embed-tiny-test": 32}) as server:
        embedder = CohereEmbedder(API_KEY, "embed-tiny-test", base_url=server.base_url)
        assert embedder.dim == 32  # learnt by one probe request
        assert len(server.requests) == 1
        assert embedder.embed_documents(["a", "b"]).shape == (2, 32)
        assert embedder.dim == 32 and len(server.requests) == 2


def test_unknown_model_learns_without_a_probe_when_it_embeds_first() -> None:
    with CohereWireServer(api_key=API_KEY, embed_model_dims={"embed-tiny-test": 48}) as server:
        embedder = CohereEmbedder(API_KEY, "embed-tiny-test", base_url=server.base_url)
        embedder.embed_documents(["a"])
        assert embedder.dim == 48 and len(server.requests) == 1


def test_dimension_mismatch_is_a_request_error() -> None:
    with (
        CohereWireServer(api_key=API_KEY, embed_model_dims={"embed-v4.0": 768}) as server,
        pytest.raises(CohereRequestError, match="expected 1536-dimensional"),
    ):
        CohereEmbedder(API_KEY, base_url=server.base_url).embed_query("hello")


def test_unknown_model_on_the_server_is_a_request_error(server: CohereWireServer) -> None:
    with pytest.raises(CohereRequestError) as caught:
        CohereEmbedder(API_KEY, "embed-nope", base_url=server.base_url).embed_documents(["hello"])
    assert caught.value.status_code == 404


def test_needs_a_key_or_a_client() -> None:
    with pytest.raises(ValueError):
        CohereEmbedder(None)


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x"},
        {"id": "x", "embeddings": {"int8": [[1]]}},
        {"id": "x", "embeddings": {"float": [[1.0, 2.0], [3.0, 4.0]]}},
        {"id": "x", "embeddings": {"float": [[1.0, "a"]]}},
    ],
    ids=["no-embeddings", "no-floats", "wrong-count", "not-numbers"],
)
def test_malformed_success_bodies_are_unavailable(server: CohereWireServer, body: dict) -> None:
    server.fail_next(200, body)
    with pytest.raises(CohereUnavailable):
        CohereEmbedder(API_KEY, base_url=server.base_url).embed_query("hello")
