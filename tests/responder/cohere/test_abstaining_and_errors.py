"""When the Cohere responder abstains, and how HTTP errors are reported.

Shared setup: tests/responder/cohere/cases.py and conftest.py (the real `cohere` SDK against the
loopback wire server)."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.adapters.cohere_client import CohereRequestError, CohereUnavailable, make_cohere_client
from tandem.responder.cohere_responder import CohereResponder
from tandem.responder.confidence import citation_coverage
from tandem.responder.offline import OfflineResponder
from tests.adapters.cohere_wire import CohereWireServer
from tests.adapters.cohere_wire_bodies import ChatRequest, chat_response, cite
from tests.responder.cohere.cases import (
    ANSWER,
    API_KEY,
    MODEL,
    UNBLOCK,
    answer_citing,
    generation_request,
    offline_abstain_text,
)

# --- abstaining -------------------------------------------------------------------------------------


def test_a_refusal_abstains_with_no_sources(server: CohereWireServer, responder: CohereResponder) -> None:
    request, passages = generation_request()
    server.queue_chat(
        chat_response(
            "I'm not sure the documents cover this. Would you like me to connect you with a person?"
        )
    )
    reply = responder.respond(request, passages)
    assert reply.abstained and reply.sources == [] and reply.confidence == 0.0
    assert reply.text == offline_abstain_text(request)
    assert "not sure" in reply.text and "person" in reply.text


def test_low_citation_coverage_abstains(server: CohereWireServer, responder: CohereResponder) -> None:
    """The same cited sentence: alone it is a confident answer; buried in uncited text it is not."""
    cited = "tap Unblock card"
    padded = (
        "Cards get blocked for many reasons, and there are several things you could try depending on the "
        "situation, your account settings and the kind of card you hold; some people call us, some wait "
        f"a day, and some {cited}."
    )
    assert citation_coverage(padded, [(padded.index(cited), padded.index(cited) + len(cited))]) < 0.15
    request, passages = generation_request()

    server.queue_chat(answer_citing(padded, (cited, "article:card-unblock")))
    low = responder.respond(request, passages)
    assert low.abstained and low.sources == []
    assert 0.0 < low.confidence < responder.confidence_threshold

    server.queue_chat(answer_citing(ANSWER, (ANSWER, "article:card-unblock")))
    high = responder.respond(request, passages)
    assert not high.abstained and high.confidence > low.confidence


def test_weak_retrieval_abstains_even_when_fully_cited(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    request, passages = generation_request(scores={"card-unblock": 0.02, "card-fees": 0.01})
    server.queue_chat(answer_citing(ANSWER, (ANSWER, "article:card-unblock")))
    reply = responder.respond(request, passages)
    assert reply.abstained and reply.sources == []


def test_fully_cited_confidence_matches_the_offline_responder() -> None:
    """Same evidence, same number: an extractive reply is fully cited, so one threshold serves both.

    The article is one paragraph without headings, and "how do I ..." asks for steps, so the offline
    responder quotes the paragraph whole: exactly the text the Cohere answer cites."""
    message = "How do I unblock my blocked card?"
    request, passages = generation_request(message, [UNBLOCK], scores={"card-unblock": 0.6})
    offline = OfflineResponder().respond(request, passages)
    assert not offline.abstained
    assert f"- {UNBLOCK.body} [1]" in offline.text.splitlines()  # the paragraph, as one quote
    assert offline.text.count("[1]") == 2  # the quote and the listing
    with CohereWireServer() as server:
        responder = CohereResponder(make_cohere_client("", server.base_url), MODEL)
        server.queue_chat(answer_citing(UNBLOCK.body, (UNBLOCK.body, "article:card-unblock")))
        reply = responder.respond(request, passages)
    assert not reply.abstained
    # One measure (answer_confidence.quoted_confidence) over the same text. Not to the last digit: the offline
    # responder embeds a statement as "{what it is about}\n{text}", so an article without headings is read
    # as "\n" + text, which moves WordLlama's cosine by about 0.1%.
    assert reply.confidence == pytest.approx(offline.confidence, rel=5e-3)


@pytest.mark.parametrize("finish_reason", ["MAX_TOKENS", "TOOL_CALL"])
def test_a_cut_off_or_tool_call_answer_abstains(
    server: CohereWireServer, responder: CohereResponder, finish_reason: str
) -> None:
    request, passages = generation_request()

    def handler(chat: ChatRequest) -> dict[str, Any]:
        citation = cite(ANSWER, ANSWER, [chat.document("article:card-unblock")])
        return chat_response(ANSWER, citations=[citation], finish_reason=finish_reason)

    server.queue_chat(handler)
    reply = responder.respond(request, passages)
    assert reply.abstained and reply.sources == []


def test_a_failed_generation_is_retryable(server: CohereWireServer, responder: CohereResponder) -> None:
    request, passages = generation_request()
    server.queue_chat(chat_response("", finish_reason="ERROR"))
    with pytest.raises(CohereUnavailable, match="ERROR"):
        responder.respond(request, passages)


# --- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_unavailable_after_one_request(
    server: CohereWireServer, responder: CohereResponder, status: int
) -> None:
    request, passages = generation_request()
    server.fail_next(status, path="/v2/chat", headers={"Retry-After": "3"} if status == 429 else None)
    with pytest.raises(CohereUnavailable) as caught:
        responder.respond(request, passages)
    assert caught.value.status_code == status and caught.value.operation == "chat"
    assert len(server.requests_to("/v2/chat")) == 1, "the SDK must not retry on its own"
    if status == 429:
        assert caught.value.retry_after_s == 3.0


@pytest.mark.parametrize("status", [400, 401, 422])
def test_client_errors_are_request_errors(
    server: CohereWireServer, responder: CohereResponder, status: int
) -> None:
    request, passages = generation_request()
    server.fail_next(status, path="/v2/chat")
    with pytest.raises(CohereRequestError) as caught:
        responder.respond(request, passages)
    assert caught.value.status_code == status
    assert len(server.requests_to("/v2/chat")) == 1


def test_unknown_model_is_a_request_error(server: CohereWireServer) -> None:
    responder = CohereResponder(make_cohere_client(API_KEY, server.base_url), "no-such-model")
    request, passages = generation_request()
    with pytest.raises(CohereRequestError, match="404"):
        responder.respond(request, passages)


def test_server_gone_is_unavailable() -> None:
    with CohereWireServer() as server:
        responder = CohereResponder(make_cohere_client("", server.base_url), MODEL)
    request, passages = generation_request()
    with pytest.raises(CohereUnavailable):
        responder.respond(request, passages)
