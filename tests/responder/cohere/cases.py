"""Articles, tickets, requests and chat handlers the Cohere responder tests share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tandem.contracts import (
    Author,
    CustomerContext,
    Focus,
    GenerationRequest,
    PreviousTicket,
    SimilarTicket,
    SourceRef,
    TranscriptEntry,
)
from tandem.knowledge.documents import Article
from tandem.responder.offline import OfflineResponder
from tests.adapters.cohere_wire import CohereWireServer
from tests.adapters.cohere_wire_bodies import ChatRequest, chat_response, cite

API_KEY = "chat-key"
MODEL = "command-a-03-2025"

UNBLOCK = Article(
    id="card-unblock",
    title="Unblock your card",
    body=(
        "To unblock your card, open the Rho app and go to Cards. "
        "Select the blocked card and tap Unblock card to use it again."
    ),
    url="https://help.example/card-unblock",
)
FEES = Article(
    id="card-fees",
    title="Card fees abroad",
    body="Card payments abroad have no foreign transaction fee. Cash withdrawals abroad cost 2 EUR.",
)
TICKET = SimilarTicket(
    ticket_id="T-OLD-7",
    subject="Card blocked after wrong PIN",
    resolution="After three wrong PIN entries the card is blocked; unblock the card in the app under Cards.",
    score=0.55,
)
QUESTION = "My card is blocked, how do I unblock my card?"
ANSWER = "Open the Rho app and go to Cards, then select the blocked card and tap Unblock card."


def customer_context(**fields: Any) -> CustomerContext:
    base: dict[str, Any] = {
        "customer_id": "cust-1",
        "name": "Ada Lovelace",
        "tier": "gold",
        "high_value": True,
        "product": "credit_card",
        "account_facts": {"email": "ada@example.com", "card_last4": "4242"},
        "previous_tickets": [
            PreviousTicket(ticket_id="T-100", subject="Card delivery", resolution="Card reshipped")
        ],
    }
    return CustomerContext(**{**base, **fields})


def generation_request(
    message: str = QUESTION,
    articles: list[Article] | None = None,
    *,
    tickets: list[SimilarTicket] | None = None,
    history: list[TranscriptEntry] | None = None,
    scores: dict[str, float] | None = None,
    focus: Focus | None = None,
    customer: CustomerContext | None = None,
) -> tuple[GenerationRequest, dict[str, Article]]:
    articles = [UNBLOCK, FEES] if articles is None else articles
    scores = scores or {}
    refs = [
        SourceRef(id=a.id, title=a.title, url=a.url, score=scores.get(a.id, 0.7), snippet=a.body[:40])
        for a in articles
    ]
    request = GenerationRequest(
        ticket_id="T-1",
        message=message,
        customer=customer or customer_context(),
        articles=refs,
        similar_tickets=tickets or [],
        history=history or [],
        focus=focus,
    )
    return request, {a.id: a for a in articles}


def transcript_entry(author: Author, text: str, n: int) -> TranscriptEntry:
    return TranscriptEntry(
        message_id=f"m{n}", author=author, text=text, at=datetime(2025, 1, 1, 9, n, tzinfo=UTC)
    )


def answer_citing(answer: str, *quotes: tuple[str, str]):
    """A chat handler answering `answer`, citing each (quote, document id) pair."""

    def handler(request: ChatRequest) -> dict[str, Any]:
        citations = [cite(answer, quote, [request.document(doc_id)]) for quote, doc_id in quotes]
        return chat_response(answer, citations=citations)

    return handler


def chat_body(server: CohereWireServer) -> dict[str, Any]:
    (request,) = server.requests_to("/v2/chat")
    return request.json


def offline_abstain_text(request: GenerationRequest) -> str:
    """What the offline responder says when it has nothing to go on: the Cohere responder abstains alike."""
    return OfflineResponder().respond(request.model_copy(update={"articles": []}), {}).text
