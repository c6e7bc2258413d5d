"""What a customer gets from one AI turn over the bundled help center, through `TurnAnswerer` over a real
SQLite store and the embedded knowledge service (as `tandem eval` builds it): the right product's figure, the
things asked, an honest abstention otherwise. Small help centers written for one behaviour are in
test_small_help_centers.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tandem.contracts import (
    Author,
    CustomerContext,
    GeneratedReply,
    TranscriptEntry,
    TurnRequest,
)
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.loaders import load_articles_jsonl
from tandem.knowledge.service import KnowledgeService
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer
from tandem.store import TicketStore, create_schema, make_engine
from tests.responder.helpers import UNSURE, _has, _has_any

KB = Path(__file__).resolve().parents[2] / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"


# --- the bundled help center, one turn at a time --------------------------------------------------


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TurnAnswerer]:
    """What the worker runs for a turn: a store filled with the help center, the embedded service, the
    offline responder with the service's lexicon."""
    folder = tmp_path_factory.mktemp("rho")
    engine = make_engine(f"sqlite:///{folder / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    store.upsert_articles(load_articles_jsonl(KB))
    knowledge = KnowledgeService(store, default_embedder())
    yield TurnAnswerer(knowledge, ReplyPipeline(OfflineResponder(lexicon=knowledge.lexicon)))
    engine.dispose()


def _turn(
    answerer: TurnAnswerer,
    message: str,
    *,
    account: dict[str, str] | None = None,
    earlier: Sequence[str] = (),
    product: str | None = None,
) -> GeneratedReply:
    at = datetime(2025, 1, 1, 9, tzinfo=UTC)
    history = [
        TranscriptEntry(message_id=f"m{n}", author=Author.CUSTOMER, text=text, at=at)
        for n, text in enumerate(earlier)
    ]
    customer = CustomerContext(customer_id="c-1", name="Ada", account_facts=account or {}, product=product)
    return answerer.answer(TurnRequest(ticket_id="T-1", message=message, customer=customer, history=history))


def test_the_account_fact_picks_the_product(answerer: TurnAnswerer) -> None:
    """The Platinum Rewards Card costs $200 a year; the Business Platinum Rewards Card $450, the Diamond
    Elite Card $495. "my annual fee" is the card on the customer's account."""
    reply = _turn(answerer, "what's my annual fee?", account={"card": "Platinum Rewards Card"})
    assert not reply.abstained and not reply.clarifying
    assert _has(reply.text, "$200") and not _has_any(reply.text, "$450", "$495")
    assert reply.focus is not None and reply.focus.source == "account"
    assert all(s.title.startswith("Platinum Rewards Card:") for s in reply.sources), reply.sources


def test_a_follow_up_keeps_the_product_of_an_earlier_message(answerer: TurnAnswerer) -> None:
    """Outgoing domestic wires cost $15 from the Navy Blue Account, $10 and $20 from its siblings."""
    earlier = ["I have the Navy Blue business checking account."]
    reply = _turn(answerer, "how much is an outgoing wire?", earlier=earlier)
    assert not reply.abstained
    assert _has(reply.text, "$15") and not _has_any(reply.text, "$10", "$20")
    assert reply.focus is not None and reply.focus.source == "history"
    assert [s.title for s in reply.sources] == ["Navy Blue Account: Wire Transfer Pricing"]


def test_an_faq_answer_is_quoted_rather_than_its_question(answerer: TurnAnswerer) -> None:
    reply = _turn(answerer, "How long do I have to cancel an Everyone Pay payment?")
    assert not reply.abstained and [s.title for s in reply.sources] == ["FAQ: Everyone Pay"]
    assert "You can cancel eligible payments within 17 minutes of submission." in reply.text
    assert "How long do I have to cancel a payment?" not in reply.text


def test_an_unknown_product_name_abstains(answerer: TurnAnswerer) -> None:
    reply = _turn(answerer, "What is the annual fee on the Titanium Rewards Card?")
    assert reply.abstained and reply.confidence == 0.0 and reply.sources == []
    assert "Titanium Rewards Card" in reply.text and "person" in reply.text
    assert not _has_any(reply.text, "$200", "$450", "$495", "$0")


@pytest.mark.parametrize("message", ["what day is it", "tell me a joke", "ok thanks", "hello?"])
def test_small_talk_abstains(answerer: TurnAnswerer, message: str) -> None:
    reply = _turn(answerer, message)
    assert reply.abstained and reply.sources == [] and UNSURE in reply.text
    assert reply.confidence < 0.35


def test_when_the_best_articles_state_nothing_asked_the_next_ones_are_read(answerer: TurnAnswerer) -> None:
    """The Silver savings account's opening deposit is stated in an article retrieval ranks below four others
    about the account: a turn whose first articles state nothing it was asked reads four more before it
    says it is not sure."""
    reply = _turn(
        answerer,
        "Thinking about the Silver savings account - what's the minimum to open it, and what's the monthly "
        "fee if my balance falls below the requirement?",
        product="savings_accounts",
    )
    assert not reply.abstained and _has(reply.text, "$500", "$5.00"), reply.text


def test_the_words_of_another_part_do_not_choose_this_parts_statement(answerer: TurnAnswerer) -> None:
    """The Light Blue Account's cashier's check costs $10 and its EveryonePay daily sending limit is $1,500:
    the second part's words (daily, sending, limit) do not make the limit the first part's answer."""
    reply = _turn(
        answerer,
        "Need a cashiers check for a used car - how much is that on the Light Blue Account? and whats my "
        "daily EveryonePay sending limit",
    )
    assert not reply.abstained and _has(reply.text, "$10", "$1,500"), reply.text
    assert not _has(reply.text, "$2,500"), reply.text
