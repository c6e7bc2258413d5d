"""The loopback Cohere v2 server itself (`cohere_wire`), exercised through the REAL `cohere` SDK, since the
real API is unreachable here: its chat endpoint parses into the SDK's `V2ChatResponse` with citations that
map back to the answer text and the request's documents, it is scriptable for a future chat responder,
and its bodies match the SDK's models field for field.
"""

from __future__ import annotations

import httpx
import pytest
from cohere import EmbedByTypeResponse, V2ChatResponse, V2RerankResponse

from tandem.adapters.cohere_client import CohereUnavailable, cohere_errors, make_cohere_client
from tests.adapters.cohere_wire import CohereWireServer, server_fixture
from tests.adapters.cohere_wire_bodies import (
    NO_ANSWER,
    ChatRequest,
    WireShapeError,
    chat_response,
    check_wire_shape,
    cite,
)

API_KEY = "wire-key"
MODEL = "command-a-03-2025"
DOCUMENTS = [
    {
        "id": "kb-unblock",
        "data": {"title": "Unblock a card", "snippet": "Tap Unblock in the app. It is instant."},
    },
    {"id": "kb-fees", "data": {"title": "Fees abroad", "snippet": "Card payments abroad are free."}},
]


server = server_fixture(API_KEY)


@pytest.fixture
def client(server: CohereWireServer):
    return make_cohere_client(API_KEY, base_url=server.base_url)


def _ask(client, question: str, documents=DOCUMENTS) -> V2ChatResponse:
    with cohere_errors("chat"):
        return client.chat(model=MODEL, messages=[{"role": "user", "content": question}], documents=documents)


def test_default_reply_cites_the_best_document(server: CohereWireServer, client) -> None:
    response = _ask(client, "how do I unblock my card?")
    text = response.message.content[0].text
    assert response.finish_reason == "COMPLETE" and response.id
    (citation,) = response.message.citations
    assert text[citation.start : citation.end] == citation.text == "Tap Unblock in the app."
    (source,) = citation.sources
    assert source.type == "document" and source.id == "kb-unblock"
    assert source.document == {"id": "kb-unblock", **DOCUMENTS[0]["data"]}
    assert response.usage.billed_units.output_tokens > 0
    (request,) = server.requests
    assert request.path == "/v2/chat"
    assert request.json["documents"] == DOCUMENTS
    assert request.json["messages"] == [{"role": "user", "content": "how do I unblock my card?"}]


def test_documents_without_ids_are_echoed_as_doc_n(client) -> None:
    docs = [{"data": {"snippet": "Mortgages are fixed."}}, {"data": {"snippet": "Savings pay interest."}}]
    response = _ask(client, "do savings pay interest?", documents=docs)
    (citation,) = response.message.citations
    assert citation.sources[0].id == "doc:1"
    assert citation.sources[0].document == {"id": "doc:1", "snippet": "Savings pay interest."}


def test_no_matching_document_answers_without_citations(client) -> None:
    response = _ask(client, "what is the weather on mars?")
    assert response.message.content[0].text == NO_ANSWER
    assert response.message.citations is None
    assert _ask(client, "anything", documents=[]).message.citations is None


def test_queued_replies_then_the_handler(server: CohereWireServer, client) -> None:
    answer = "Payments abroad are free. Unblocking is instant."
    seen: list[ChatRequest] = []

    def handler(request: ChatRequest) -> dict:
        seen.append(request)
        fees, unblock = request.document("kb-fees"), request.document("kb-unblock")
        return chat_response(
            answer,
            citations=[cite(answer, "free", [fees]), cite(answer, "instant", [unblock])],
        )

    refusal = chat_response("I can only help with banking questions.", finish_reason="COMPLETE")
    server.queue_chat(refusal, handler)
    first, second, third = (_ask(client, q) for q in ("tell me a joke", "fees and unblock?", "unblock?"))
    assert first.message.content[0].text.startswith("I can only help") and first.message.citations is None
    assert [c.text for c in second.message.citations] == ["free", "instant"]
    assert [(c.start, c.end) for c in second.message.citations] == [(20, 24), (40, 47)]
    assert [answer[c.start : c.end] for c in second.message.citations] == ["free", "instant"]
    assert seen[0].user_text == "fees and unblock?" and seen[0].model == MODEL
    assert third.message.citations[0].sources[0].id == "kb-unblock"  # back to the default handler


def test_queue_rejects_a_body_the_sdk_would_not_parse_strictly(server: CohereWireServer) -> None:
    good = chat_response("ok")
    misspelt = {**good, "message": {**good["message"], "citation": []}}
    with pytest.raises(WireShapeError, match="citation"):
        server.queue_chat(misspelt)
    missing_id = {k: v for k, v in good.items() if k != "id"}
    with pytest.raises(WireShapeError):
        server.queue_chat(missing_id)


def test_handler_with_a_bad_shape_is_a_500_and_recorded(server: CohereWireServer, client) -> None:
    server.queue_chat(lambda request: {"id": "x", "finish_reason": "COMPLETE", "message": {"text": "hi"}})
    with pytest.raises(CohereUnavailable, match="does not match the SDK"):
        _ask(client, "hello")
    assert len(server.shape_errors) == 1
    server.shape_errors.clear()


def test_cite_requires_the_quote_in_the_answer() -> None:
    with pytest.raises(ValueError):
        cite("some answer", "missing", [])
    assert cite("a b a", "a", [], occurrence=1)["start"] == 4


def test_check_wire_shape_flags_undeclared_fields() -> None:
    ok = {"id": "r", "results": [{"index": 0, "relevance_score": 0.5}]}
    check_wire_shape(V2RerankResponse, ok)
    with pytest.raises(WireShapeError, match="score"):
        check_wire_shape(
            V2RerankResponse, {"id": "r", "results": [{"index": 0, "relevance_score": 0.5, "score": 1}]}
        )
    with pytest.raises(WireShapeError, match="floats"):
        check_wire_shape(EmbedByTypeResponse, {"id": "e", "embeddings": {"floats": [[1.0]]}})


def test_unknown_route_and_unauthorised(server: CohereWireServer) -> None:
    assert httpx.post(f"{server.base_url}/v1/generate", json={}).status_code == 401
    auth = {"Authorization": f"Bearer {API_KEY}"}
    assert httpx.post(f"{server.base_url}/v1/generate", json={}, headers=auth).status_code == 404
    streaming = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    assert httpx.post(f"{server.base_url}/v2/chat", json=streaming, headers=auth).status_code == 400
