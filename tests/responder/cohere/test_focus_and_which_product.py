"""What the message is about reaches the system prompt; asking which product is a clarifying reply.

Shared setup: tests/responder/cohere/cases.py and conftest.py (the real `cohere` SDK against the
loopback wire server)."""

from __future__ import annotations

import pytest

from tandem.contracts import (
    Author,
    CustomerContext,
    Focus,
)
from tandem.knowledge.documents import Article
from tandem.responder.cohere_responder import CohereResponder
from tandem.responder.pipeline import ReplyPipeline
from tests.adapters.cohere_wire import CohereWireServer
from tests.adapters.cohere_wire_bodies import chat_response
from tests.responder.cohere.cases import (
    ANSWER,
    FEES,
    TICKET,
    answer_citing,
    chat_body,
    customer_context,
    generation_request,
    offline_abstain_text,
    transcript_entry,
)

# --- what the message is about (focus) ----------------------------------------------------------------

GOLD = Article(
    id="gold-card-fee",
    title="Gold Rewards Card: annual fee",
    body="The Gold Rewards Card has an annual fee of $95. The fee is waived in the first year.",
)
PLATINUM = Article(
    id="platinum-card-fee",
    title="Platinum Rewards Card: annual fee",
    body="The Platinum Rewards Card has an annual fee of $550. The fee is charged on your card anniversary.",
)
FEE_QUESTION = "What is the annual fee on my rewards card?"


def _platinum_customer() -> CustomerContext:
    return customer_context(account_facts={"card_product": "Platinum Rewards Card"})


