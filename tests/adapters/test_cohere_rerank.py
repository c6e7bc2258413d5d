"""`CohereReranker`, through the REAL `cohere` SDK against the loopback server in `cohere_wire` (which speaks
Cohere's v2 wire format and scores by word overlap; the real API is unreachable here): request body,
best-first ordering, top_n, and error kinds.
"""

from __future__ import annotations

import pytest

from tandem.adapters.cohere_client import CohereRequestError, CohereUnavailable, make_cohere_client
from tandem.adapters.cohere_rerank import CohereReranker
from tests.adapters.cohere_wire import CohereWireServer, server_fixture
from tests.adapters.cohere_wire_bodies import overlap_score

API_KEY = "rerank-key"

PASSAGES = [
    "Open a savings account in the app.",
    "If your card is blocked, unblock the card in the app.",
    "Card payments abroad have no fee.",
    "Mortgage rates change monthly.",
]
QUERY = "my card is blocked"


server = server_fixture(API_KEY)


@pytest.fixture
def reranker(server: CohereWireServer) -> CohereReranker:
    return CohereReranker(API_KEY, base_url=server.base_url)


def test_request_body(server: CohereWireServer, reranker: CohereReranker) -> None:
    reranker.rerank(QUERY, PASSAGES, top_n=2)
    (request,) = server.requests
    assert request.method == "POST" and request.path == "/v2/rerank"
    assert request.json == {"model": "rerank-v3.5", "query": QUERY, "documents": PASSAGES, "top_n": 2}
    assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_best_first_with_scores(reranker: CohereReranker) -> None:
    ranked = reranker.rerank(QUERY, PASSAGES, top_n=4)
    assert [i for i, _ in ranked] == [1, 2, 0, 3]
    assert ranked == [(i, overlap_score(QUERY, PASSAGES[i])) for i in (1, 2, 0, 3)]
    assert ranked[0][1] == 1.0
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(i, int) and isinstance(s, float) for i, s in ranked)


def test_top_n_limits_results(reranker: CohereReranker) -> None:
    assert reranker.rerank(QUERY, PASSAGES, top_n=1) == [(1, 1.0)]
    assert [i for i, _ in reranker.rerank(QUERY, PASSAGES, top_n=2)] == [1, 2]


def test_top_n_larger_than_the_candidates_is_clamped(
    server: CohereWireServer, reranker: CohereReranker
) -> None:
    ranked = reranker.rerank(QUERY, PASSAGES[:3], top_n=10)
    assert len(ranked) == 3
    assert server.requests[0].json["top_n"] == 3


def test_nothing_to_rank_makes_no_call(server: CohereWireServer, reranker: CohereReranker) -> None:
    assert reranker.rerank(QUERY, [], top_n=3) == []
    assert reranker.rerank(QUERY, PASSAGES, top_n=0) == []
    assert server.requests == []


def test_model_and_shared_client(server: CohereWireServer) -> None:
    client = make_cohere_client(API_KEY, base_url=server.base_url)
    reranker = CohereReranker(None, "rerank-multilingual-v3.0", client=client)
    assert reranker.rerank("tarjeta bloqueada", ["tarjeta bloqueada", "hipoteca"], top_n=1) == [(0, 1.0)]
    assert server.requests[0].json["model"] == "rerank-multilingual-v3.0"


def test_throttled_is_unavailable_after_one_request(
    server: CohereWireServer, reranker: CohereReranker
) -> None:
    server.fail_next(429, times=3)
    with pytest.raises(CohereUnavailable):
        reranker.rerank(QUERY, PASSAGES, top_n=2)
    assert len(server.requests) == 1


def test_bad_request_is_a_request_error(server: CohereWireServer, reranker: CohereReranker) -> None:
    server.fail_next(400, {"message": "invalid request: query must not be empty"})
    with pytest.raises(CohereRequestError, match="query must not be empty"):
        reranker.rerank(QUERY, PASSAGES, top_n=2)
    assert len(server.requests) == 1


def test_unknown_model_is_a_request_error(server: CohereWireServer) -> None:
    with pytest.raises(CohereRequestError) as caught:
        CohereReranker(API_KEY, "embed-v4.0", base_url=server.base_url).rerank(QUERY, PASSAGES, top_n=1)
    assert caught.value.status_code == 404


@pytest.mark.parametrize(
    "body",
    [{"id": "x"}, {"id": "x", "results": [{"index": 9, "relevance_score": 0.5}]}],
    ids=["no-results", "index-out-of-range"],
)
def test_malformed_success_bodies_are_unavailable(
    server: CohereWireServer, reranker: CohereReranker, body: dict
) -> None:
    server.fail_next(200, body)
    with pytest.raises(CohereUnavailable):
        reranker.rerank(QUERY, PASSAGES, top_n=2)
