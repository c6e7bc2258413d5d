"""What the responder tests share: fact matching as `tandem eval` scores it, and the offline responder run
as a turn runs it over a few articles written in a test."""

from __future__ import annotations

from collections.abc import Sequence

from tandem.contracts import (
    CustomerContext,
    GeneratedReply,
    GenerationRequest,
    SimilarTicket,
    SourceRef,
)
from tandem.evaluation.answers import contains_fact
from tandem.knowledge.documents import Article
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.responder.focus import decide_focus
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline

UNSURE = "not sure"


def _has(text: str, *facts: str) -> bool:
    return all(contains_fact(text, fact) for fact in facts)


def _has_any(text: str, *facts: str) -> bool:
    return any(contains_fact(text, fact) for fact in facts)


def _respond(
    message: str,
    articles: Sequence[Article],
    *,
    tickets: Sequence[SimilarTicket] = (),
    earlier: Sequence[str] = (),
) -> GeneratedReply:
    """The offline responder as a turn runs it: the focus decided first, a lexicon mined from `articles`."""
    lexicon = HelpCenterLexicon.mine(list(articles))
    customer = CustomerContext(customer_id="c-1", name="Ada")
    request = GenerationRequest(
        ticket_id="T-1",
        message=message,
        customer=customer,
        articles=[SourceRef(id=a.id, title=a.title, score=0.6) for a in articles],
        similar_tickets=list(tickets),
        focus=decide_focus(message, list(earlier), customer, lexicon.names),
    )
    passages = {a.id: a for a in articles}
    return ReplyPipeline(OfflineResponder(lexicon=lambda: lexicon)).reply(request, passages)


def _request(
    message: str,
    articles: list[SourceRef],
    name: str = "",
    tickets: list[SimilarTicket] | None = None,
) -> GenerationRequest:
    return GenerationRequest(
        ticket_id="T-1",
        message=message,
        customer=CustomerContext(customer_id="c-1", name=name),
        articles=articles,
        similar_tickets=tickets or [],
    )


def _tickets(
    *scores: float, resolution: str = "", subject: str = "my card was stolen"
) -> list[SimilarTicket]:
    return [
        SimilarTicket(ticket_id=f"T-{n}", subject=subject, resolution=resolution, score=score)
        for n, score in enumerate(scores)
    ]


# A checking account's fees and limits, as one help-center article states them.
CHECK_FEES = Article(
    id="check-fees",
    title="Checking fees and limits",
    body=(
        "## Fees and limits\n"
        "- Monthly maintenance fee: $20.00, waived with a $1,500 daily balance.\n"
        "- Debit card daily purchase limit: $4,500\n"
        "- Non-network ATM fee: $3.00 per withdrawal.\n"
        "- Returned deposit fee: $17.00 per deposited check returned unpaid.\n"
    ),
)
