"""The reply pipeline on the real offline responder: context and guardrails applied to every reply."""

from __future__ import annotations

from tandem.contracts import CustomerContext, GenerationRequest, PreviousTicket, SimilarTicket, SourceRef
from tandem.knowledge.documents import Article
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline

LATE_ORDERS = Article(
    id="late-orders",
    title="Late orders",
    body=(
        "## Tracking a late order\n"
        "To check the status of a late order, please provide your order number so we can track it. "
        "Orders are usually delivered within 5 business days of dispatch."
    ),
)
RESOLUTION = (
    "I'm sorry your order is late. Could you please provide your order number so I can check its status? "
    "Orders are usually delivered within 5 business days of dispatch."
)


def _request(message: str, articles: list[Article] | None = None, **customer: object) -> GenerationRequest:
    return GenerationRequest(
        ticket_id="T-9",
        message=message,
        customer=CustomerContext(customer_id="c1", name="Ada", **customer),
        articles=[SourceRef(id=a.id, title=a.title, score=0.6) for a in articles or []],
        similar_tickets=[
            SimilarTicket(ticket_id="old-1", subject="late order delivery", resolution=RESOLUTION, score=9.0)
        ],
    )


def test_reply_does_not_ask_for_an_order_number_the_customer_gave() -> None:
    pipeline = ReplyPipeline(OfflineResponder())
    message = "My order A-55512 is late. What is its status, and when are orders usually delivered?"
    reply = pipeline.reply(_request(message, [LATE_ORDERS]), {LATE_ORDERS.id: LATE_ORDERS})
    assert not reply.abstained and [s.id for s in reply.sources] == ["late-orders"]
    assert "provide your order number" not in reply.text
    assert "A-55512" in reply.text and reply.facts_referred == ["order number"]
    assert "within 5 business days" in reply.text, "a deadline the cited article states may stay"
    assert reply.guardrails == []


def test_a_similar_ticket_is_no_source_for_a_promise() -> None:
    """Only cited articles license a promise; another customer's ticket is never cited nor quoted."""
    message = "My order A-55512 is late. When are orders usually delivered?"
    reply = ReplyPipeline(OfflineResponder()).reply(_request(message), {})
    assert reply.abstained and reply.sources == []
    assert "5 business days" not in reply.text and "old-1" not in reply.text
    assert [t.id for t in reply.similar_tickets] == ["old-1"]


def test_reply_mentions_a_related_previous_ticket() -> None:
    previous = [PreviousTicket(ticket_id="T-1", subject="late order delivery status", resolution="Reshipped")]
    reply = ReplyPipeline(OfflineResponder()).reply(
        _request("My order is late, what is the delivery status?", previous_tickets=previous), {}
    )
    assert "earlier ticket T-1" in reply.text
