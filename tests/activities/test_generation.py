"""`GenerationActivities.answer_turn` run for real in Temporal's `ActivityEnvironment`: one AI turn (focus,
retrieval, similar tickets, the reply pipeline) with the Cohere responder talking through the REAL `cohere`
SDK to the loopback server in `tests/adapters/cohere_wire` (it speaks Cohere's v2 wire format; the real API
is unreachable here). Nothing in the SDK is mocked; the knowledge backend is a small in-memory one holding
one help-center article and one resolved ticket.

What is proved: Cohere failures leave the activity as Temporal `ApplicationError`s, so the activity's retry
policy owns retrying: 429 and 5xx are retryable (with the server's Retry-After as the next delay), a 400 is
not; each attempt makes exactly one HTTP request; a successful call returns the pipeline's reply, grounded in
the retrieved article only (the similar ticket goes to the agent, never to the model or the customer).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.ai_turn import AiTurnActivities
from activities.generation import GenerationActivities
from tandem.adapters.cohere_client import make_cohere_client
from tandem.contracts import (
    AiTurnRequest,
    CategoryRequest,
    CustomerContext,
    GeneratedReply,
    SimilarTicket,
    SourceRef,
    TurnRequest,
)
from tandem.escalation.engine import EscalationEngine
from tandem.knowledge.documents import Article
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.responder.cohere_responder import CohereResponder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer
from tests.adapters.cohere_wire import CohereWireServer, server_fixture

API_KEY = "generation-key"
ARTICLE = Article(
    id="card-unblock",
    title="Unblock your card",
    body="To unblock your card, open the Rho app and go to Cards. Tap Unblock card to use it again.",
)
TICKET = SimilarTicket(
    ticket_id="T-OLD-3",
    subject="Card blocked after three wrong PINs",
    resolution="Told Grace Hopper to tap Unblock card in the app.",
    score=0.6,
)


class _Knowledge:
    """A knowledge backend in memory: every search finds the article; the ticket is the similar one."""

    def __init__(self, articles: Sequence[Article], tickets: Sequence[SimilarTicket] = ()) -> None:
        self._articles = {a.id: a for a in articles}
        self._tickets = list(tickets)
        self._lexicon = HelpCenterLexicon.mine(list(articles))
        self.searched: list[tuple[str, str | None]] = []
        self.looked_up: list[list[str]] = []

    def search_articles(self, query: str, product: str | None, limit: int) -> list[SourceRef]:
        self.searched.append((query, product))
        return [SourceRef(id=a.id, title=a.title, url=a.url, score=0.7) for a in self._articles.values()]

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        self.looked_up.append(list(ids))
        return {i: self._articles[i] for i in ids if i in self._articles}

    def similar_tickets(
        self, query: str, category: str | None = None, limit: int = 3, exclude_ticket_id: str | None = None
    ) -> list[SimilarTicket]:
        return [t for t in self._tickets if t.ticket_id != exclude_ticket_id][:limit]

    def predict_category(self, query: str) -> str | None:
        return None

    def lexicon(self) -> HelpCenterLexicon:
        return self._lexicon


REQUEST = TurnRequest(
    ticket_id="T-1",
    message="How do I unblock my card?",
    customer=CustomerContext(customer_id="c-1", name="Ada Lovelace"),
)


server = server_fixture(API_KEY)


@pytest.fixture
def knowledge() -> _Knowledge:
    return _Knowledge([ARTICLE], [TICKET])


@pytest.fixture
def activities(server: CohereWireServer, knowledge: _Knowledge) -> GenerationActivities:
    client = make_cohere_client(API_KEY, server.base_url)
    responder = CohereResponder(client, "command-a-03-2025", lexicon=knowledge.lexicon)
    return GenerationActivities(TurnAnswerer(knowledge, ReplyPipeline(responder)))


def _run(activities: GenerationActivities, request: TurnRequest = REQUEST) -> GeneratedReply:
    return ActivityEnvironment().run(activities.answer_turn, request)


def test_a_reply_comes_back_grounded(
    server: CohereWireServer, activities: GenerationActivities, knowledge: _Knowledge
) -> None:
    reply = _run(activities)
    assert isinstance(reply, GeneratedReply) and not reply.abstained
    assert [s.id for s in reply.sources] == ["card-unblock"]
    assert "[1]" in reply.text and reply.text.endswith("Sources:\n[1] Unblock your card")
    assert len(server.requests_to("/v2/chat")) == 1
    # The turn retrieved for the message and read the article's text itself.
    assert knowledge.searched == [(REQUEST.message, None)]
    assert knowledge.looked_up == [["card-unblock"]]
    # The similar ticket reaches the agent only: not the model, not the customer.
    sent = json.dumps(server.requests_to("/v2/chat")[0].json)
    for secret in (TICKET.ticket_id, TICKET.subject, TICKET.resolution, "Grace Hopper"):
        assert secret not in sent and secret not in reply.text
    assert [(t.kind, t.id) for t in reply.similar_tickets] == [("ticket", "T-OLD-3")]


def test_the_ticket_being_answered_is_not_its_own_similar_ticket(activities: GenerationActivities) -> None:
    reply = _run(activities, REQUEST.model_copy(update={"ticket_id": TICKET.ticket_id}))
    assert reply.similar_tickets == []


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

    class _Broken(_Knowledge):
        def articles(self, ids: Sequence[str]) -> dict[str, Article]:
            raise LookupError("store unavailable")

    responder = CohereResponder(make_cohere_client("", None), "x")
    activities = GenerationActivities(TurnAnswerer(_Broken([ARTICLE]), ReplyPipeline(responder)))
    with pytest.raises(LookupError, match="store unavailable"):
        _run(activities)


def test_one_ai_turn_activity_answers_and_checks_escalation(
    server: CohereWireServer, knowledge: _Knowledge
) -> None:
    """The AI turn activity replies and runs the escalation policy on that reply: a help-center question stays
    with the AI; "talk to a person" goes to one, with the reply still grounded."""
    client = make_cohere_client(API_KEY, server.base_url)
    answerer = TurnAnswerer(
        knowledge, ReplyPipeline(CohereResponder(client, "command-a-03-2025", lexicon=knowledge.lexicon))
    )
    asked_for: list[str] = []
    turns = AiTurnActivities(answerer, EscalationEngine(), lambda r: asked_for.append(r.message) or "card")
    first = AiTurnRequest(turn=REQUEST, ai_turns=1, unsure_turns=0, categorize=True)
    calm = ActivityEnvironment().run(turns.ai_turn, first)
    assert not calm.reply.abstained and not calm.decision.escalate
    assert calm.category == "card" and asked_for == [REQUEST.message]
    person = REQUEST.model_copy(
        update={"message": "How do I unblock my card? I want to talk to a real person."}
    )
    asked = ActivityEnvironment().run(turns.ai_turn, AiTurnRequest(turn=person, ai_turns=1, unsure_turns=0))
    assert asked.decision.escalate and "explicit_request" in [r.code for r in asked.decision.reasons]
    assert asked.category is None and len(asked_for) == 1, "only the first turn asks for a category"


def test_an_ai_turn_without_a_category_still_answers(server: CohereWireServer, knowledge: _Knowledge) -> None:
    """A category is for reports and the queue: the store failing to record one never fails the reply."""
    client = make_cohere_client(API_KEY, server.base_url)
    answerer = TurnAnswerer(
        knowledge, ReplyPipeline(CohereResponder(client, "command-a-03-2025", lexicon=knowledge.lexicon))
    )

    def categorize(request: CategoryRequest) -> str | None:
        raise LookupError("store unavailable")

    turns = AiTurnActivities(answerer, EscalationEngine(), categorize)
    first = AiTurnRequest(turn=REQUEST, ai_turns=1, unsure_turns=0, categorize=True)
    result = ActivityEnvironment().run(turns.ai_turn, first)
    assert result.category is None and not result.reply.abstained
