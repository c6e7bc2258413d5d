"""Questions asking for a bound or a range (answered by a statement that states one, or not at all), and
acronyms answered by the words they stand for."""

from __future__ import annotations

import pytest

from tandem.knowledge.documents import Article
from tandem.responder.passages import statements
from tandem.responder.question import Question
from tandem.responder.selection import select
from tests.responder.helpers import _has, _respond

TERMS = Article(
    id="terms",
    title="Lilac Plan: repayment terms",
    body=(
        "## Standard repayment term\n"
        "- If you do not choose a custom schedule, your plan defaults to a 12-month repayment term.\n\n"
        "## Flexible repayment term\n- You may select a custom repayment term between 7 and 18 months.\n\n"
        "## Choosing your term\n- If no selection is made at setup, the plan proceeds at 12 months."
    ),
)


@pytest.mark.parametrize(
    "message",
    ["What's the longest repayment term I can choose?", "What is the shortest repayment term I can pick?"],
)
def test_a_question_asking_for_a_bound_is_answered_by_the_bound(message: str) -> None:
    """ "The longest term" is stated as a limit ("between 7 and 18 months"), not by the term that merely
    applies by default."""
    reply = _respond(message, [TERMS])
    assert not reply.abstained and _has(reply.text, "7", "18")


def test_a_bound_the_help_center_does_not_state_is_not_answered_with_a_value_that_merely_applies() -> None:
    article = Article(
        id="default",
        title="Lilac Plan: repayment terms",
        body="## Standard repayment term\n- If you do not choose a custom schedule, your plan defaults to a "
        "12-month repayment term.",
    )
    reply = _respond("What's the longest repayment term I can choose?", [article])
    assert reply.abstained and not _has(reply.text, "12")


def test_a_range_is_answered_with_both_ends_or_not_at_all() -> None:
    approval = Article(
        id="approval",
        title="Lilac Card: what you get on approval",
        body="## On approval\n- Your starting credit line will be at least $10,000.\n- Annual fee: $0.00.",
    )
    reply = _respond("What range of credit line can I expect on the Lilac Card?", [approval])
    assert reply.abstained and not _has(reply.text, "$10,000")
    limits = Article(
        id="limits",
        title="Lilac Card: credit limits",
        body="## Your credit line range\n"
        "- Your initial credit line will be at least $10,000 and may be as high as $50,000 after review.",
    )
    reply = _respond("What range of credit line can I expect on the Lilac Card?", [approval, limits])
    assert not reply.abstained and _has(reply.text, "$10,000", "$50,000")


def test_an_acronym_is_answered_by_the_words_it_stands_for() -> None:
    interest = Article(
        id="beige-interest",
        title="Beige Account: earning interest",
        body="## Rate and compounding\n"
        "- Balances in the Beige Account earn an Annual Percentage Yield of 3.0%.\n"
        "- Interest on the Beige Account is compounded daily.",
    )
    fees = Article(
        id="beige-fees",
        title="Beige Account: fees",
        body="## Fees\n- Monthly fee of the Beige Account: $25.00\n- Wires from the Beige Account: $15.00",
    )
    reply = _respond("What's the APY on the Beige Account?", [interest, fees])
    assert not reply.abstained and _has(reply.text, "3.0%"), reply.text


def test_a_statement_pointing_elsewhere_does_not_state_the_value() -> None:
    article = Article(
        id="gold-fees",
        title="Gold Account: balance and fees",
        body="## Minimum balance\n"
        "- If your Gold Account balance drops under the $10,000 minimum, you may incur the monthly charge "
        "described below.\n\n"
        "## Gold Account maintenance fee\n- Maintenance fee: $10.00 per month",
    )
    reply = _respond(
        "What do you charge on the Gold Account if my balance drops under the minimum?", [article]
    )
    # The threshold is no answer to "what do you charge": the fee, or "not sure", never $10,000.
    assert not _has(reply.text, "$10,000"), reply.text
    assert reply.abstained or _has(reply.text, "$10.00"), reply.text


REFERRAL = Article(
    id="mauve-referral",
    title="Mauve Account: refer a friend",
    body="## Referral program\n"
    "- Their bonus: $30 welcome bonus when they open a Mauve Account.\n"
    "- Your bonus: $20 for each friend who opens a Mauve Account.\n"
    "- To qualify: The referred friend must deposit at least $500 within 60 days.",
)


