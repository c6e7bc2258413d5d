"""Acronyms mined from the knowledge base and expanded in articles and queries."""

from __future__ import annotations

from tandem.knowledge.documents import Article
from tandem.knowledge.glossary import Glossary
from tandem.knowledge.hybrid_index import HybridArticleIndex


def test_mines_definitions_whose_initials_spell_the_acronym() -> None:
    glossary = Glossary.mine(
        [
            "You can request a credit limit increase (CLI) twice a year.",
            "Savings earn an Annual Percentage Yield (APY).",
            "Claims follow the Explanation of Benefits (EOB) rules.",  # "of" gives the O
            "Bank of Example (BE) is our partner.",  # "of" skipped
            "Standard external transfers (ACH) take a day.",  # initials do not match: not a definition
            "Use the dashboard(DB) view.",  # no space before the bracket: not a definition
        ]
    )
    assert dict(glossary.expansions) == {
        "CLI": "credit limit increase",
        "APY": "annual percentage yield",
        "EOB": "explanation of benefits",
        "BE": "bank of example",
    }


def test_an_acronym_defined_two_ways_keeps_the_most_frequent_form() -> None:
    glossary = Glossary.mine(["a Payment Dispute (PD)", "the Payment Dispute (PD)", "a Pending Deposit (PD)"])
    assert glossary.expansions == {"PD": "payment dispute"}


def test_expand_writes_the_long_form_after_each_use_once() -> None:
    glossary = Glossary({"CLI": "credit limit increase", "APY": "annual percentage yield"})
    assert glossary.expand("How can I request a CLI?") == "How can I request a CLI (credit limit increase)?"
    assert glossary.expand("Two CLIs a year") == "Two CLIs (credit limit increase) a year"
    # Its own definition and an already bracketed expansion are left as written.
    assert glossary.expand("a credit limit increase (CLI)") == "a credit limit increase (CLI)"
    assert glossary.expand("APY (annual percentage yield)") == "APY (annual percentage yield)"
    # Whole words only.
    assert glossary.expand("CLIMB the CLIFF") == "CLIMB the CLIFF"
    assert Glossary().expand("How can I request a CLI?") == "How can I request a CLI?"


def _cli_articles(*, defined: bool) -> list[Article]:
    policy = "A credit limit increase (CLI) is reviewed" if defined else "A limit review is done"
    return [
        Article(id="cli", title="How can I request a CLI?", body="Ask for a CLI in the app."),
        Article(id="policy", title="Card policies", body=f"{policy} against your payment history."),
        Article(id="limits", title="Spending on your card", body="Large purchases need available credit."),
    ]


def test_search_finds_the_acronym_article_from_the_long_form_the_knowledge_base_defines() -> None:
    query = "I want to increase my credit limit"
    with_definition = HybridArticleIndex(_cli_articles(defined=True), embedder=None)
    assert with_definition.search(query, limit=1)[0].id == "cli"
    # The same articles without the definition: nothing links "CLI" to the customer's words.
    without = HybridArticleIndex(_cli_articles(defined=False), embedder=None)
    assert "cli" not in [r.id for r in without.search(query, limit=3)]


def test_a_query_using_the_acronym_finds_articles_that_spell_it_out() -> None:
    articles = [
        Article(id="apy", title="Savings rates", body="Your Annual Percentage Yield (APY) is paid monthly."),
        Article(id="fees", title="Monthly fees", body="A monthly fee applies under the minimum balance."),
        Article(id="rates", title="Yield tables", body="The annual percentage yield depends on the tier."),
    ]
    index = HybridArticleIndex(articles, embedder=None)
    assert {r.id for r in index.search("What APY do I get?", limit=2)} == {"apy", "rates"}
