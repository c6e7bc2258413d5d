"""Other customers' resolved tickets inform the agent, never the customer: a reply never carries another
ticket's id, subject or resolution, and the agent's draft says so when there is nothing to suggest."""

from __future__ import annotations

from tandem.contracts import SimilarTicket
from tandem.knowledge.documents import Article
from tandem.responder.drafts import NO_SUGGESTION, draft_for_agent
from tests.responder.helpers import UNSURE, _respond

TICKET = SimilarTicket(
    ticket_id="T-4711",
    subject="Grace charged twice for one card payment at Cafe Luna",
    category="charged_twice",
    resolution=(
        "Told Grace Hopper that duplicate card charges are reversed automatically within 3 business days. "
        "If it is still there after that, open a dispute from the app."
    ),
    score=0.9,
)
SECRETS = ("T-4711", "Grace Hopper", "Cafe Luna", "3 business days", "open a dispute from the app")


def test_a_reply_never_carries_another_tickets_id_subject_or_resolution() -> None:
    message = "I was charged twice for one card payment, what happens now?"
    tickets = [TICKET, TICKET.model_copy(update={"ticket_id": "T-4712", "score": 0.8})]
    reply = _respond(message, [], tickets=tickets)
    # The tickets know the question and no article answers: the customer is offered a person.
    assert reply.abstained and reply.sources == [] and reply.confidence >= 0.35
    assert UNSURE not in reply.text and "person" in reply.text
    for secret in SECRETS:
        assert secret not in reply.text
        assert not any(secret in f"{s.id} {s.title} {s.snippet}" for s in reply.sources)
    # They go to the agent: ids, subjects and resolutions.
    assert [(t.kind, t.id, t.title) for t in reply.similar_tickets] == [
        ("ticket", "T-4711", TICKET.subject),
        ("ticket", "T-4712", TICKET.subject),
    ]
    assert reply.similar_tickets[0].snippet == TICKET.resolution

    text, sources = draft_for_agent(reply)
    assert "T-4711" in text and "T-4712" in text and TICKET.subject in text and TICKET.resolution in text
    assert [s.id for s in sources] == ["T-4711", "T-4712"]


def test_an_answer_from_the_help_center_leaves_the_tickets_to_the_agent() -> None:
    article = Article(
        id="duplicate-charges",
        title="Duplicate card charges",
        body=(
            "A duplicate card charge is usually a pending authorisation. It drops off within 5 business days."
        ),
    )
    reply = _respond("How long until a duplicate card charge drops off?", [article], tickets=[TICKET])
    assert not reply.abstained and [s.id for s in reply.sources] == ["duplicate-charges"]
    assert "5 business days" in reply.text
    for secret in SECRETS:
        assert secret not in reply.text
    assert [t.id for t in reply.similar_tickets] == ["T-4711"]
    # A grounded answer is the agent's draft as it is.
    assert draft_for_agent(reply) == (reply.text, reply.sources)


def test_without_a_resolution_the_agent_draft_says_there_is_no_suggestion() -> None:
    unresolved = TICKET.model_copy(update={"resolution": ""})
    reply = _respond(
        "I was charged twice for the same card payment, what happens now?", [], tickets=[unresolved]
    )
    text, sources = draft_for_agent(reply)
    assert NO_SUGGESTION in text and sources == []
