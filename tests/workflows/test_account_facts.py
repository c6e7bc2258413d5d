"""The product a question is about, when the question does not name it: the customer's account, or what the
customer said earlier in the conversation. Through the whole workflow on the dev server, with the bundled help
center, whose products' figures differ (annual fees $200, $450 and $495; outgoing wires $10, $15 and $20)."""

from __future__ import annotations

from tandem.client import TandemClient
from tandem.contracts import Author, ConversationState, SupportResponse
from tandem.store import TicketStore
from tests.conftest import new_ticket


def _cited_articles(response: SupportResponse, store: TicketStore) -> list[str]:
    """The titles of the help-center articles the reply cites; fails on any other kind of source."""
    assert response.sources, "the answer cites its sources"
    assert all(s.kind == "article" and not s.internal for s in response.sources), response.sources
    ids = [s.id for s in response.sources]
    articles = store.get_articles(ids)
    assert set(articles) == set(ids), "every source is a quotable help-center article"
    return [articles[i].title for i in ids]


async def test_the_card_on_the_account_answers_whats_my_annual_fee(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket(product="credit_cards", account_facts={"card": "Platinum Rewards Card"})
    response = await local_tandem.send_message(start.ticket_id, "what's my annual fee?", start=start)

    assert response.author is Author.AI and response.state is ConversationState.AI_ACTIVE
    assert not response.escalation.escalate
    assert "$200" in response.text, response.text
    assert "$450" not in response.text, "not the Business Platinum Rewards Card's fee"
    assert "$495" not in response.text, "not the Diamond Elite Card's fee"
    titles = _cited_articles(response, store)
    assert any(t.startswith("Platinum Rewards Card") for t in titles), titles
    assert not any("Business" in t or "Diamond" in t for t in titles), "only the account's card is cited"
    assert "[1]" in response.text

    stored = [e for e in store.transcript(start.ticket_id) if e.author is Author.AI]
    assert [e.text for e in stored] == [response.text]
    assert all(s.kind == "article" for s in stored[0].sources), "no resolved ticket is a customer's source"


async def test_a_follow_up_is_about_the_product_named_a_message_earlier(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tid = start.ticket_id
    first = await local_tandem.send_message(
        tid, "Hi, I have the Navy Blue business checking account.", start=start
    )
    assert first.author is Author.AI and first.state is ConversationState.AI_ACTIVE

    response = await local_tandem.send_message(tid, "how much is an outgoing wire?")

    assert response.author is Author.AI and response.state is ConversationState.AI_ACTIVE
    assert "$15" in response.text, response.text
    assert "$10" not in response.text, "not the Lime Green Account's wire fee"
    assert "$20" not in response.text, "not the Cobalt Blue Account's wire fee"
    titles = _cited_articles(response, store)
    assert titles and all("Navy Blue" in t for t in titles), titles
