"""How customers write a question and what it asks: amounts in thousands, a question told after its story,
thresholds ("how much do I need to have before ..."), worked cases in articles, light verbs and words of talk,
and both shares of a referral."""

from __future__ import annotations

import pytest

from tandem.knowledge.documents import Article
from tandem.responder.passages import statements
from tandem.responder.question import Question
from tests.responder.helpers import CHECK_FEES, _has, _respond


def test_thousands_written_short_are_an_amount_not_a_word() -> None:
    """ "under $10k" is the help center's "$10,000": an amount the customer gave (which a reply repeating it
    does not answer), not a word no article uses (which would leave the question looking unanswered)."""
    question = Question.read("What APY do I get while my balance is under $10k? I have about 6k.")
    assert question.values == {"$10000", "6000"}
    assert not {"10k", "6k"} & question.words
    assert "401k" in Question.read("Can I roll my 401k into a savings account?").words


def test_a_sentence_that_tells_then_asks_after_a_comma_asks_a_second_thing() -> None:
    """ "Also a customer check bounced on me last month, what's the returned deposit fee" asks, without a
    question mark, a second thing: the reply answers both. A question after its story points back to that
    story ("... bounced last month, what do you charge for that": "that" is the bounced check), and when it
    happened ("last month") is not what is asked."""
    message = (
        "Whats the most I can spend on my debit card in one day? Also a customer check bounced on me last "
        "month, what's the returned deposit fee"
    )
    reply = _respond(message, [CHECK_FEES])
    assert not reply.abstained and _has(reply.text, "$4,500", "$17.00") and not _has(reply.text, "$20.00")
    told = Question.read(
        "Is there a stop fee? also a check i deposited bounced last month, what do you charge for that"
    )
    assert [ask.text for ask in told.asks][1] == "what do you charge for that"
    assert {"bounc", "deposit"} <= told.asks[1].terms
    assert "month" not in told.words
    for story in ("buying a new couch this weekend", "a charge from about 5 weeks back"):
        assert not {"weekend", "week"} & Question.read(f"What's my daily limit? {story}").words


REWARDS = Article(
    id="rewards",
    title="Bronze Rewards Card: cash back",
    body=(
        "## Earning\n- You earn 1.0% cash back on eligible purchases charged to your account.\n\n"
        "## Redeeming\n- You can redeem once your available rewards balance is at least $17.\n"
        "- Redemptions post as a statement credit.\n"
    ),
)


def test_how_much_one_needs_to_have_asks_for_the_threshold() -> None:
    """ "How much cash back do I need to have before I can redeem it?" asks what one must reach, which help
    centers state as a bound or a requirement ("at least $17", "must deposit $500"), not the earning rate."""
    reply = _respond("How much cash back do I need to have before I can redeem it?", [REWARDS])
    assert not reply.abstained and _has(reply.text, "$17") and not _has(reply.text, "1.0%")
    assert Question.read("how much do they have to spend?").asks[0].wants_bound
    assert statements("- The referred person must deposit $500 to qualify.", 0)[0].bounded


TEEN_ATM = Article(
    id="teen-atm",
    title="Light Green: ATM fees",
    body=(
        "## Key details\n- Free out-of-network ATM withdrawals per month: 4\n"
        "- Out-of-network ATM withdrawal fee (after free): $1.50\n\n"
        "## Tips to manage fees\n"
        "- Two withdrawals of $200 each would cost 2 x $3.50; one withdrawal of $400 would cost $5.00.\n"
    ),
)


def test_a_worked_case_is_not_the_rule_asked_for() -> None:
    """ "Two withdrawals of $200 each would cost ..." works a case through; "what does each one cost after the
    free ones?" is answered by the fee itself."""
    reply = _respond(
        "After the free out-of-network ATM withdrawals are used up, what does each one cost?", [TEEN_ATM]
    )
    assert not reply.abstained and _has(reply.text, "$1.50") and not _has(reply.text, "$3.50")


CARD_TERMS = Article(
    id="card-terms",
    title="Green Rewards Card: eligibility and limits",
    body=(
        "## Eligibility\n- Personal credit: You should meet a minimum FICO score of 690.\n"
        "- Business age: at least 2 years.\n\n"
        "## Credit line\n- Credit lines range from $5,000 to $50,000 based on your application.\n"
    ),
)


@pytest.mark.parametrize(
    ("light", "plain"),
    [
        ("What's the minimum FICO score you look for?", "What's the minimum FICO score?"),
        ("How high can the credit line go?", "How high is the credit line?"),
        ("What kind of credit line do you usually approve?", "What credit line do you approve?"),
        (
            "What credit line do you approve, since the range matters?",
            "What credit line do you approve, the range matters?",
        ),
    ],
)
def test_words_of_talk_are_no_words_the_answer_must_hold(light: str, plain: str) -> None:
    """Light verbs ("look for", "go", "take") and words of talk ("what kind of", "usually", "actually"):
    they carry the sentence, not its topic. Rare in a help center, they would weigh most among the words an
    answer must hold and push a right answer under the threshold."""
    said_lightly = _respond(light, [CARD_TERMS])
    assert not said_lightly.abstained
    assert said_lightly.confidence >= 0.95 * _respond(plain, [CARD_TERMS]).confidence


REFERRALS = Article(
    id="referrals",
    title="Bluest Account: referrals",
    body=(
        "## Refer a friend\n- Referrer bonus: $75 per successful referral\n"
        "- New member bonus: $50 for the person you refer\n- Minimum opening deposit: $100\n"
    ),
)


def test_what_we_each_get_asks_both_shares() -> None:
    """ "If I refer her, what do we each get?" asks the customer's share and the other person's."""
    reply = _respond("If I refer a friend, what do we each get?", [REFERRALS])
    assert not reply.abstained and _has(reply.text, "$75", "$50") and not _has(reply.text, "$100")


STATEMENTS_FEES = Article(
    id="paper-statements",
    title="Bronze Savings: statements",
    body=(
        "## Statements\n- Paper statement fee: $2.50 per month\n"
        "- E-statements are free and available in the app.\n"
    ),
)


def test_a_price_asked_as_a_charge_is_held_by_a_fee() -> None:
    """ "What do you charge for paper statements?" is answered by "Paper statement fee: $2.50": a help center
    calls a price a fee, a cost or a charge, and the answer holds what was asked whichever word it uses."""
    charged = _respond("What do you charge for mailed paper statements?", [STATEMENTS_FEES])
    fee = _respond("What is the fee for mailed paper statements?", [STATEMENTS_FEES])
    assert not charged.abstained and _has(charged.text, "$2.50")
    # the same coverage; only the meaning (WordLlama) of "charge" and "fee" differs a little
    assert charged.confidence >= 0.85 * fee.confidence
