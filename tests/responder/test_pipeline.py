"""The reply pipeline on the real offline responder: context and guardrails applied to every reply."""

from __future__ import annotations

from tandem.contracts import CustomerContext, GenerationRequest, PreviousTicket, SimilarTicket
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline

RESOLUTION = (
    "I'm sorry your order is late. Could you please provide your order number so I can check its status? "
    "Orders are usually delivered within 5 business days of dispatch."
)


def _request(message: str, **customer: object) -> GenerationRequest:
    return GenerationRequest(
        ticket_id="T-9",
        message=message,
        customer=CustomerContext(customer_id="c1", name="Ada", **customer),
        articles=[],
        similar_tickets=[
            SimilarTicket(ticket_id="old-1", subject="late order delivery", resolution=RESOLUTION, score=9.0)
        ],
    )


def test_reply_does_not_ask_for_an_order_number_the_customer_gave() -> None:
    pipeline = ReplyPipeline(OfflineResponder())
    message = "My order A-55512 is late. What is its status, and when are orders usually delivered?"
    reply = pipeline.reply(_request(message), {})
    assert not reply.abstained
    assert "provide your order number" not in reply.text
    assert "A-55512" in reply.text and reply.facts_referred == ["order number"]
    assert "within 5 business days" in reply.text, "a deadline the cited ticket states may stay"
    assert reply.guardrails == []


def test_reply_mentions_a_related_previous_ticket() -> None:
    previous = [PreviousTicket(ticket_id="T-1", subject="late order delivery status", resolution="Reshipped")]
    reply = ReplyPipeline(OfflineResponder()).reply(
        _request("My order is late, what is the delivery status?", previous_tickets=previous), {}
    )
    assert "earlier ticket T-1" in reply.text
