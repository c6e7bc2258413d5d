"""What a message is about, decided before retrieval (tandem.responder.focus): the product the message names,
else the one the latest earlier customer message named, else the one on the account, else only the ticket's
product line; a capitalised product name the help center lacks is reported as unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.contracts import CustomerContext, Focus
from tandem.knowledge.documents import Article
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.knowledge.loaders import load_articles_jsonl
from tandem.knowledge.names import ProductNames
from tandem.responder.focus import decide_focus, named_in, unknown_name

KB = Path(__file__).resolve().parents[2] / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"

# Names are mined from titles shared before a colon; "account" and "card" are written in lower case too.
ARTICLES = [
    Article(
        id="b1",
        title="Blue Account: Fees",
        body="The monthly fee on your account is $20. Your account is free.",
    ),
    Article(
        id="b2", title="Blue Account: Opening", body="Open your account in the app. Your account is ready."
    ),
    Article(id="n1", title="Navy Blue Account: Fees", body="The monthly fee on your account is $25 a month."),
    Article(id="n2", title="Navy Blue Account: Opening", body="Open your account in business banking today."),
    Article(id="p1", title="Platinum Rewards Card: Fees", body="The annual fee on your card is $200 a year."),
    Article(
        id="p2", title="Platinum Rewards Card: Benefits", body="Your card earns points. Use your card abroad."
    ),
]
NAMES = HelpCenterLexicon.mine(ARTICLES).names
CUSTOMER = CustomerContext(
    customer_id="c-1", product="checking", account_facts={"card": "Platinum Rewards Card"}
)
PLAIN = CustomerContext(customer_id="c-2", product="checking")


@pytest.fixture(scope="module")
def rho_lexicon() -> HelpCenterLexicon:
    return HelpCenterLexicon.mine(load_articles_jsonl(KB))


@pytest.fixture(scope="module")
def rho_names(rho_lexicon: HelpCenterLexicon) -> ProductNames:
    return rho_lexicon.names


def test_the_names_are_the_help_centers_own() -> None:
    assert {("blue", "account"), ("platinum", "reward", "card")} <= NAMES.names
    assert {"account", "card"} <= NAMES.heads


def test_the_message_names_the_product_first() -> None:
    earlier = ["I have the Blue Account."]
    focus = decide_focus("What is the monthly fee on the Navy Blue Account?", earlier, CUSTOMER, NAMES)
    assert focus == Focus(names=["Navy Blue Account"], source="message", product="checking")
    assert focus.query_names == ""  # the message already says it: nothing to add to the query


def test_else_the_latest_earlier_message_that_names_one() -> None:
    earlier = ["I have the Blue Account.", "Sorry, I mean the Navy Blue Account.", "It's about fees."]
    focus = decide_focus("how much is it a month?", earlier, CUSTOMER, NAMES)
    assert focus == Focus(names=["Navy Blue Account"], source="history", product="checking")
    assert focus.query_names == "Navy Blue Account"


def test_else_the_account_facts() -> None:
    focus = decide_focus("what's my annual fee?", ["My statement came today."], CUSTOMER, NAMES)
    assert focus == Focus(names=["Platinum Rewards Card"], source="account", product="checking")
    assert focus.query_names == "Platinum Rewards Card"


def test_else_only_the_tickets_product_line() -> None:
    focus = decide_focus("what's my annual fee?", [], PLAIN, NAMES)
    assert focus == Focus(product="checking") and focus.source == "none" and focus.names == []
    assert decide_focus("what's my card's fee?", [], CustomerContext(customer_id="c-3"), NAMES) == Focus()


def test_names_are_found_as_written_in_order_of_appearance() -> None:
    message = "Is the Platinum Rewards Card cheaper with the navy blue account?"
    assert named_in(message, NAMES) == ["Platinum Rewards Card", "navy blue account"]
    assert named_in("Navy Blue Account or Blue Account?", NAMES)[0] == "Navy Blue Account"
    # A sibling is not the name inside it, and "my card" is no name at all.
    assert named_in("What does my card cost?", NAMES) == []
    assert named_in("the Navy Blue Account", NAMES) == ["Navy Blue Account"]


def test_an_unknown_product_name_is_reported(rho_names: ProductNames) -> None:
    message = "What is the annual fee on the Titanium Rewards Card?"
    assert unknown_name(message, rho_names) == "Titanium Rewards Card"
    focus = decide_focus(message, ["I have the Platinum Rewards Card."], CUSTOMER, rho_names)
    assert focus.unknown_name == "Titanium Rewards Card" and focus.source == "message"
    # Known names, a sentence's capitalised first word and names without a catalogue head noun are not.
    assert unknown_name("What is the annual fee on the Platinum Rewards Card?", rho_names) is None
    assert unknown_name("Does Platinum Rewards Card earn points?", rho_names) is None
    assert unknown_name("I spoke to Mary Jane Watson yesterday.", rho_names) is None
    assert unknown_name("what is the annual fee on the titanium card?", rho_names) is None  # not capitalised


def test_a_follow_up_keeps_the_product_of_the_bundled_help_center(rho_names: ProductNames) -> None:
    earlier = ["I have the Navy Blue business checking account."]
    focus = decide_focus("how much is an outgoing wire?", earlier, PLAIN, rho_names)
    assert focus.source == "history" and focus.names == ["Navy Blue"]


def test_an_unknown_name_opening_the_message_is_reported(rho_names: ProductNames) -> None:
    assert unknown_name("Titanium Rewards Card annual fee?", rho_names) == "Titanium Rewards Card"


def test_an_unknown_name_written_before_the_product_lines_words_is_reported(rho_names: ProductNames) -> None:
    """Customers name a product without its noun ("Slate Blue business checking"): two capitalised words
    before the line's words that no name of the help center holds are no product it knows."""
    customer = CustomerContext(customer_id="c", product="business_checking_accounts")
    message = "whats the monthly fee on Slate Blue business checking?"
    assert decide_focus(message, [], customer, rho_names).unknown_name == "Slate Blue"
    # Known names written the same way, and one capitalised word (the bank's own name), are not.
    for known in ("what's the wire fee on Navy Blue business checking?", "is the Dark Green account free?"):
        assert decide_focus(known, [], customer, rho_names).unknown_name is None
    assert decide_focus("what does Rho checking cost?", [], customer, rho_names).unknown_name is None


