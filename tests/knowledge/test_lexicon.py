"""The help-center lexicon: mined from articles, applied per title, kept current for store-backed search."""

from __future__ import annotations

from pathlib import Path

from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.knowledge.lexicon import (
    NOT_NAMED_FACTOR,
    OTHER_PRODUCT_FACTOR,
    HelpCenterLexicon,
    StoreLexicon,
    StoreTicketSpeller,
    subject_names,
)
from tandem.store import TicketStore, create_schema, make_engine

ARTICLES = [
    Article(id="gold", title="Gold Rewards Card: Fees", body="The Gold Rewards Card has no annual fee."),
    Article(
        id="biz",
        title="Business Gold Rewards Card: Fees",
        body="Unlike the Gold Rewards Card, the Business Gold Rewards Card costs $200; "
        "the Business Gold Rewards Card adds lounges.",
    ),
    Article(id="cli", title="Limits", body="You may ask for a credit limit increase (CLI) twice a year."),
]


def test_mines_acronyms_and_names_from_the_articles() -> None:
    lexicon = HelpCenterLexicon.mine(ARTICLES)
    assert lexicon.glossary.expansions == {"CLI": "credit limit increase"}
    assert ("busi", "gold", "reward", "card") in lexicon.names.names


def test_title_factors_discount_titles_about_other_products_only() -> None:
    lexicon = HelpCenterLexicon.mine(ARTICLES)
    titles = [a.title for a in ARTICLES]
    factors = lexicon.title_factors(titles, "what is the annual fee on the gold rewards card")
    assert factors.tolist() == [1.0, OTHER_PRODUCT_FACTOR, 1.0]
    assert lexicon.title_factors(titles, "what is an annual fee").tolist() == [1.0, 1.0, 1.0]
    assert HelpCenterLexicon().title_factors(titles, "gold rewards card").tolist() == [1.0, 1.0, 1.0]


def test_a_short_question_naming_a_product_also_puts_general_articles_after_it() -> None:
    lexicon = HelpCenterLexicon.mine(ARTICLES)
    titles = [a.title for a in ARTICLES]
    factors = lexicon.title_factors(titles, "gold rewards card fee", question=True)
    assert factors.tolist() == [1.0, OTHER_PRODUCT_FACTOR, NOT_NAMED_FACTOR]
    # Naming no product changes nothing, question or not.
    assert lexicon.title_factors(titles, "what is a fee", question=True).tolist() == [1.0, 1.0, 1.0]


def test_store_lexicon_follows_the_store_articles(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lexicon.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    lexicon = StoreLexicon(store)
    assert len(lexicon().glossary) == 0 and len(lexicon().names) == 0  # nothing ingested yet

    store.upsert_articles(ARTICLES)
    first = lexicon()
    assert first.glossary.expansions == {"CLI": "credit limit increase"}
    assert lexicon() is first  # unchanged knowledge: not mined again

    store.delete_articles(["cli"])
    assert lexicon().glossary.expansions == {}
    engine.dispose()


def test_store_ticket_speller_follows_the_history(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'speller.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    speller = StoreTicketSpeller(store)
    assert speller().correct("my refnud is late") == "my refnud is late"  # no history yet

    store.import_resolved_tickets(
        [
            ResolvedTicket(
                "t1", "Where is my refund?", "My refund has not arrived.", "It takes 5 days.", "refund"
            )
        ]
    )
    assert speller().correct("my refnud is late") == "my refund is late"
    engine.dispose()


def test_the_subject_of_a_title_is_named_before_its_colon() -> None:
    names = HelpCenterLexicon.mine(ARTICLES).names
    gold, business = ("gold", "reward", "card"), ("busi", "gold", "reward", "card")
    assert subject_names(names, "Business Gold Rewards Card: compared with the Gold Rewards Card") == {
        business
    }
    assert subject_names(names, "Fees: Gold Rewards Card") == {gold}  # nothing named before the colon
    assert subject_names(names, "Gold Rewards Card and Business Gold Rewards Card") == {gold, business}
