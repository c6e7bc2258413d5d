"""`GenerationActivities.generate_reply` run for real in Temporal's `ActivityEnvironment`, with the Cohere
responder talking through the REAL `cohere` SDK to the loopback server in `tests/adapters/cohere_wire` (it
speaks Cohere's v2 wire format; the real API is unreachable here). Nothing in the SDK is mocked.

What is proved: Cohere failures leave the activity as Temporal `ApplicationError`s, so the activity's retry
policy owns retrying: 429 and 5xx are retryable (with the server's Retry-After as the next delay), a 400 is
not; each attempt makes exactly one HTTP request; a successful call returns the pipeline's reply.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.generation import GenerationActivities
from tandem.adapters.cohere_client import make_cohere_client
from tandem.contracts import CustomerContext, GeneratedReply, GenerationRequest, SourceRef
from tandem.knowledge.documents import Article
from tandem.responder.cohere_responder import CohereResponder
from tandem.responder.pipeline import ReplyPipeline
from tests.adapters.cohere_wire import CohereWireServer

API_KEY = "generation-key"
ARTICLE = Article(
    id="card-unblock",
    title="Unblock your card",
    body="To unblock your card, open the Rho app and go to Cards. Tap Unblock card to use it again.",
)


class _Knowledge:
    """The part of the knowledge backend the activity uses: articles by id (the store's role)."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._articles = {a.id: a for a in articles}
        self.looked_up: list[list[str]] = []

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        self.looked_up.append(list(ids))
        return {i: self._articles[i] for i in ids if i in self._articles}


REQUEST = GenerationRequest(
    ticket_id="T-1",
    message="How do I unblock my card?",
    customer=CustomerContext(customer_id="c-1", name="Ada Lovelace"),
    articles=[SourceRef(id=ARTICLE.id, title=ARTICLE.title, score=0.7)],
)


@pytest.fixture
def server() -> Iterator[CohereWireServer]:
    with CohereWireServer(api_key=API_KEY) as wire:
        yield wire
    assert not wire.shape_errors


@pytest.fixture
def activities(server: CohereWireServer) -> GenerationActivities:
    responder = CohereResponder(make_cohere_client(API_KEY, server.base_url), "command-a-03-2025")
    return GenerationActivities(ReplyPipeline(responder), _Knowledge([ARTICLE]))


def _run(activities: GenerationActivities, request: GenerationRequest = REQUEST) -> GeneratedReply:
    return ActivityEnvironment().run(activities.generate_reply, request)


def test_a_reply_comes_back_grounded(server: CohereWireServer, activities: GenerationActivities) -> None:
    reply = _run(activities)
    assert isinstance(reply, GeneratedReply) and not reply.abstained
    assert [s.id for s in reply.sources] == ["card-unblock"]
    assert "[1]" in reply.text and reply.text.endswith("Sources:\n[1] Unblock your card")
    assert len(server.requests_to("/v2/chat")) == 1


@pytest.mark.parametrize("status", [429, 500])
def test_throttling_and_server_errors_are_retryable(
    server: CohereWireServer, activities: GenerationActivities, status: int
) -> None:
    server.fail_next(status, path="/v2/chat", headers={"Retry-After": "7"} if status == 429 else None)
    with pytest.raises(ApplicationError) as caught:
        _run(activities)
    error = caught.value
    assert not error.non_retryable
    assert error.type == "CohereUnavailable"
    assert f"HTTP {status}" in error.message
    assert error.next_retry_delay == (timedelta(seconds=7) if status == 429 else None)
    assert len(server.requests_to("/v2/chat")) == 1, "one request per attempt: Temporal retries, not the SDK"

    # The retry Temporal schedules next goes through.
    assert not _run(activities).abstained
    assert len(server.requests_to("/v2/chat")) == 2


def test_a_bad_request_is_not_retryable(server: CohereWireServer, activities: GenerationActivities) -> None:
    server.fail_next(400, {"message": "invalid request: messages must not be empty"}, path="/v2/chat")
    with pytest.raises(ApplicationError) as caught:
        _run(activities)
    assert caught.value.non_retryable
    assert caught.value.type == "CohereRequestError"
    assert "HTTP 400" in caught.value.message and "messages must not be empty" in caught.value.message
    assert len(server.requests_to("/v2/chat")) == 1


def test_a_cohere_outage_is_retryable(activities: GenerationActivities, server: CohereWireServer) -> None:
    server.stop()  # connection refused from now on
    with pytest.raises(ApplicationError) as caught:
        _run(activities)
    assert not caught.value.non_retryable and caught.value.type == "CohereUnavailable"


def test_other_errors_are_not_rewrapped() -> None:
    """Only Cohere failures are translated; a bug elsewhere surfaces as itself."""

    class _Broken:
        def articles(self, ids: Sequence[str]) -> dict[str, Article]:
            raise LookupError("store unavailable")

    activities = GenerationActivities(
        ReplyPipeline(CohereResponder(make_cohere_client("", None), "x")), _Broken()
    )
    with pytest.raises(LookupError, match="store unavailable"):
        _run(activities)