@pytest.mark.parametrize(
    "message",
    [
        "My sister wants a Mauve Account too. Whats my bonus if she signs up through my referral?",
        "If I refer a friend to the Mauve Account, how much do I get?",
    ],
)
def test_the_customers_own_share_is_not_answered_with_the_other_persons(message: str) -> None:
    """A referral states both sides; "what do I get" is the referrer's bonus, never the friend's."""
    reply = _respond(message, [REFERRAL])
    assert not _has(reply.text, "$30") and not _has(reply.text, "$500"), reply.text
    assert reply.abstained or _has(reply.text, "$20"), reply.text


def test_the_other_persons_share_is_still_answered() -> None:
    reply = _respond(
        "How much does my friend need to deposit to qualify for the Mauve Account referral?", [REFERRAL]
    )
    assert not reply.abstained and _has(reply.text, "$500"), reply.text


TABLED_REFERRAL = Article(
    id="taupe-referral",
    title="Taupe Account: referral details",
    body="## Referral details\n| Detail | Amount |\n|---|---|\n| Referrer bonus | $500 |\n"
    "| Referred bonus | $350 |\n| Maximum per year | 15 |",
)


@pytest.mark.parametrize(
    "message",
    [
        "If we refer another company to the Taupe Account, what welcome bonus do they get?",
        "If we refer a supplier to the Taupe Account, what bonus does their business get?",
        "If she opens a Taupe Account through my referral, what does her company get?",
    ],
)
def test_the_other_persons_share_is_not_answered_with_the_customers(message: str) -> None:
    """The other way round: "what do they get" is not the referrer's own labelled share, however the other
    side is named ("they", "their business", "her company")."""
    question = Question.read(message, frozenset({"taupe", "account"}))
    chosen = select(statements(TABLED_REFERRAL.body, 0), question, [1.0]).chosen
    assert [s.values for s in chosen] == [("$350",)], [s.text for s in chosen]


def test_two_limits_asked_side_by_side_are_both_answered() -> None:
    """Two limits of one card share most words ("daily", "limit", "debit card"): a part that names what
    the other lacks ("ATMs") asks about the other limit, which is no second figure for the first."""
    article = Article(
        id="teal-limits",
        title="Teal Account: limits",
        body="## Card limits\n- Debit card daily purchase limit: $15,000.\n"
        "- Your Teal Account debit card has a daily ATM withdrawal limit of $1,500.\n"
        "- Keep your daily balance at or above $2,500 to avoid the monthly fee of $25.00.",
    )
    reply = _respond(
        "Teal Account - whats the daily limit for debit card purchases, and how much cash can i pull from "
        "ATMs in one day?",
        [article],
    )
    assert not reply.abstained and _has(reply.text, "$15,000", "$1,500"), reply.text
    assert not _has(reply.text, "$2,500"), reply.text


def test_how_many_asks_a_count_whatever_attribute_follows() -> None:
    """ "How many ... for balance aggregation" counts accounts: a balance in dollars does not answer it."""
    article = Article(
        id="ochre-links",
        title="Ochre Account: linking external accounts",
        body="## Linking\n- Link external accounts to centralize balance reporting.\n"
        "- You can connect up to 30 external accounts for balance aggregation.\n"
        "- Keep the aggregated balance at or above $250,000 to avoid the monthly fee.",
    )
    reply = _respond(
        "How many external bank accounts can we link to the Ochre Account for balance aggregation?", [article]
    )
    assert not reply.abstained and _has(reply.text, "30") and not _has(reply.text, "$250,000"), reply.text


def test_a_new_count_does_not_answer_a_part_asking_a_rate() -> None:
    """ "What APR kicks in after the 0%?": "0% for the first 12 billing cycles" states the customer's own
    rate and a count; it answers the other part, not this one (the rate after, or "not sure")."""
    article = Article(
        id="teal-promo",
        title="Teal Card: new customer promotion",
        body="## Promotional APR\n"
        "- Enjoy a promotional APR of 0% on purchases for the first 12 billing cycles.\n"
        "- The promotional rate lasts for 12 billing cycles from account opening.\n"
        "- Plan ahead for when the rate reverts to 21.49% after the promotional period.",
    )
    reply = _respond(
        "The Teal Card has a 0% APR promo. How many billing cycles does the 0% last and what APR kicks in "
        "after?",
        [article],
    )
    assert reply.abstained or _has(reply.text, "12", "21.49%"), reply.text