def test_the_lines_own_word_before_a_known_name_is_no_unknown_product(rho_names: ProductNames) -> None:
    """ "the Business Bronze Saver account": the help center names it the "Bronze Saver Account" among the
    business savings accounts; the line's word written before it does not make it a product it lacks."""
    customer = CustomerContext(customer_id="c", product="business_savings_accounts")
    message = "What APY does the Business Bronze Saver account earn?"
    assert decide_focus(message, [], customer, rho_names).unknown_name is None
    unknown = "What APY does the Business Copper Saver account earn?"
    assert decide_focus(unknown, [], customer, rho_names).unknown_name == "Business Copper Saver"


def test_an_acronym_the_help_center_never_uses_names_no_product_of_it(rho_lexicon: HelpCenterLexicon) -> None:
    """ "A custodial UTMA account", "an HSA account": the help center has no such product, so no sibling's
    opening deposit answers it; acronyms it uses ("ATM card", "PIN") are not unknown products."""
    names, words, vocabulary = rho_lexicon.names, rho_lexicon.line_words, rho_lexicon.vocabulary
    message = "I want to open a custodial UTMA account for my grandson. whats the minimum to open?"
    assert decide_focus(message, [], PLAIN, names, words, vocabulary).unknown_name == "UTMA"
    hsa = decide_focus("Do you have an HSA account?", [], PLAIN, names, words, vocabulary)
    assert hsa.unknown_name == "HSA"
    for known in ("what's the fee for a new ATM card?", "how do I reset the PIN on my debit card?"):
        assert decide_focus(known, [], PLAIN, names, words, vocabulary).unknown_name is None
    # Without the help center's words nothing is said of acronyms.
    assert decide_focus(message, [], PLAIN, names, words).unknown_name is None


def test_a_product_line_word_is_left_out_of_the_name_kept(rho_names: ProductNames) -> None:
    # "Silver savings account" is found as the savings line's "Silver account", and kept as such, so every
    # later reading (scope, retrieval, the Cohere prompt) finds the same product.
    customer = CustomerContext(customer_id="c", product="savings_accounts")
    focus = decide_focus("What's the minimum to open a Silver savings account?", [], customer, rho_names)
    assert focus.names == ["Silver account"] and focus.source == "message"
