"""An article read as the statements a reply may quote (tandem.responder.passages): FAQ answers rather than
their questions, table rows with their header, "label: value" items, blocks for steps, never placeholders."""

from __future__ import annotations

import pytest

from tandem.knowledge.bm25_index import analyze
from tandem.responder.passages import Statement, statements
from tandem.responder.values import label_head, value_kinds, values_in

FAQ = """## Limits
- Q: What is the daily sending limit?
  A: Your daily sending limit is $1,500 and resets at midnight.
- Q: How much is an instant transfer?
  A: $0.75.

### How long do I have to cancel a payment?
- You can cancel eligible payments within 17 minutes of submission.

## Contacts
- How many contacts can I save?
  - You can save up to 550 contacts in your address book.
- What happens to a declined payment?
  - The money returns to your balance within 1 business day.

**Q:** Can I pay a business?

**A:** Everyone Pay is for personal payments between people you know, not for paying businesses.
"""

TABLES = """## Costs and Rates
| Cost or Rate | Amount |
| --- | --- |
| Annual fee | $100.00 |
| Purchase APR | 19.99% |
| Foreign transaction fee | {{fee}} |

## Tiers
| Tier | Minimum balance | APY |
|---|---:|---:|
| Tier 1 | $0 | 3.5% |
| Tier 2 | $15,000 | 4.5% |
| Tier 3 | [value not available] | 5.0% |
"""

STEPS = """## How to cancel a payment
To cancel a payment, open the app and go to Payments. Select the pending payment and tap Cancel.

To cancel a scheduled payment:
1. Open Payments.
2. Select the scheduled payment.
3. Tap Cancel schedule.

Visit {{Website Name}} to learn more about payments.
Call us on [value not available] for anything else.
"""


def _stem(word: str) -> str:
    (token,) = analyze(word)
    return token


def _by_text(body: str) -> dict[str, Statement]:
    return {s.text: s for s in statements(body, source=3)}


def test_faq_answers_are_the_statements_and_their_questions_what_they_are_about() -> None:
    found = _by_text(FAQ)
    answers = {
        # "- Q: ... / A: ..." items
        "Your daily sending limit is $1,500 and resets at midnight.": "What is the daily sending limit?",
        # "### Question?" followed by its answer
        "You can cancel eligible payments within 17 minutes of submission.": (
            "How long do I have to cancel a payment?"
        ),
        # a question item with its answer nested under it
        "You can save up to 550 contacts in your address book.": "How many contacts can I save?",
        "The money returns to your balance within 1 business day.": "What happens to a declined payment?",
        # "**Q:**" and "**A:**" paragraphs
        "Everyone Pay is for personal payments between people you know, not for paying businesses.": (
            "Can I pay a business?"
        ),
    }
    for answer, question in answers.items():
        assert answer in found, f"{answer!r} not read from the FAQ"
        assert question in found[answer].about  # the question is context, read with the answer
    # A question alone is never a statement, whatever its form.
    assert not any(text.endswith("?") for text in found)
    assert not any(text.startswith(("Q:", "A:", "**")) for text in found)


def test_a_short_faq_answer_is_quoted_with_its_question() -> None:
    """ "$0.75." alone says nothing: the pair is the statement (and only the pair)."""
    found = _by_text(FAQ)
    pair = found["How much is an instant transfer? $0.75."]
    assert pair.values == ("$0.75",) and pair.kinds == {"money"}
    assert "$0.75." not in found


def test_table_rows_are_read_as_label_value_with_their_header() -> None:
    found = _by_text(TABLES)
    fee = found["Annual fee: $100.00"]
    assert fee.labelled and fee.label == frozenset(analyze("Annual fee")) and fee.values == ("$100",)
    assert "Cost or Rate Amount" in fee.about and "Costs and Rates" in fee.about
    assert found["Purchase APR: 19.99%"].kinds == {"rate"}
    # A row of several columns names each value by its column.
    tier = found["Tier 2: Minimum balance: $15,000; APY: 4.5%"]
    assert "$15000" in tier.values and "4.5%" in tier.values
    assert "Tiers" in tier.about
    # A row whose cell is a placeholder is never a statement; a row alone ("| $100.00 |") never either.
    assert not any("{{" in text or "not available" in text for text in found)
    assert not any("Foreign transaction fee" in text or text.startswith("Tier 3") for text in found)
    assert not any("|" in text for text in found)