def test_a_count_written_with_a_currency_sign_still_answers_how_many() -> None:
    article = Article(
        id="cyan-limits",
        title="Cyan business checking: getting started",
        body="## Included each month\n"
        "- You get $150 free transactions per month (deposits and withdrawals).\n"
        "- Each transaction over the free ones costs $0.40.",
    )
    reply = _respond("How many free transactions do we get per month on Cyan business checking?", [article])
    assert not reply.abstained and _has(reply.text, "$150"), reply.text


def test_a_question_going_on_after_a_comma_with_a_question_word_asks_two_things() -> None:
    three = Question.read("What's the referral bonus, how many per year, and how much do they need to spend?")
    assert [ask.text for ask in three.asks] == [
        "What's the referral bonus",
        "how many per year",
        "how much do they need to spend",
    ]
    # A condition before the comma is no question of its own.
    assert len(Question.read("If I refer a friend, how much do I get?").asks) == 1


REBATES = Article(
    id="taupe-atm",
    title="Taupe Account: ATM fees",
    body="## ATM fees\n- In-network ATM withdrawals are free.\n"
    "- We rebate out-of-network ATM fees up to $20 per month.",
)


def test_a_yes_or_no_part_leaves_its_figure_to_the_part_that_asks_for_it() -> None:
    """ "Does it pay back ATM fees? Up to how much a month?": one statement answers both parts."""
    question = Question.read(
        "Does the Taupe Account pay back out-of-network ATM fees? up to how much a month?",
        frozenset({"taupe", "account"}),
    )
    assert [ask.yes_no for ask in question.asks] == [True, False]
    selection = select(statements(REBATES.body, 0), question, [1.0])
    assert selection.answered_share == 1.0
    assert [s.values for s in selection.chosen] == [("$20",)], [s.text for s in selection.chosen]


def test_unlimited_is_a_value_that_answers_how_many_and_a_maximum() -> None:
    """ "Unlimited lounge visits included: Yes" answers "how many lounge visits?" (a count) and "Coverage
    maximum: Unlimited" a question about a maximum amount, over statements with figures of other things."""
    body = (
        "## Perks\n- Unlimited lounge visits included: Yes\n- Annual travel credit: $400\n"
        "## Purchase protection\n- Coverage maximum: Unlimited, subject to policy terms.\n"
        "- Covered purchase window: 150 days from the date of purchase."
    )
    found = statements(body, 0)
    for message, wanted in [
        ("How many airport lounge visits a year come with the Taupe Card?", "Unlimited lounge visits"),
        ("What is the maximum amount covered per claim by purchase protection?", "Coverage maximum"),
    ]:
        chosen = select(found, Question.read(message, frozenset({"taupe", "card"})), [1.0]).chosen
        assert chosen and chosen[0].text.startswith(wanted), [s.text for s in chosen]


def test_a_percentage_of_another_attribute_is_no_price() -> None:
    """A fee may be a percentage ("Foreign transaction fee: 3%"), but "a 75% discount on safe deposit box
    rental" states no rental price."""
    found = statements(
        "## Benefits\n- You receive a 75% discount on safe deposit box rental.\n"
        "- Foreign transaction fee: 3% of each purchase.",
        0,
    )
    price = Question.read("What's the regular rental price for a safe deposit box?")
    assert select(found, price, [1.0]).chosen == []
    fee = select(found, Question.read("What's the foreign transaction fee?"), [1.0]).chosen
    assert [s.values for s in fee] == [("3%",)], [s.text for s in fee]


def test_the_case_the_customer_says_they_lack_is_not_theirs() -> None:
    """ "I don't have any premium subscription": the fee without one, not the fee with one."""
    found = statements(
        "## Fees\n- Foreign transaction fee with a premium subscription: 0%\n"
        "- Foreign transaction fee without a premium subscription: 2.75%",
        0,
    )
    lacking = Question.read(
        "Does the card charge a foreign transaction fee? I don't have any premium subscription"
    )
    assert lacking.lacks == {"premium", "subscript"}
    assert [s.values for s in select(found, lacking, [1.0]).chosen] == [("2.75%",)]
    having = Question.read("Does the card charge a foreign transaction fee? I have the premium subscription")
    assert not having.lacks and select(found, having, [1.0]).chosen[0].values == ("0%",)
