"""What a customer gets from one AI turn: the right product's figure, the things asked and nothing that
contradicts it, a question back when the product decides the answer, an honest abstention otherwise, and
never another customer's ticket.

The bundled help center runs through `TurnAnswerer` over a real SQLite store and the embedded knowledge
service (as `tandem eval` builds it); the small articles written here run through the offline responder with
a lexicon mined from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tandem.contracts import (
    Author,
    CustomerContext,
    GeneratedReply,
    GenerationRequest,
    SimilarTicket,
    SourceRef,
    TranscriptEntry,
    TurnRequest,
)
from tandem.evaluation.answers import contains_fact
from tandem.knowledge.documents import Article
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.knowledge.loaders import load_articles_jsonl
from tandem.knowledge.service import KnowledgeService
from tandem.responder.focus import decide_focus
from tandem.responder.offline import OfflineResponder
from tandem.responder.passages import statements
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.selection import Question, conflicting, select
from tandem.responder.turn import TurnAnswerer
from tandem.store import TicketStore, create_schema, make_engine

KB = Path(__file__).resolve().parents[2] / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"
UNSURE = "not sure"


def _has(text: str, *facts: str) -> bool:
    return all(contains_fact(text, fact) for fact in facts)


def _has_any(text: str, *facts: str) -> bool:
    return any(contains_fact(text, fact) for fact in facts)


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


# --- small help centers written here -----------------------------------------------------------------

FEES = {
    "blue-fees": (
        "Blue Account: Fees",
        "## Monthly fees\n- Monthly maintenance fee: $20.00\n"
        "- Minimum daily balance to waive the fee: $1,500\n\n"
        "## Wires\n- Outgoing domestic wire fee: $15.00\n\n"
        "The Blue Account is a personal checking account, and fees post to your account monthly.",
    ),
    "blue-open": (
        "Blue Account: Opening an account",
        "To open a Blue Account, sign in to the app and choose Open an account. Fund the account with at "
        "least $25.",
    ),
    "navy-fees": (
        "Navy Blue Account: Fees",
        "## Monthly fees\n- Monthly maintenance fee: $25.00\n"
        "- Minimum daily balance to waive the fee: $5,000\n\n"
        "## Wires\n- Outgoing domestic wire fee: $10.00\n\n"
        "The Navy Blue Account is a business checking account, and fees post to your account monthly.",
    ),
    "navy-open": (
        "Navy Blue Account: Opening an account",
        "To open a Navy Blue Account, sign in to business banking and choose Open an account. Fund the "
        "account with at least $100.",
    ),
    "green-fees": (
        "Green Account: Fees",
        "## Monthly fees\n- Monthly maintenance fee: $5.00\n\n"
        "## Wires\n- Outgoing domestic wire fee: $12.00\n\n"
        "The Green Account is a student checking account, and fees post to your account monthly.",
    ),
    "green-open": (
        "Green Account: Opening an account",
        "To open a Green Account, sign in to the app with your student email. Fund the account with any "
        "amount.",
    ),
}
SIBLINGS = [Article(id=key, title=title, body=body) for key, (title, body) in FEES.items()]
SCHEDULE = Article(
    id="schedule",
    title="Fee schedule",
    body=(
        "## Current fees\n- Monthly maintenance fee: $20.00\n- Paper statement fee: $2.00\n\n"
        "## Fees before March 2024\n- Monthly maintenance fee: $25.00\n- Paper statement fee: $3.00"
    ),
)


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


def test_a_question_asking_two_things_gets_both_values() -> None:
    reply = _respond(
        "What's the monthly maintenance fee and the outgoing domestic wire fee on the Blue Account?", SIBLINGS
    )
    assert not reply.abstained and [s.id for s in reply.sources] == ["blue-fees"]
    assert "Monthly maintenance fee: $20.00 [1]" in reply.text
    assert "Outgoing domestic wire fee: $15.00 [1]" in reply.text
    # Not the siblings' figures, nor what was not asked.
    assert not _has_any(reply.text, "$25", "$10", "$5", "$12", "$1,500")


def test_a_named_product_is_answered_from_its_own_article() -> None:
    reply = _respond("What is the monthly maintenance fee on the Navy Blue Account?", SIBLINGS)
    assert not reply.abstained and not reply.clarifying
    assert [s.id for s in reply.sources] == ["navy-fees"]
    assert _has(reply.text, "$25") and not _has(reply.text, "$20")


def test_a_clarifying_question_when_the_product_decides_the_figure() -> None:
    reply = _respond("What is the monthly maintenance fee?", SIBLINGS)
    assert reply.clarifying and not reply.abstained
    assert reply.sources == [] and "[1]" not in reply.text
    for name in (r"(?<!Navy )Blue Account", "Navy Blue Account", "Green Account"):
        assert re.search(name, reply.text), name
    assert not any(ch.isdigit() for ch in reply.text), "a question back states no figure"
    assert reply.confidence >= 0.35  # the help center knows the answer; only the product is open
    # Once the customer has said which one, the figure follows.
    answer = _respond(
        "What is the monthly maintenance fee?", SIBLINGS, earlier=["It's the Navy Blue Account."]
    )
    assert not answer.clarifying and _has(answer.text, "$25") and not _has(answer.text, "$20")


def test_steps_are_not_a_reason_to_ask_which_product() -> None:
    reply = _respond("How do I open a Navy Blue Account?", SIBLINGS)
    assert not reply.clarifying and not reply.abstained
    assert [s.id for s in reply.sources] == ["navy-open"] and "business banking" in reply.text


def test_an_unknown_product_name_abstains_rather_than_answering_from_a_sibling() -> None:
    reply = _respond("What is the monthly maintenance fee on the Teal Account?", SIBLINGS)
    assert reply.abstained and reply.confidence == 0.0 and reply.sources == []
    assert "Teal Account" in reply.text and not _has_any(reply.text, "$20", "$25", "$5")


def test_small_talk_sharing_words_with_the_articles_abstains() -> None:
    for message in ("what day is it", "stop doing that", "account"):
        reply = _respond(message, SIBLINGS)
        assert reply.abstained and UNSURE in reply.text, message


def test_conflicting_values_are_never_both_quoted() -> None:
    """The schedule states two monthly maintenance fees ($20 now, $25 before March 2024): one reply never
    quotes both, even when the question asks the fee twice over."""
    found = {s.text: s for s in statements(SCHEDULE.body, 0)}
    now, before = found["Monthly maintenance fee: $20.00"], found["Monthly maintenance fee: $25.00"]
    paper = found["Paper statement fee: $2.00"]
    assert conflicting(now, before) and conflicting(before, now)
    assert not conflicting(now, paper) and not conflicting(now, now)

    question = Question.read("What is the monthly maintenance fee? And what's the monthly fee?")
    assert len(question.asks) == 2
    selection = select(list(found.values()), question, [1.0])
    ranked = [s for _, s in selection.ranked]
    assert now in ranked and before in ranked  # both answer it; only one may be said
    assert sum(s.label == now.label for s in selection.chosen) == 1

    for message in (
        "What is the monthly maintenance fee?",
        "What is the monthly maintenance fee? And what's the monthly fee?",
        "What is the monthly maintenance fee and the paper statement fee?",
    ):
        reply = _respond(message, [SCHEDULE])
        assert not (_has(reply.text, "$20") and _has(reply.text, "$25")), reply.text
        assert not (_has(reply.text, "$2") and _has(reply.text, "$3")), reply.text
    both = _respond("What is the monthly maintenance fee and the paper statement fee?", [SCHEDULE])
    assert _has(both.text, "$20", "$2") and not both.abstained


def test_a_message_that_only_says_what_the_customer_has_is_acknowledged_not_answered_with_not_sure() -> None:
    from tandem.responder.question import only_tells_what_they_have

    assert only_tells_what_they_have("Hi, I have the Navy Blue business checking account.")
    assert not only_tells_what_they_have("My card was stolen")  # a problem to act on
    assert not only_tells_what_they_have("I have the Blue Account. What's the fee?")  # a question


# Articles whose titles do not say the product in full: "... on Beige", or a general title over a body
# that names one account.
FILED_UNDER = [
    Article(
        id="lime-apy",
        title="Lime Green Account: Interest explained",
        body="- The Lime Green Account earns an APY of 1.5%, compounded daily.\n"
        "- Interest is paid monthly to your Lime Green Account, and shows in your account history.",
    ),
    Article(
        id="beige-deposits",
        title="Mobile deposits and wires on Beige",
        body="- The daily mobile check deposit limit is $100,000.\n- Wires are free on this account, and "
        "any account holder can send one.",
    ),
    Article(
        id="beige-intro",
        title="Beige Account: At a glance",
        body="The Beige Account is for companies with large balances. Open a Beige Account online; each "
        "account needs two signers, and an account can have many users.",
    ),
    Article(
        id="teal-fees",
        title="How to avoid monthly fees",
        body="The Teal Account is our everyday account. The monthly maintenance fee is $9.00. "
        "Keep $500 in your Teal Account to avoid it.",
    ),
    Article(
        id="teal-intro",
        title="Teal Account: At a glance",
        body="The Teal Account is for everyday spending. Open an account in the app; an account can have a "
        "joint owner, and your account is free.",
    ),
]


def test_an_article_titled_with_another_products_short_name_is_not_quoted() -> None:
    """ "Mobile deposits and wires on Beige" is the Beige Account's article though its title drops "Account":
    its $100,000 limit is no answer about the Lime Green Account."""
    reply = _respond("Lime Green Account: what's the daily limit for mobile check deposits?", FILED_UNDER)
    assert not _has(reply.text, "$100,000") and reply.abstained
    beige = _respond("What's the daily mobile check deposit limit on Beige?", FILED_UNDER)
    assert _has(beige.text, "$100,000")


def test_a_general_title_is_read_as_the_one_product_its_text_names() -> None:
    reply = _respond("What is the monthly maintenance fee on the Lime Green Account?", FILED_UNDER)
    assert not _has(reply.text, "$9.00") and reply.abstained
    teal = _respond("What is the monthly maintenance fee on the Teal Account?", FILED_UNDER)
    assert _has(teal.text, "$9.00") and not teal.abstained


def test_a_later_part_pointing_back_is_answered_after_the_first_parts_statement() -> None:
    """ "Is there a cap?" after the ATM fee asks for the fee's cap: the statement quoted for the first part
    scores highest for it too, and must not set the bar that the cap's own statement is measured against."""
    articles = [
        Article(
            id="atm",
            title="Dark Green Account: Foreign ATM fees",
            body="## Foreign ATM fees\nWhen you withdraw cash from an ATM abroad, a fee of 2.5% of the "
            "withdrawal amount is charged. The fee is capped at a maximum of $6.00 per transaction.\n\n"
            "## Referrals\n- Annual cap: 6 referrals",
        ),
    ]
    reply = _respond(
        "My son has a Dark Green Account and is abroad. What do you charge when he takes cash out of an "
        "ATM there? Is there a cap?",
        articles,
    )
    assert not reply.abstained and _has(reply.text, "2.5%", "$6.00")


def test_what_the_customer_gets_and_what_the_friend_deposits_are_two_values() -> None:
    """ "How much do I get" asks for the bonus; a statement with one amount and a period ("$25,000 within 90
    days") answers one "how much", not two."""
    articles = [
        Article(
            id="refer",
            title="Navy Blue Account: Referral program",
            body="## Referring a business\n- The referred business must open a Navy Blue Account.\n"
            "- They must deposit at least $25,000 within 90 days of account opening.\n\n"
            "## Rewards\n- Your bonus: $300 for each successful referral\n"
            "- Their bonus: $200 welcome bonus for the new business",
        ),
    ]
    reply = _respond(
        "If I refer a supplier to the Navy Blue Account, how much do I get, and how much do they have to "
        "deposit?",
        articles,
    )
    assert not reply.abstained and _has(reply.text, "$300", "$25,000")


def test_a_time_window_asks_for_a_period() -> None:
    question = Question.read("How many referral bonuses can I get, and over what time window?")
    assert question.asks[-1].wants >= {"duration"} and "time" not in question.asks[-1].wants
    assert "time" in Question.read("What time is the wire cut-off?").asks[0].wants