def test_steps_are_blocks_as_well_as_sentences() -> None:
    found = statements(STEPS, source=0)
    blocks = [s for s in found if s.block]
    assert [s.text for s in blocks] == [
        "To cancel a payment, open the app and go to Payments. Select the pending payment and tap Cancel.",
        "To cancel a scheduled payment:\n"
        "- Open Payments.\n- Select the scheduled payment.\n- Tap Cancel schedule.",
    ]
    sentences = [s.text for s in found if not s.block]
    assert "To cancel a payment, open the app and go to Payments." in sentences
    assert "Select the scheduled payment." in sentences
    # Every statement is about its heading; the placeholders' sentences are never statements.
    assert all("How to cancel a payment" in s.about for s in found)
    assert not any("{{" in s.text or "not available" in s.text or "Visit" in s.text for s in found)
    # In the article's order, with the source they came from.
    assert [s.position for s in found] == sorted(s.position for s in found)
    assert {s.source for s in found} == {0}


def test_label_value_items_carry_their_label() -> None:
    (fee, rebate) = statements(
        "- Monthly maintenance fee: $25.00\n- Monthly ATM fee rebates for out-of-network usage: $20", 0
    )
    assert fee.labelled and fee.label == frozenset(analyze("Monthly maintenance fee"))
    assert fee.label_head == "fee" and rebate.label_head == _stem("rebates")
    assert (fee.values, rebate.values) == (("$25",), ("$20",))


@pytest.mark.parametrize(
    ("text", "values", "kinds"),
    [
        ("A fee of $1,500.00 applies.", ("$1500",), {"money"}),
        ("It pays 3.0% APY.", ("3%",), {"rate"}),
        ("Transfers arrive in 3 business days.", ("3",), {"duration"}),
        ("You can add up to 4 owners and pay €2.50 each.", ("4", "€2.50"), {"count", "money"}),
        ("No figures here.", (), set()),
        ("You get $175 free transactions per month.", ("$175",), {"money", "count"}),
        # An amount followed by what happens to it counts nothing: "due to", "is", "or more".
        ("The total may have fallen below $25,000 due to exchange-rate movements.", ("$25000",), {"money"}),
        ("Keep $500 or more in the account.", ("$500",), {"money"}),
    ],
)
def test_values_are_normalised_and_kinded(text: str, values: tuple[str, ...], kinds: set[str]) -> None:
    assert values_in(text) == values
    assert value_kinds(text) == kinds


def test_label_head_is_the_noun_before_its_qualifiers() -> None:
    assert label_head("Fee for each excess withdrawal") == "fee"
    assert label_head("Monthly ATM fee rebates for out-of-network usage") == _stem("rebates")
    assert label_head("Annual fee (waived the first year)") == "fee"


def test_q_and_a_on_consecutive_lines_keep_the_answer() -> None:
    found = _by_text("Q: Can I pay a business?\nA: Everyone Pay is for payments between people you know.")
    assert "Everyone Pay is for payments between people you know." in found


def test_a_short_answer_under_a_question_heading_is_quoted_with_its_question() -> None:
    found = _by_text("### Is there a fee for paper statements?\n- Yes, $2 each.")
    assert "Is there a fee for paper statements? Yes, $2 each." in found


def test_times_of_day_are_values_of_their_own_kind() -> None:
    assert values_in("The sweep runs at 11:00 PM each night.") == ("11:00pm",)
    assert value_kinds("The sweep runs at 11:00 PM each night.") == {"time"}


def test_text_for_the_system_or_the_agent_is_never_a_statement() -> None:
    body = (
        "## PIN codes\n"
        "- If pin_locked is TRUE, follow the lock protocol before unlocking.\n"
        "- Your card is locked after three wrong PIN entries in a row.\n"
    )
    texts = [s.text for s in statements(body, source=0)]
    assert not any("pin_locked" in t or "TRUE" in t for t in texts)
    assert "Your card is locked after three wrong PIN entries in a row." in texts


def test_whose_share_a_statement_states() -> None:
    """ "Your referral" is the person referred, "your referral bonus" the reader's own."""
    found = statements(
        "## Referrals\n- Your referral bonus: $100\n- Your referral receives $30 when they open an account.\n"
        "- Their bonus: $50 welcome bonus\n- Referrer bonus: $75",
        0,
    )
    assert [s.party for s in found if not s.block] == ["self", "other", "other", "self"]
