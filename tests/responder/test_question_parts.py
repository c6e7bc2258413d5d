"""The parts of a question as customers write them: a question without its question mark a few words into a
sentence, a second question after its own case ("and if it was an error, how fast ..."), attributes listed
with commas, "how early", and a part about a subject of its own that an earlier part's statement does not
answer."""

from __future__ import annotations

from tandem.knowledge.documents import Article
from tandem.responder.question import Question
from tests.responder.helpers import CHECK_FEES, _has, _respond


def test_a_question_a_few_words_into_a_sentence_is_asked_without_its_question_mark() -> None:
    message = (
        "a check bounced and now theres a fee. how much is the returned deposit fee? and while im at it "
        "whats the fee for a non-network atm"
    )
    asked = Question.read(message)
    assert [ask.text for ask in asked.asks] == [
        "how much is the returned deposit fee",
        "whats the fee for a non-network atm",
    ]
    reply = _respond(message, [CHECK_FEES])
    assert not reply.abstained and _has(reply.text, "$17.00", "$3.00")
    # Further into a sentence, it is told rather than asked.
    told = Question.read(
        "My old bank never really explained to me how much the fees were. What is the returned deposit fee?"
    )
    assert [ask.text for ask in told.asks] == ["What is the returned deposit fee"]


REBATES = Article(
    id="taupe-atm",
    title="Taupe Account: ATM fees",
    body="## ATM fees\n- In-network ATM withdrawals are free.\n"
    "- Monthly ATM fee rebates, up to: $20\n"
    "- Withdraw from ATMs abroad with no Taupe fee: $0.00.",
)


def test_up_to_how_much_without_a_question_mark_asks_the_figure() -> None:
    message = "Does the Taupe Account pay back ATM fees other banks charge me? up to how much a month"
    assert len(Question.read(message, frozenset({"taupe", "account"})).asks) == 2
    reply = _respond(message, [REBATES])
    assert not reply.abstained and _has(reply.text, "$20")


DISPUTES = Article(
    id="reg-e",
    title="Debit card errors: what we must do",
    body=(
        "## After you report an error\n"
        "- Investigate promptly (typically within 10 business days).\n"
        "- Report results to you within 3 business days of completing the investigation.\n"
        "- Correct any confirmed errors within 1 business day of determination.\n"
    ),
)


def test_a_second_question_after_its_own_case_is_a_part_of_its_own() -> None:
    message = (
        "I reported an error on my debit card. Once you finish investigating, how soon do you have to tell "
        "me the results, and if it turns out to be an error how fast do you fix it?"
    )
    assert len(Question.read(message).asks) == 2
    reply = _respond(message, [DISPUTES])
    assert not reply.abstained and _has(reply.text, "3 business days", "1 business day")


def test_attributes_listed_with_commas_are_asked_each() -> None:
    asked = Question.read(
        "Is there a referral program? bonus for us, bonus for them, and the minimum deposit?"
    )
    assert [ask.text for ask in asked.asks][1:] == ["bonus for us", "bonus for them", "the minimum deposit"]
    # A case told before a comma is not listed beside the question.
    assert len(Question.read("If I go over the limit, what's the fee").asks) == 1


def test_how_early_asks_for_a_period() -> None:
    ask = Question.read("how early does my paycheck show up with early direct deposit?").asks[0]
    assert ask.asks_value and ask.wants == {"duration"}


STARTED = Article(
    id="platinum-start",
    title="Platinum Rewards Card: getting started",
    body="## Fees\n- Foreign transaction fee: 0% on international purchases.\n- Annual fee: $200.00.\n",
)
REDEEMING = Article(
    id="platinum-redeem",
    title="Platinum Rewards Card: redeeming",
    body="## Redeeming\n- Rewards can be redeemed once you have at least $15 available.\n"
    "- Redeem for statement credits or travel.\n",
)


def test_a_part_about_its_own_subject_is_not_answered_by_an_earlier_parts_statement() -> None:
    """The fee statement chosen for "is there a foreign transaction fee?" says nothing about redeeming
    ("rewards" is a word of the card's name here): the second part needs a statement of its own."""
    message = (
        "taking my Platinum Rewards Card to Mexico - is there a foreign transaction fee? also how much in "
        "rewards do i need before i can redeem them"
    )
    reply = _respond(message, [STARTED, REDEEMING])
    assert not reply.abstained and _has(reply.text, "0%", "$15")