def test_the_system_prompt_names_the_product_from_the_account_facts(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    focus = Focus(names=["Platinum Rewards Card"], source="account", product="credit_card")
    request, passages = generation_request(
        FEE_QUESTION, [PLATINUM, GOLD], focus=focus, customer=_platinum_customer(), tickets=[TICKET]
    )
    answer = "The Platinum Rewards Card has an annual fee of $550."
    server.queue_chat(answer_citing(answer, (answer, "article:platinum-card-fee")))
    reply = responder.respond(request, passages)

    (chat,) = server.requests_to("/v2/chat")
    messages = chat.json["messages"]
    system = messages[0]["content"]
    assert messages[0]["role"] == "system" and messages[-1] == {"role": "user", "content": FEE_QUESTION}
    assert "The customer's account facts say their card is the Platinum Rewards Card." in system
    assert "Answer only about the Platinum Rewards Card." in system
    assert "Never quote a fee, rate, limit or other figure of any other product" in system
    assert "ask the customer which one they mean" in system
    assert "no product by that name" not in system
    assert [d["id"] for d in chat.json["documents"]] == ["article:platinum-card-fee", "article:gold-card-fee"]

    assert not reply.abstained and not reply.clarifying
    assert [s.id for s in reply.sources] == ["platinum-card-fee"]
    assert reply.focus == focus and [t.id for t in reply.similar_tickets] == ["T-OLD-7"]


def test_the_system_prompt_names_the_product_said_earlier_in_the_conversation(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    earlier = "I have the Navy Blue business checking account."
    focus = Focus(names=["Navy Blue business checking account"], source="history", product="checking")
    history = [
        transcript_entry(Author.CUSTOMER, earlier, 1),
        transcript_entry(Author.AI, "Hi Ada, how can I help?", 2),
    ]
    request, passages = generation_request(
        "How much is an outgoing wire?", [FEES], history=history, focus=focus
    )
    server.queue_chat(chat_response("I am not sure."))
    responder.respond(request, passages)

    messages = chat_body(server)["messages"]
    assert (
        "Earlier in this conversation the customer said they have the Navy Blue business checking account."
        in messages[0]["content"]
    )
    assert "Answer only about the Navy Blue business checking account." in messages[0]["content"]
    assert messages[1:] == [
        {"role": "user", "content": earlier},
        {"role": "assistant", "content": "Hi Ada, how can I help?"},
        {"role": "user", "content": "How much is an outgoing wire?"},
    ], "the earlier turns still travel as messages"


@pytest.mark.parametrize(
    ("focus", "expected"),
    [
        (
            Focus(product="savings"),
            "The customer has not named a specific product; the ticket is about their savings.",
        ),
        (Focus(), "The customer has not named a specific product; the ticket is about their credit card."),
        (None, "The ticket is about their credit card."),
    ],
)
def test_without_names_the_ticket_s_product_line_is_stated(
    server: CohereWireServer, responder: CohereResponder, focus: Focus | None, expected: str
) -> None:
    request, passages = generation_request(focus=focus)
    server.queue_chat(answer_citing(ANSWER, (ANSWER, "article:card-unblock")))
    reply = responder.respond(request, passages)
    system = chat_body(server)["messages"][0]["content"]
    assert expected in system
    assert "- Answer only about" not in system, "no product names, no product to keep to"
    assert reply.focus == focus


def test_a_product_the_help_center_does_not_know_is_stated_as_unknown(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    focus = Focus(product="credit_card", unknown_name='Titanium "Rewards" Card')
    request, passages = generation_request(
        "What is the annual fee on my Titanium Rewards Card?", [GOLD, PLATINUM], focus=focus
    )
    server.queue_chat(
        chat_response("We have no card called the Titanium Rewards Card. Which of our cards do you have?")
    )
    reply = responder.respond(request, passages)

    system = chat_body(server)["messages"][0]["content"]
    assert (
        'The customer wrote "Titanium Rewards Card", but our help center has no product by that name.'
        in system
    )
    assert "Do not answer from the documents of another product" in system
    assert reply.clarifying and not reply.abstained and reply.sources == []
    assert "$95" not in reply.text and "$550" not in reply.text


# --- asking which product -------------------------------------------------------------------------------

WHICH_CARD = "Which card do you have: the Gold Rewards Card or the Platinum Rewards Card?"


def test_a_question_which_product_is_a_clarifying_reply(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    focus = Focus(product="credit_card")
    request, passages = generation_request(FEE_QUESTION, [GOLD, PLATINUM], focus=focus, tickets=[TICKET])
    server.queue_chat(chat_response(WHICH_CARD))
    reply = responder.respond(request, passages)

    assert reply.clarifying and not reply.abstained
    assert reply.sources == [] and "Sources:" not in reply.text
    assert reply.text == f"Hi Ada,\n{WHICH_CARD}"
    assert responder.confidence_threshold <= reply.confidence <= 1.0
    assert reply.focus == focus and [t.id for t in reply.similar_tickets] == ["T-OLD-7"]


def test_a_clarifying_question_survives_the_pipeline(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    request, passages = generation_request(FEE_QUESTION, [GOLD, PLATINUM], focus=Focus(product="credit_card"))
    server.queue_chat(chat_response(WHICH_CARD))
    reply = ReplyPipeline(responder).reply(request, passages)
    assert reply.clarifying and not reply.abstained and reply.guardrails == []
    assert WHICH_CARD in reply.text


@pytest.mark.parametrize(
    "answer",
    [
        # a figure from the documents: an uncited answer, not a question
        "The Gold Rewards Card costs $95 a year. Which card do you have?",
        "It is 550 on the Platinum card. Which one do you mean?",
        # offering a person is the abstention's wording
        "I'm not sure which card you mean. Would you like me to connect you with a person from our team?",
        # questions, but not about which product
        "Is there anything else I can help you with today?",
        "Is it your first time asking about this?",
        # no question at all
        "Our rewards cards have annual fees.",
    ],
)
def test_uncited_answers_that_are_not_a_product_question_abstain(
    server: CohereWireServer, responder: CohereResponder, answer: str
) -> None:
    request, passages = generation_request(FEE_QUESTION, [GOLD, PLATINUM], focus=Focus(product="credit_card"))
    server.queue_chat(chat_response(answer))
    reply = responder.respond(request, passages)
    assert reply.abstained and not reply.clarifying and reply.sources == []
    assert reply.text == offline_abstain_text(request)


def test_a_product_question_the_documents_do_not_cover_abstains(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    """Asking which product only helps when the knowledge answers the question for some product."""
    request, passages = generation_request(
        FEE_QUESTION, [GOLD, PLATINUM], scores={"gold-card-fee": 0.01, "platinum-card-fee": 0.01}
    )
    server.queue_chat(chat_response(WHICH_CARD))
    reply = responder.respond(request, passages)
    assert reply.abstained and not reply.clarifying
    assert 0.0 < reply.confidence < responder.confidence_threshold


def test_a_cited_answer_with_a_question_is_an_answer(
    server: CohereWireServer, responder: CohereResponder
) -> None:
    answer = "The Gold Rewards Card has an annual fee of $95. Which card do you have?"
    request, passages = generation_request(FEE_QUESTION, [GOLD, PLATINUM])
    server.queue_chat(
        answer_citing(answer, ("The Gold Rewards Card has an annual fee of $95", "article:gold-card-fee"))
    )
    reply = responder.respond(request, passages)
    assert not reply.clarifying and not reply.abstained
    assert [s.id for s in reply.sources] == ["gold-card-fee"]
    assert reply.text.startswith("Hi Ada,\nThe Gold Rewards Card has an annual fee of $95 [1]. Which card")
