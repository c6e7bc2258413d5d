"""Product names mined from the help center, and the search that keeps sibling products apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.hybrid_index import HybridArticleIndex
from tandem.knowledge.loaders import load_articles_jsonl
from tandem.knowledge.names import ProductNames

KB = Path(__file__).resolve().parents[2] / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"

BODIES = [
    "Holders of the Gold Rewards Card pay no annual fee. The annual fee is waived for life.",
    "Compared with the Gold Rewards Card, the Business Gold Rewards Card has an annual fee of $200.",
    "Only the Business Gold Rewards Card includes lounge access; see the annual fee table.",
    "Withdrawals with a Navy Blue card are free; the Blue Account charges ATM fees abroad.",
    "Customers of the Navy Blue or the Blue Account see ATM fees in the app. The Annual Fee heading.",
]
TITLES = [
    *("Gold Plus: Investment sweep", "Gold Plus: Fees", "Internal: Closing accounts", "Internal: PINs"),
    "Transferring funds to external banks: Bronze Saver",
    "Transferring funds to external banks: Gold Saver",
]


@pytest.fixture(scope="module")
def names() -> ProductNames:
    return ProductNames.mine(TITLES, BODIES)


def test_mines_capitalised_phrases_and_shared_title_prefixes(names: ProductNames) -> None:
    mined = {" ".join(n) for n in names.names}
    assert {"gold reward card", "busi gold reward card", "navi blue", "blue account"} <= mined
    assert "gold plus" in mined  # a title prefix two articles share
    assert "annual fee" not in mined  # written "annual fee" more often than "Annual Fee"
    assert "atm fee" not in mined  # an acronym alone does not make a name
    assert not any(len(n) == 1 for n in names.names)  # "Internal:" is a label, not a product
    # a topic several products' titles share, not written as a name is
    assert not any(n[0] == "transfer" for n in names.names)


def test_spans_merge_overlapping_names_only(names: ProductNames) -> None:
    assert names.spans("Navy Blue Account: ATM fees") == {("navi", "blue", "account")}
    assert names.spans("ATM fees on the Blue Account") == {("blue", "account")}
    assert names.spans("the gold rewards card and the Blue Account") == {
        ("gold", "reward", "card"),
        ("blue", "account"),
    }
    assert names.spans("what is an annual fee?") == frozenset()
    assert ProductNames().spans("Gold Rewards Card") == frozenset()


def test_a_title_about_a_sibling_product_is_other(names: ProductNames) -> None:
    asked = names.spans("What is the annual fee on the Gold Rewards card?")
    assert names.other_products(names.spans("Business Gold Rewards Card: Annual Fee"), asked)
    assert not names.other_products(names.spans("Gold Rewards Card: Fees"), asked)
    assert not names.other_products(names.spans("Understanding annual fees"), asked)  # names nothing
    assert not names.other_products(names.spans("Business Gold Rewards Card: Fees"), frozenset())
    # A question naming more than the title still asks about the titled product.
    assert not names.other_products(names.spans("Gold Plus: Fees"), frozenset({("gold", "plus", "account")}))


@pytest.fixture(scope="module")
def index() -> HybridArticleIndex:
    return HybridArticleIndex(load_articles_jsonl(KB), default_embedder())


@pytest.mark.parametrize(
    ("question", "named", "sibling"),
    [
        ("What is the annual fee on the Gold Rewards card?", "Gold Rewards Card", "Business Gold"),
        ("What are the ATM fees on the Blue Account?", "Blue Account", "Navy Blue"),
        ("How does cash back work on the Bronze Rewards Card?", "Bronze Rewards Card:", "Business Bronze"),
    ],
)
def test_a_question_naming_a_product_is_answered_from_that_product(
    index: HybridArticleIndex, question: str, named: str, sibling: str
) -> None:
    titles = [ref.title for ref in index.search(question, limit=3)]
    assert any(named in title and sibling not in title for title in titles), titles
    assert not any(sibling in title for title in titles), titles


def test_naming_the_sibling_finds_the_sibling(index: HybridArticleIndex) -> None:
    titles = [
        r.title for r in index.search("What is the annual fee for the Business Gold Rewards Card?", limit=3)
    ]
    assert all(title.startswith("Business Gold Rewards Card") for title in titles)


def test_a_final_common_noun_may_be_dropped_but_not_swapped() -> None:
    bodies = [
        "Open the Silver Plus Account in the app; the Silver Plus Account pays interest on your account.",
        "Unlike the Silver Plus Account, the Silver Plus Saver Account has no fee; "
        "the Silver Plus Saver Account is a savings account.",
        "Members get the Diamond Elite Card and the Diamond Elite Account; the Diamond Elite Card and the"
        " Diamond Elite Account come with a card, an account number and account alerts for every account.",
        "In the app you can lock a card, replace a card, order a card, close an account, rename an account, "
        "export account statements and set card controls.",
    ]
    names = ProductNames.mine(["Silver Plus: Perks", "Silver Plus: Fees"], bodies)
    assert {"account", "card"} <= names.heads and "saver" not in names.heads  # "Saver" is always capitalised
    asked = names.spans("What perks does Silver Plus have?")
    assert not names.other_products(names.spans("The Silver Plus Account pays interest"), asked)
    assert names.other_products(names.spans("The Silver Plus Saver Account has no fee"), asked)
    elite_card = names.spans("How do I qualify for the Diamond Elite Card?")
    assert names.other_products(names.spans("Diamond Elite Account: requirements"), elite_card)


def test_a_title_is_about_the_product_before_its_colon(index: HybridArticleIndex) -> None:
    # "Gold Account: Gold Rewards Card holder benefits" names the card but is about the Gold Account.
    top = index.search("What is the annual fee on the Gold Rewards card?", limit=1)[0]
    assert top.title.startswith("Gold Rewards Card:")


def test_a_term_written_as_its_acronym_too_is_no_product_name() -> None:
    bodies = [
        "Your balance earns an Annual Percentage Yield of 3.0% (APY) on the Gold Plus Account.",
        "The APY is shown monthly; see the Annual Percentage Yield table for the Gold Plus Account.",
        "Students with a GPA above 3.5 get a bonus. The GPA is checked yearly with the Silver Plus Account.",
        "Open the Silver Plus Account or the Bronze Plus Account in the app.",
        "Fees of the Bronze Plus Account differ from those of the Gold Plus Account.",
    ]
    names = ProductNames.mine([], bodies)
    assert ("annual", "percentag", "yield") not in names.names and ("percentag", "yield") not in names.names
    # "GPA" is written too, but a name ending in a noun products are named by stays a product name.
    assert ("gold", "plus", "account") in names.names
